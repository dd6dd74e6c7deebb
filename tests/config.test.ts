import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import program from "../index";
import { ConfigError, configSchema, DEFAULT_CHARTS, parseConfig, SECRET_KEYS } from "../components/config";
import { nodeCapacity, overlap, reservedOverlaps } from "../components/config/networks";
import {
    evaluate,
    evaluateFailure,
    PROJECT,
    programResources,
    resolve,
    ROOT,
    SECRET_TEXTS,
    secretInput,
    StackName,
    USER_VALUES,
    userConfig,
} from "./harness";

interface BadCase {
    title: string;
    stack: StackName;
    set?: Record<string, unknown>;
    unset?: string[];
    withoutToken?: boolean;
    secrets?: Record<string, string | undefined>;
    plain?: string[];
    /** Key (with the project prefix unless namespaced), value as shown, what is allowed. */
    key: string;
    shown: string;
    allowed: string;
}

const charts = { ...DEFAULT_CHARTS };
/** The user's monitoring values, which a `set` of the whole object replaces. */
const MON = JSON.parse(USER_VALUES.monitoring) as { alertEmails: string[] };

const BAD: BadCase[] = [
    { title: "node count below 1", stack: "dev", set: { nodeCount: 0 }, key: "nodeCount", shown: "0", allowed: "at least 1" },
    { title: "node count not a number", stack: "dev", set: { nodeCount: "three" }, key: "nodeCount", shown: '"three"', allowed: "a number" },
    { title: "fractional node count", stack: "prod", set: { nodeCount: 2.5 }, key: "nodeCount", shown: "2.5", allowed: "a whole number" },
    { title: "unknown region", stack: "dev", set: { region: "mars1" }, key: "region", shown: '"mars1"', allowed: 'one of "ams3"' },
    { title: "malformed node size", stack: "dev", set: { nodeSize: "big" }, key: "nodeSize", shown: '"big"', allowed: "Droplet size slug" },
    { title: '"latest" Kubernetes version', stack: "prod", set: { kubernetesVersionPrefix: "latest" }, key: "kubernetesVersionPrefix", shown: '"latest"', allowed: "minor version prefix" },
    { title: "Kubernetes minor newer than ingress-nginx supports", stack: "dev", set: { kubernetesVersionPrefix: "1.36" }, key: "kubernetesVersionPrefix", shown: '"1.36"', allowed: "a minor every pinned chart supports (newest: 1.35); 1.36 is outside what ingress-nginx 4.15.1 (1.31 to 1.35) supports. To run it anyway: pulumi config set acceptUnsupportedKubernetesVersion 1.36" },
    { title: "Kubernetes minor older than cert-manager supports", stack: "prod", set: { kubernetesVersionPrefix: "1.30." }, key: "kubernetesVersionPrefix", shown: '"1.30."', allowed: "1.30 is outside what ingress-nginx 4.15.1 (1.31 to 1.35) and cert-manager v1.21.1 (1.33 to 1.36) and metrics-server 3.13.1 (1.31 to newer) supports" },
    { title: "acceptance of another minor than the configured one", stack: "dev", set: { kubernetesVersionPrefix: "1.36", acceptUnsupportedKubernetesVersion: "1.37" }, key: "acceptUnsupportedKubernetesVersion", shown: '"1.37"', allowed: '"1.36" (the minor of kubernetesVersionPrefix) or unset' },
    { title: "boolean given as text", stack: "dev", set: { haControlPlane: "yes" }, key: "haControlPlane", shown: '"yes"', allowed: "true or false" },
    { title: "autoscale min above max", stack: "prod", set: { nodeAutoscale: { minNodes: 5, maxNodes: 3 } }, key: "nodeAutoscale", shown: '{"minNodes":5,"maxNodes":3}', allowed: "minNodes must not be greater than maxNodes" },
    { title: "unknown key in nodeAutoscale", stack: "prod", set: { nodeAutoscale: { minNodes: 3, maxNodes: 5, max: 6 } }, key: "nodeAutoscale.max", shown: "6", allowed: "nodeAutoscale takes only minNodes, maxNodes" },
    { title: "node count outside autoscale bounds", stack: "prod", set: { nodeCount: 7 }, key: "nodeCount", shown: "7", allowed: "within nodeAutoscale (3..5)" },
    { title: "unknown maintenance day", stack: "dev", set: { maintenanceWindow: { day: "funday", startTime: "04:00" } }, key: "maintenanceWindow.day", shown: '"funday"', allowed: '"sunday"' },
    { title: "maintenance time out of range", stack: "dev", set: { maintenanceWindow: { day: "monday", startTime: "25:00" } }, key: "maintenanceWindow.startTime", shown: '"25:00"', allowed: "HH:MM" },
    { title: "public VPC range", stack: "dev", set: { vpcIpRange: "8.8.8.0/24" }, key: "vpcIpRange", shown: '"8.8.8.0/24"', allowed: "private IPv4 CIDR" },
    { title: "Service range inside the pod range", stack: "dev", set: { serviceSubnet: "172.25.64.0/19" }, key: "serviceSubnet", shown: '"172.25.64.0/19"', allowed: "a range that does not overlap clusterSubnet (172.25.0.0/16)" },
    { title: "pod range over the VPC", stack: "dev", set: { clusterSubnet: "172.24.0.0/16" }, key: "clusterSubnet", shown: '"172.24.0.0/16"', allowed: "a range that does not overlap vpcIpRange (172.24.0.0/20)" },
    { title: "Service range over the VPC", stack: "prod", set: { serviceSubnet: "172.28.0.0/19" }, key: "serviceSubnet", shown: '"172.28.0.0/19"', allowed: "a range that does not overlap vpcIpRange (172.28.0.0/20)" },
    { title: "pod range without a Service range", stack: "prod", unset: ["serviceSubnet"], key: "serviceSubnet", shown: "(not set)", allowed: "required with clusterSubnet: DigitalOcean needs both" },
    { title: "VPC-native ranges with a VPC range DigitalOcean picks", stack: "dev", unset: ["vpcIpRange"], key: "vpcIpRange", shown: "(not set)", allowed: "required with clusterSubnet and serviceSubnet" },
    { title: "pod range reserved by DigitalOcean everywhere", stack: "dev", set: { clusterSubnet: "10.244.0.0/16" }, key: "clusterSubnet", shown: '"10.244.0.0/16"', allowed: "a range outside what DigitalOcean reserves in fra1 (10.244.0.0/16)" },
    { title: "Service range reserved by DigitalOcean in the region", stack: "prod", set: { serviceSubnet: "10.19.0.0/19" }, key: "serviceSubnet", shown: '"10.19.0.0/19"', allowed: "reserves in fra1 (10.19.0.0/16)" },
    { title: "pod range too small for the nodes", stack: "dev", set: { clusterSubnet: "172.25.0.0/20", nodeCount: 40 }, key: "clusterSubnet", shown: '"172.25.0.0/20"', allowed: "room for 40 nodes (a /25 each): this one holds 32" },
    { title: "public pod range", stack: "dev", set: { clusterSubnet: "8.8.0.0/16" }, key: "clusterSubnet", shown: '"8.8.0.0/16"', allowed: "a private IPv4 network (RFC 1918) from /15 to /20" },
    { title: "Service range not given by its network address", stack: "prod", set: { serviceSubnet: "172.30.1.0/19" }, key: "serviceSubnet", shown: '"172.30.1.0/19"', allowed: "given by its network address" },
    { title: "pod range wider than /15", stack: "dev", set: { clusterSubnet: "172.16.0.0/12" }, key: "clusterSubnet", shown: '"172.16.0.0/12"', allowed: "from /15 to /20" },
    { title: "unsupported PostgreSQL version", stack: "prod", set: { dbVersion: "12" }, key: "dbVersion", shown: '"12"', allowed: 'one of "16", "17"' },
    { title: "malformed database size", stack: "dev", set: { dbSize: "large" }, key: "dbSize", shown: '"large"', allowed: "database size slug" },
    { title: "too many database nodes", stack: "prod", set: { dbNodeCount: 4 }, key: "dbNodeCount", shown: "4", allowed: "at most 3" },
    { title: "admin as app user", stack: "dev", set: { dbUser: "doadmin" }, key: "dbUser", shown: '"doadmin"', allowed: 'other than the admin "doadmin"' },
    { title: "invalid database name", stack: "dev", set: { dbName: "My-App" }, key: "dbName", shown: '"My-App"', allowed: "PostgreSQL identifier" },
    { title: "empty connection pool", stack: "prod", set: { dbPoolSize: 0 }, key: "dbPoolSize", shown: "0", allowed: "at least 1" },
    { title: "invalid registry name", stack: "dev", set: { registryName: "Acme_Registry" }, key: "registryName", shown: '"Acme_Registry"', allowed: "globally unique registry name" },
    { title: "missing registry name", stack: "dev", unset: ["registryName"], key: "registryName", shown: "(not set)", allowed: "a value (required)" },
    { title: "unknown registry mode", stack: "dev", set: { registryMode: "shared" }, key: "registryMode", shown: '"shared"', allowed: 'one of "create", "existing"' },
    { title: "unknown registry tier", stack: "dev", set: { registryTier: "gold" }, key: "registryTier", shown: '"gold"', allowed: '"starter", "basic", "professional"' },
    { title: "registry region on a referenced registry", stack: "prod", set: { registryRegion: "ams3" }, key: "registryRegion", shown: '"ams3"', allowed: 'unset: the region belongs to the stack that creates' },
    { title: "chart version range", stack: "dev", set: { charts: { ...charts, ingressNginx: "^4.15.0" } }, key: "charts.ingressNginx", shown: '"^4.15.0"', allowed: "pinned ingress-nginx chart version" },
    { title: '"latest" chart version', stack: "prod", set: { charts: { ...charts, certManager: "latest" } }, key: "charts.certManager", shown: '"latest"', allowed: "pinned cert-manager chart version" },
    { title: "unknown chart key", stack: "dev", set: { charts: { ...charts, traefik: "1.0.0" } }, key: "charts.traefik", shown: '"1.0.0"', allowed: "charts takes only ingressNginx, certManager, metricsServer" },
    { title: "missing chart version", stack: "dev", set: { charts: { ingressNginx: "4.15.1", certManager: "v1.21.1" } }, key: "charts.metricsServer", shown: "(not set)", allowed: "a value (required)" },
    { title: "URL instead of host name", stack: "dev", set: { hostname: "https://app.acme-test.org" }, key: "hostname", shown: '"https://app.acme-test.org"', allowed: "fully qualified lowercase domain name" },
    { title: "missing host name", stack: "prod", unset: ["hostname"], key: "hostname", shown: "(not set)", allowed: "a value (required)" },
    { title: "malformed email", stack: "dev", set: { acmeEmail: "ops-at-acme" }, key: "acmeEmail", shown: '"ops-at-acme"', allowed: "email address" },
    { title: "unknown issuer", stack: "prod", set: { certIssuer: "prod" }, key: "certIssuer", shown: '"prod"', allowed: 'one of "staging", "production"' },
    { title: "no ingress replicas", stack: "dev", set: { ingressReplicas: 0 }, key: "ingressReplicas", shown: "0", allowed: "at least 1" },
    { title: "invalid load balancer name", stack: "dev", set: { loadBalancerName: "My LB" }, key: "loadBalancerName", shown: '"My LB"', allowed: "lowercase letters, digits and -" },
    { title: "misspelt key", stack: "dev", set: { nodeCont: 3 }, key: "nodeCont", shown: "3", allowed: "not one of the project's keys" },
    { title: "unknown DNS provider", stack: "dev", set: { dns: { provider: "route53" } }, key: "dns.provider", shown: '"route53"', allowed: 'one of "namecheap", "none"' },
    { title: "resolver given as a host name", stack: "dev", set: { dns: { resolvers: ["dns.google"] } }, key: "dns.resolvers.0", shown: '"dns.google"', allowed: "an IPv4 address" },
    { title: "DNS wait below 30 s", stack: "prod", set: { dns: { timeoutSeconds: 5 } }, key: "dns.timeoutSeconds", shown: "5", allowed: "at least 30" },
    { title: "host name outside the Namecheap domain", stack: "dev", set: { extraHostnames: ["www.other-site.net"] }, key: "dns.domain", shown: "(not set)", allowed: "www.other-site.net is outside it" },
    { title: "Namecheap domain given as a subdomain", stack: "prod", set: { dns: { domain: "app.acme-test.org" } }, key: "dns.domain", shown: '"app.acme-test.org"', allowed: "registered at Namecheap, e.g. acme-test.org" },
    { title: "standby nodes on the smallest database plan", stack: "dev", set: { dbNodeCount: 2 }, key: "dbNodeCount", shown: "2", allowed: 'db-s-1vcpu-2gb' },
    { title: "host name listed twice", stack: "dev", set: { extraHostnames: ["app.acme-test.org"] }, key: "extraHostnames", shown: '["app.acme-test.org"]', allowed: "listed twice" },
    { title: "Namecheap password missing", stack: "prod", secrets: { namecheapPassword: undefined }, key: "namecheapPassword", shown: "(not set)", allowed: "pulumi config set --secret namecheapPassword" },
    { title: "Namecheap password in plain text", stack: "dev", plain: ["namecheapPassword"], key: "namecheapPassword", shown: "(set in plain text)", allowed: "a secret" },
    { title: "secret variable shadows DATABASE_URL", stack: "dev", secrets: { appSecrets: '{"DATABASE_URL":"postgres://x"}' }, key: "appSecrets.DATABASE_URL", shown: "(secret, not shown)", allowed: "the stack sets those itself" },
    { title: "app variable shadows SECRET_KEY", stack: "prod", set: { app: { env: { SECRET_KEY: "x" } } }, key: "app.env.SECRET_KEY", shown: '"x"', allowed: "the stack sets those itself" },
    { title: "HPA bounds crossed", stack: "prod", set: { app: { minReplicas: 5, maxReplicas: 3 } }, key: "app.maxReplicas", shown: "3", allowed: "at least app.minReplicas (5)" },
    { title: '"latest" app image', stack: "dev", set: { app: { image: "registry.digitalocean.com/acme/app:latest" } }, key: "app.image", shown: '"registry.digitalocean.com/acme/app:latest"', allowed: 'not "latest"' },
    { title: "untagged app image", stack: "dev", set: { app: { image: "registry.digitalocean.com/acme/app" } }, key: "app.image", shown: '"registry.digitalocean.com/acme/app"', allowed: "with a tag or digest" },
    { title: "route to a Service with no port", stack: "dev", set: { app: { routes: [{ path: "/", service: "app" }, { path: "/api", service: "api" }] } }, key: "app.routes.1.port", shown: "(not set)", allowed: 'a port for Service "api"' },
    { title: "two routes for one path", stack: "prod", set: { app: { routes: [{ path: "/", service: "app" }, { path: "/", service: "static" }] } }, key: "app.routes.1.path", shown: '"/"', allowed: "a path no other route uses" },
    { title: "static content repository missing", stack: "dev", set: { staticContent: { branch: "main" } }, key: "staticContent.repository", shown: "(not set)", allowed: "a value (required)" },
    { title: "static content over plain http", stack: "dev", set: { staticContent: { repository: "http://github.com/acme/site.git" } }, key: "staticContent.repository", shown: '"http://github.com/acme/site.git"', allowed: "an https git URL" },
    { title: "static content schedule not cron", stack: "prod", set: { staticContent: { repository: "https://github.com/acme/site.git", schedule: "every hour" } }, key: "staticContent.schedule", shown: '"every hour"', allowed: "exactly 5 cron fields" },
    { title: "static content path escaping the repository", stack: "dev", set: { staticContent: { repository: "https://github.com/acme/site.git", path: "../etc" } }, key: "staticContent.path", shown: '"../etc"', allowed: "a folder inside the repository" },
    { title: "missing DigitalOcean token", stack: "prod", withoutToken: true, key: "digitalocean:token", shown: "(not set)", allowed: "DIGITALOCEAN_TOKEN" },
    { title: "malformed alert email", stack: "dev", set: { monitoring: { alertEmails: ["ops-at-acme"] } }, key: "monitoring.alertEmails.0", shown: '"ops-at-acme"', allowed: "an email address verified on the DigitalOcean account" },
    { title: "monitoring on without an alert email", stack: "prod", set: { monitoring: { enabled: true } }, key: "monitoring.alertEmails", shown: "(not set)", allowed: 'pulumi config set --path "monitoring.alertEmails[0]"' },
    { title: "latency threshold below 100 ms", stack: "dev", set: { monitoring: { ...MON, uptime: { latencyMs: 50 } } }, key: "monitoring.uptime.latencyMs", shown: "50", allowed: "at least 100" },
    { title: "certificate expiry beyond 60 days", stack: "prod", set: { monitoring: { ...MON, uptime: { certExpiryDays: 90 } } }, key: "monitoring.uptime.certExpiryDays", shown: "90", allowed: "at most 60" },
    { title: "node CPU threshold above 100%", stack: "prod", set: { monitoring: { ...MON, nodes: { cpuPercent: 150 } } }, key: "monitoring.nodes.cpuPercent", shown: "150", allowed: "at most 100" },
    { title: "database disk threshold as text", stack: "dev", set: { monitoring: { ...MON, database: { diskPercent: "80%" } } }, key: "monitoring.database.diskPercent", shown: '"80%"', allowed: "a number" },
    { title: "negative load balancer response time", stack: "dev", set: { monitoring: { ...MON, loadBalancer: { responseTimeSeconds: -1 } } }, key: "monitoring.loadBalancer.responseTimeSeconds", shown: "-1", allowed: "" },
    { title: "unknown uptime region", stack: "dev", set: { monitoring: { ...MON, uptime: { regions: ["eu_central"] } } }, key: "monitoring.uptime.regions.0", shown: '"eu_central"', allowed: 'one of "us_east", "us_west", "eu_west", "se_asia"' },
    { title: "alert window DigitalOcean does not offer", stack: "prod", set: { monitoring: { ...MON, database: { window: "15m" } } }, key: "monitoring.database.window", shown: '"15m"', allowed: 'one of "5m", "10m", "30m", "1h"' },
    { title: "misspelt monitoring key", stack: "dev", set: { monitoring: { ...MON, alertEmail: ["x@acme-test.org"] } }, key: "monitoring.alertEmail", shown: '["x@acme-test.org"]', allowed: "monitoring takes only enabled, alertEmails, slackChannel, uptime, nodes, loadBalancer, database, silenced" },
    { title: "silencing an alert that does not exist", stack: "dev", set: { monitoring: { ...MON, silenced: ["cpu"] } }, key: "monitoring.silenced.0", shown: '"cpu"', allowed: 'one of "down", "latency", "cert-expiry", "node-cpu"' },
    { title: "Slack webhook in plain text", stack: "prod", set: { monitoring: { ...MON, slackChannel: "#ops" } }, secrets: { "monitoring.slackWebhook": SECRET_TEXTS.slackWebhook }, plain: ["monitoring.slackWebhook"], key: "monitoring.slackWebhook", shown: "(set in plain text)", allowed: "pulumi config set --secret --path monitoring.slackWebhook" },
    { title: "Slack webhook that is not a URL", stack: "dev", set: { monitoring: { ...MON, slackChannel: "#ops" } }, secrets: { "monitoring.slackWebhook": "T0/B0/xyz" }, key: "monitoring.slackWebhook", shown: "(secret, not shown)", allowed: "a Slack incoming webhook URL" },
    { title: "Slack webhook without a channel", stack: "dev", secrets: { "monitoring.slackWebhook": SECRET_TEXTS.slackWebhook }, key: "monitoring.slackChannel", shown: "(not set)", allowed: "required with monitoring.slackWebhook" },
    { title: "Slack channel without a webhook", stack: "prod", set: { monitoring: { ...MON, slackChannel: "#ops" } }, key: "monitoring.slackWebhook", shown: "(not set)", allowed: "pulumi config set --secret --path monitoring.slackWebhook" },
];

describe("invalid configuration stops the program before any resource", () => {
    test.each(BAD.map((c) => [c.title, c] as const))("%s", async (_title, c) => {
        const { error, evaluation } = await evaluateFailure(program, c.stack, c);
        expect(error).toBeInstanceOf(ConfigError);
        const key = c.key.includes(":") ? c.key : `${PROJECT}:${c.key}`;
        expect(error.message).toContain(`stack "${c.stack}"`);
        const line = error.message.split("\n").find((l) => l.includes(`- ${key} = `));
        expect(line).toBeDefined();
        expect(line).toContain(`${key} = ${c.shown}: expected `);
        expect(line).toContain(c.allowed);
        expect(programResources(evaluation)).toEqual([]);
        expect(evaluation.invokes).toEqual([]);
    });

    test("there are at least 20 distinct cases", () => {
        expect(new Set(BAD.map((c) => `${c.key}|${c.shown}`)).size).toBeGreaterThanOrEqual(20);
    });

    test("errors about secret keys never show their values", async () => {
        const { error } = await evaluateFailure(program, "dev", {
            secrets: { appSecrets: JSON.stringify({ SECRET_KEY: "hunter2-value", "bad name": "other-value" }), namecheapPassword: "plain-pass" },
            plain: ["namecheapPassword"],
        });
        expect(error.message).toContain(`${PROJECT}:appSecrets.SECRET_KEY = (secret, not shown)`);
        expect(error.message).toContain(`${PROJECT}:appSecrets.bad name = (secret, not shown)`);
        expect(error.message).toContain(`${PROJECT}:namecheapPassword = (set in plain text)`);
        for (const v of ["hunter2-value", "other-value", "plain-pass"]) expect(error.message).not.toContain(v);
    });

    test("errors in the monitoring object never show the Slack webhook beside them", async () => {
        for (const plain of [[], ["monitoring.slackWebhook"]]) {
            const { error } = await evaluateFailure(program, "dev", {
                // A whole-object problem (a wrong type) and a leaf problem next to the webhook.
                set: { monitoring: { alertEmails: "ops@acme-test.org", slackChannel: "#ops", nodes: { cpuPercent: 0 } } },
                secrets: { "monitoring.slackWebhook": SECRET_TEXTS.slackWebhook },
                plain,
            });
            expect(error.message).toContain(`${PROJECT}:monitoring.alertEmails = "ops@acme-test.org": expected `);
            expect(error.message).toContain(`${PROJECT}:monitoring.nodes.cpuPercent = 0: expected at least 1`);
            expect(error.message).not.toContain("hooks.slack.com");
        }
    });

    test("every problem is reported at once", async () => {
        const { error } = await evaluateFailure(program, "dev", { set: { nodeCount: 0, region: "mars1", acmeEmail: "x" } });
        for (const key of ["nodeCount", "region", "acmeEmail"]) expect(error.message).toContain(`${PROJECT}:${key} = `);
    });
});

describe("valid configuration", () => {
    test("defaults fill what the stack file leaves out", () => {
        const c = parseConfig(PROJECT, "dev", {
            registryName: "acme",
            hostname: "app.acme-test.org",
            acmeEmail: "ops@acme-test.org",
            staticContent: '{"repository":"https://github.com/acme/site.git"}',
            monitoring: '{"alertEmails":["ops@acme-test.org"]}',
        });
        expect(c.monitoring).toEqual({
            enabled: true,
            alertEmails: ["ops@acme-test.org"],
            uptime: { regions: ["us_east", "us_west", "eu_west", "se_asia"], downPeriod: "5m", latencyMs: 2000, latencyPeriod: "5m", certExpiryDays: 14 },
            nodes: { cpuPercent: 85, memoryPercent: 85, diskPercent: 80, window: "10m" },
            loadBalancer: { errorRate5xxPercent: 5, responseTimeSeconds: 2, unhealthyBackends: 0, window: "10m" },
            database: { cpuPercent: 85, memoryPercent: 90, diskPercent: 80, window: "10m" },
            silenced: [],
        });
        expect(c.dns).toEqual({
            provider: "namecheap",
            ddnsUrl: "https://dynamicdns.park-your-domain.com",
            resolvers: [],
            timeoutSeconds: 900,
            onDestroy: "park",
        });
        expect(c.app).toMatchObject({
            minReplicas: 2,
            maxReplicas: 4,
            autoscaling: true,
            cpuUtilization: 80,
            memoryUtilization: 80,
            resources: { requests: { cpu: "400m", memory: "200Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
            probes: { liveness: "/healthz", readiness: "/readyz", startup: "/healthz" },
            migrateCommand: ["python", "manage.py", "migrate", "--noinput"],
            routes: [
                { path: "/", service: "app" },
                { path: "/static", service: "static" },
            ],
            egress: "restricted",
        });
        expect(c.app.image).toBeUndefined();
        expect(c.staticContent).toEqual({
            repository: "https://github.com/acme/site.git",
            branch: "main",
            path: "",
            schedule: "*/15 * * * *",
            size: "1Gi",
        });
        expect(c.extraHostnames).toEqual([]);
        expect(c).toMatchObject({
            region: "fra1",
            nodeSize: "s-2vcpu-4gb",
            nodeCount: 3,
            kubernetesVersionPrefix: "1.35.",
            maintenanceWindow: { day: "sunday", startTime: "04:00" },
            destroyAllAssociatedResources: true,
            dbVersion: "17",
            dbNodeCount: 1,
            registryMode: "create",
            charts: DEFAULT_CHARTS,
            certIssuer: "staging",
            ingressProxyProtocol: false,
        });
        expect(c.nodeAutoscale).toBeUndefined();
    });

    test("network arithmetic: overlap either way, capacity at a /25 per node", () => {
        expect(overlap("172.25.0.0/16", "172.25.64.0/19")).toBe(true);
        expect(overlap("172.25.64.0/19", "172.25.0.0/16")).toBe(true);
        expect(overlap("172.25.0.0/16", "172.26.0.0/19")).toBe(false);
        expect(nodeCapacity("172.25.0.0/16")).toBe(512);
        expect(nodeCapacity("172.24.0.0/15")).toBe(1024);
    });

    test("a version prefix without the trailing dot cannot match 1.340", () => {
        const c = parseConfig(PROJECT, "dev", { ...USER_VALUES, kubernetesVersionPrefix: "1.34" });
        expect(c.kubernetesVersionPrefix).toBe("1.34.");
    });

    test("a Kubernetes minor outside a pinned chart's range, explicitly accepted, evaluates", async () => {
        const e = await evaluate(program, "prod", { set: { kubernetesVersionPrefix: "1.36", acceptUnsupportedKubernetesVersion: "1.36" } });
        expect(e.invokes.find((i) => i.token.endsWith("getKubernetesVersions"))?.args.versionPrefix).toBe("1.36.");
    });

    test("a chart at another version than the pinned one is not held to the pinned one's range", () => {
        const c = parseConfig(PROJECT, "dev", { ...USER_VALUES, kubernetesVersionPrefix: "1.36", charts: JSON.stringify({ ...charts, ingressNginx: "4.16.0" }) });
        expect(c.kubernetesVersionPrefix).toBe("1.36.");
    });

    test.each(["dev", "prod"] as const)("the committed %s stack file is valid with the user's values", (stack) => {
        expect(() => parseConfig(PROJECT, stack, userConfig(stack))).not.toThrow();
    });

    test("the token may come from DIGITALOCEAN_TOKEN, and stays secret", async () => {
        const e = await evaluate(program, "dev", { withoutToken: true, env: { DIGITALOCEAN_TOKEN: SECRET_TEXTS.doToken } });
        const provider = e.resources.find((r) => r.type === "pulumi:providers:kubernetes");
        const kubeconfigInput = secretInput(provider?.inputs.kubeconfig);
        expect(kubeconfigInput.secret).toBe(true);
        expect(kubeconfigInput.value).toContain(SECRET_TEXTS.doToken);
        const kubeconfig = await resolve(e.outputs.kubeconfig);
        expect(kubeconfig.secret).toBe(true);
    });

    test("a ConfigError is not raised for a valid stack", () => {
        expect(() =>
            parseConfig(PROJECT, "prod", { ...USER_VALUES, nodeAutoscale: '{"minNodes":3,"maxNodes":5}', nodeCount: "4" }),
        ).not.toThrow();
    });
});

describe("Pulumi.yaml declares the same keys and defaults as the schema", () => {
    const project = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
        config: Record<string, { type: string; default?: unknown; description: string }>;
    };
    const schemaDefaults = parseConfig(PROJECT, "dev", USER_VALUES) as Record<string, unknown>;
    const structured = ["nodeAutoscale", "maintenanceWindow", "charts", "extraHostnames", "dns", "app", "staticContent", "monitoring"];
    const required = Object.keys(USER_VALUES).filter((k) => !structured.includes(k));
    // Pulumi treats a declared key without a default as required, so optional keys stay undeclared.
    const optional = Object.keys(configSchema.shape).filter(
        (k) => schemaDefaults[k] === undefined && !required.includes(k) && !structured.includes(k),
    );

    test("every flat key with a default, and every required key, is declared with a description", () => {
        const declarable = Object.keys(configSchema.shape).filter((k) => !structured.includes(k) && !optional.includes(k));
        expect(Object.keys(project.config).sort()).toEqual(declarable.sort());
        for (const decl of Object.values(project.config)) expect(decl.description.length).toBeGreaterThan(10);
    });

    test("the undeclared keys are named in Pulumi.yaml's comment", () => {
        const text = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
        expect(optional.sort()).toEqual([
            "acceptUnsupportedKubernetesVersion",
            "clusterSubnet",
            "loadBalancerName",
            "registryRegion",
            "serviceSubnet",
            "vpcIpRange",
        ]);
        for (const k of [...optional, ...structured, ...SECRET_KEYS]) expect(text).toContain(k);
    });

    test.each(Object.keys(project.config))("%s has the schema's default", (key) => {
        const decl = project.config[key];
        if (decl.default === undefined) {
            expect(required).toContain(key);
        } else {
            expect(schemaDefaults[key]).toEqual(decl.default);
        }
    });

    test("the committed networks overlap neither each other, nor the other stack's, nor DigitalOcean's reserved ranges", () => {
        const ranges = (["dev", "prod"] as const).flatMap((stack) => {
            const c = parseConfig(PROJECT, stack, userConfig(stack));
            expect(c.vpcIpRange && c.clusterSubnet && c.serviceSubnet).toBeTruthy();
            return [c.vpcIpRange, c.clusterSubnet, c.serviceSubnet].map((r) => ({ stack, region: c.region, range: r as string }));
        });
        expect(ranges).toHaveLength(6);
        for (const [i, a] of ranges.entries()) {
            expect(reservedOverlaps(a.range, a.region)).toEqual([]);
            for (const b of ranges.slice(i + 1)) expect([a.range, b.range, overlap(a.range, b.range)]).toEqual([a.range, b.range, false]);
        }
    });

    test("stack files commit no secret values", () => {
        for (const stack of ["dev", "prod"] as const) {
            const config = (parseYaml(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
            const keys = Object.keys(config);
            expect(keys.filter((k) => /token|password|secret/i.test(k))).toEqual([]);
            expect(JSON.stringify(config)).not.toMatch(/secure/i);
            expect(keys.length).toBeGreaterThan(5);
        }
    });
});

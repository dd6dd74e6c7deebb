/**
 * The configuration cases, shared by the tests that run them through the whole program
 * (config.test.ts, semantic.test.ts) and through the loader alone (config-load.test.ts).
 */
import { DEFAULT_CHARTS } from "../components/config/versions";
import { type ConfigOptions, SECRET_TEXTS, type StackName, USER_VALUES } from "./stack-values";

export interface BadCase {
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

export const BAD: BadCase[] = [
    { title: "node count below 1", stack: "dev", set: { nodeCount: 0 }, key: "nodeCount", shown: "0", allowed: "at least 1" },
    { title: "node count not a number", stack: "dev", set: { nodeCount: "three" }, key: "nodeCount", shown: '"three"', allowed: "a number" },
    { title: "fractional node count", stack: "prod", set: { nodeCount: 2.5 }, key: "nodeCount", shown: "2.5", allowed: "a whole number" },
    { title: "unknown region", stack: "dev", set: { region: "mars1" }, key: "region", shown: '"mars1"', allowed: 'one of "ams3"' },
    { title: "malformed node size", stack: "dev", set: { nodeSize: "big" }, key: "nodeSize", shown: '"big"', allowed: "Droplet size slug" },
    { title: '"latest" Kubernetes version', stack: "prod", set: { kubernetesVersionPrefix: "latest" }, key: "kubernetesVersionPrefix", shown: '"latest"', allowed: "minor version prefix" },
    { title: "Kubernetes minor newer than ingress-nginx supports", stack: "dev", set: { kubernetesVersionPrefix: "1.36" }, key: "kubernetesVersionPrefix", shown: '"1.36"', allowed: "a minor every pinned chart supports (newest: 1.35); 1.36 is outside what ingress-nginx 4.15.1 (1.31 to 1.35: https://github.com/kubernetes/ingress-nginx#supported-versions-table) supports. To run it anyway: pulumi config set acceptUnsupportedKubernetesVersion 1.36" },
    { title: "Kubernetes minor older than cert-manager supports", stack: "prod", set: { kubernetesVersionPrefix: "1.30." }, key: "kubernetesVersionPrefix", shown: '"1.30."', allowed: "1.30 is outside what ingress-nginx 4.15.1 (1.31 to 1.35: " },
    { title: "acceptance of another minor than the configured one", stack: "dev", set: { kubernetesVersionPrefix: "1.36", acceptUnsupportedKubernetesVersion: "1.37" }, key: "acceptUnsupportedKubernetesVersion", shown: '"1.37"', allowed: '"1.36" (the minor of kubernetesVersionPrefix) or unset' },
    { title: "boolean given as text", stack: "dev", set: { haControlPlane: "yes" }, key: "haControlPlane", shown: '"yes"', allowed: "true or false" },
    { title: "autoscale min above max", stack: "prod", set: { nodeAutoscale: { minNodes: 5, maxNodes: 3 } }, key: "nodeAutoscale", shown: '{"minNodes":5,"maxNodes":3}', allowed: "minNodes must not be greater than maxNodes" },
    { title: "unknown key in nodeAutoscale", stack: "prod", set: { nodeAutoscale: { minNodes: 3, maxNodes: 5, max: 6 } }, key: "nodeAutoscale.max", shown: "(value not shown)", allowed: "nodeAutoscale takes only minNodes, maxNodes" },
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
    { title: "unknown chart key", stack: "dev", set: { charts: { ...charts, traefik: "1.0.0" } }, key: "charts.traefik", shown: "(value not shown)", allowed: "charts takes only ingressNginx, certManager, metricsServer" },
    { title: "missing chart version", stack: "dev", set: { charts: { ingressNginx: "4.15.1", certManager: "v1.21.1" } }, key: "charts.metricsServer", shown: "(not set)", allowed: "a value (required)" },
    { title: "URL instead of host name", stack: "dev", set: { hostname: "https://app.acme-test.org" }, key: "hostname", shown: '"https://app.acme-test.org"', allowed: "fully qualified lowercase domain name" },
    { title: "missing host name", stack: "prod", unset: ["hostname"], key: "hostname", shown: "(not set)", allowed: "a value (required)" },
    { title: "malformed email", stack: "dev", set: { acmeEmail: "ops-at-acme" }, key: "acmeEmail", shown: '"ops-at-acme"', allowed: "email address" },
    { title: "unknown issuer", stack: "prod", set: { certIssuer: "prod" }, key: "certIssuer", shown: '"prod"', allowed: 'one of "staging", "production"' },
    { title: "no ingress replicas", stack: "dev", set: { ingressReplicas: 0 }, key: "ingressReplicas", shown: "0", allowed: "at least 1" },
    { title: "invalid load balancer name", stack: "dev", set: { loadBalancerName: "My LB" }, key: "loadBalancerName", shown: '"My LB"', allowed: "lowercase letters, digits and -" },
    { title: "load balancer name another stack could use", stack: "dev", set: { loadBalancerName: "shared-lb" }, key: "loadBalancerName", shown: '"shared-lb"', allowed: 'a name starting with "django-doks-dev-": DigitalOcean\'s cloud controller adopts a load balancer that already has the name' },
    { title: "the other stack's load balancer name", stack: "prod", set: { loadBalancerName: "django-doks-dev" }, key: "loadBalancerName", shown: '"django-doks-dev"', allowed: '"django-doks-prod" or a name starting with "django-doks-prod-"' },
    { title: "misspelt key", stack: "dev", set: { nodeCont: 3 }, key: "nodeCont", shown: "(value not shown)", allowed: "not one of the project's keys; did you mean nodeCount?" },
    { title: "misspelt key in an object", stack: "prod", set: { app: { resorces: { requests: { cpu: "1" } } } }, key: "app.resorces", shown: "(value not shown)", allowed: "; did you mean app.resources?" },
    { title: "a single host name where a list belongs", stack: "dev", set: { extraHostnames: "www.acme-test.org" }, key: "extraHostnames", shown: '"www.acme-test.org"', allowed: 'a list: in the stack file, the key, then one indented "- www.acme-test.org" line per item' },
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
    { title: "static content over plain http", stack: "dev", set: { staticContent: { repository: "http://github.com/acme/site.git" } }, key: "staticContent.repository", shown: '"http://github.com/acme/site.git"', allowed: "a public https git URL such as https://github.com/acme/site.git: git over plain http can be altered on the way" },
    { title: "static content over SSH", stack: "prod", set: { staticContent: { repository: "git@github.com:acme/site.git" } }, key: "staticContent.repository", shown: '"git@github.com:acme/site.git"', allowed: "not SSH: the sync pods have no SSH key" },
    { title: "static content URL with credentials", stack: "dev", set: { staticContent: { repository: "https://x-access-token:ghp_0123456789@github.com/acme/site.git" } }, key: "staticContent.repository", shown: "(not shown: it holds credentials)", allowed: "without credentials" },
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
    { title: "misspelt monitoring key", stack: "dev", set: { monitoring: { ...MON, alertEmail: ["x@acme-test.org"] } }, key: "monitoring.alertEmail", shown: "(value not shown)", allowed: "monitoring takes only enabled, alertEmails, slackChannel, uptime, nodes, loadBalancer, database, silenced" },
    { title: "silencing an alert that does not exist", stack: "dev", set: { monitoring: { ...MON, silenced: ["cpu"] } }, key: "monitoring.silenced.0", shown: '"cpu"', allowed: 'one of "down", "latency", "cert-expiry", "node-cpu"' },
    { title: "Slack webhook in plain text", stack: "prod", set: { monitoring: { ...MON, slackChannel: "#ops" } }, secrets: { "monitoring.slackWebhook": SECRET_TEXTS.slackWebhook }, plain: ["monitoring.slackWebhook"], key: "monitoring.slackWebhook", shown: "(set in plain text)", allowed: "pulumi config set --secret --path monitoring.slackWebhook" },
    { title: "Slack webhook that is not a URL", stack: "dev", set: { monitoring: { ...MON, slackChannel: "#ops" } }, secrets: { "monitoring.slackWebhook": "T0/B0/xyz" }, key: "monitoring.slackWebhook", shown: "(secret, not shown)", allowed: "a Slack incoming webhook URL" },
    { title: "Slack webhook without a channel", stack: "dev", secrets: { "monitoring.slackWebhook": SECRET_TEXTS.slackWebhook }, key: "monitoring.slackChannel", shown: "(not set)", allowed: "required with monitoring.slackWebhook" },
    { title: "an ingress controller DOKS does not provide", stack: "dev", set: { ingress: { controller: "traefik" } }, key: "ingress.controller", shown: '"traefik"', allowed: 'one of "nginx", "gateway"' },
    { title: "the Gateway on Kubernetes 1.32", stack: "dev", set: { ingress: { controller: "gateway" }, kubernetesVersionPrefix: "1.32" }, key: "ingress.controller", shown: '"gateway"', allowed: '"nginx", or a kubernetesVersionPrefix of 1.33 or later: DOKS\'s managed Gateway API runs on Kubernetes 1.33 and later (this stack: 1.32)' },
    { title: "the Gateway on a cluster that is not VPC-native", stack: "prod", set: { ingress: { controller: "gateway" } }, unset: ["clusterSubnet", "serviceSubnet"], key: "ingress.controller", shown: '"gateway"', allowed: '"nginx", or clusterSubnet and serviceSubnet set: DOKS\'s managed Gateway API runs only on VPC-native clusters' },
    { title: "the Gateway with PROXY protocol", stack: "dev", set: { ingress: { controller: "gateway" }, ingressProxyProtocol: true }, key: "ingressProxyProtocol", shown: "true", allowed: 'false with ingress.controller "gateway": Cilium reads the PROXY protocol only when switched on for the whole cluster' },
    { title: "keeping ingress-nginx without the Gateway", stack: "prod", set: { ingress: { keepNginx: true } }, key: "ingress.keepNginx", shown: "true", allowed: 'false, or ingress.controller "gateway"' },
    { title: "Slack channel without a webhook", stack: "prod", set: { monitoring: { ...MON, slackChannel: "#ops" } }, key: "monitoring.slackWebhook", shown: "(not set)", allowed: "pulumi config set --secret --path monitoring.slackWebhook" },
];


/**
 * Values that pass the syntax checks but that DigitalOcean, the Kubernetes API server or
 * Let's Encrypt would refuse minutes into `pulumi up`. One row per case: what is set, the key
 * the error names, the value as shown, and what the message says is allowed.
 */
export interface Row extends ConfigOptions {
    stack: StackName;
    key: string;
    shown: string;
    allowed: string;
}

const resources = (requests: { cpu: string; memory: string }, limits: { cpu: string; memory: string }) => ({
    app: { resources: { requests, limits } },
});
const schedule = (s: string) => ({ staticContent: { repository: "https://github.com/acme/site.git", schedule: s } });
const longStack = "a".repeat(44);

export const ROWS: Record<string, Row> = {
    // Kubernetes: requests above limits, with quantity arithmetic
    "CPU request above its limit": { stack: "dev", set: resources({ cpu: "1", memory: "200Mi" }, { cpu: "500m", memory: "512Mi" }), key: "app.resources.requests.cpu", shown: '"1"', allowed: "at most the cpu limit (500m)" },
    "memory request above its limit in other units": { stack: "prod", set: resources({ cpu: "400m", memory: "0.6Gi" }, { cpu: "500m", memory: "600Mi" }), key: "app.resources.requests.memory", shown: '"0.6Gi"', allowed: "at most the memory limit (600Mi)" },
    "memory request in exponent form above its limit": { stack: "dev", set: resources({ cpu: "400m", memory: "6e8" }, { cpu: "500m", memory: "512Mi" }), key: "app.resources.requests.memory", shown: '"6e8"', allowed: "at most the memory limit" },
    "quantity that is not one": { stack: "dev", set: resources({ cpu: "half", memory: "200Mi" }, { cpu: "500m", memory: "512Mi" }), key: "app.resources.requests.cpu", shown: '"half"', allowed: "a CPU quantity" },
    "negative quantity": { stack: "dev", set: resources({ cpu: "400m", memory: "200Mi" }, { cpu: "-1", memory: "512Mi" }), key: "app.resources.limits.cpu", shown: '"-1"', allowed: "a CPU quantity" },
    // Kubernetes: CronJob schedules as the API server parses them
    "minute out of range": { stack: "dev", set: schedule("61 * * * *"), key: "staticContent.schedule", shown: '"61 * * * *"', allowed: "expected range 0-59" },
    "hour out of range": { stack: "prod", set: schedule("0 24 * * *"), key: "staticContent.schedule", shown: '"0 24 * * *"', allowed: "expected range 0-23" },
    "day of month 0": { stack: "dev", set: schedule("0 0 0 * *"), key: "staticContent.schedule", shown: '"0 0 0 * *"', allowed: "expected range 1-31" },
    "month 13": { stack: "dev", set: schedule("0 0 1 13 *"), key: "staticContent.schedule", shown: '"0 0 1 13 *"', allowed: "expected range 1-12" },
    "day of week 7": { stack: "dev", set: schedule("0 0 * * 7"), key: "staticContent.schedule", shown: '"0 0 * * 7"', allowed: "a day of week from 0 to 6" },
    "reversed range": { stack: "dev", set: schedule("30-10 * * * *"), key: "staticContent.schedule", shown: '"30-10 * * * *"', allowed: "Invalid range" },
    "step of zero": { stack: "dev", set: schedule("*/0 * * * *"), key: "staticContent.schedule", shown: '"*/0 * * * *"', allowed: "cannot repeat at every 0" },
    "seconds field": { stack: "dev", set: schedule("0 */15 * * * *"), key: "staticContent.schedule", shown: '"0 */15 * * * *"', allowed: "exactly 5 cron fields" },
    "Quartz L": { stack: "dev", set: schedule("0 0 L * *"), key: "staticContent.schedule", shown: '"0 0 L * *"', allowed: 'day of month field: "L"' },
    "time zone in the schedule": { stack: "prod", set: schedule("CRON_TZ=UTC 0 3 * * *"), key: "staticContent.schedule", shown: '"CRON_TZ=UTC 0 3 * * *"', allowed: "without TZ= or CRON_TZ=" },
    "unknown descriptor": { stack: "dev", set: schedule("@reboot"), key: "staticContent.schedule", shown: '"@reboot"', allowed: "@hourly" },
    // Ports
    "resolver port above 65535": { stack: "dev", set: { dns: { resolvers: ["10.0.0.2:70000"] } }, key: "dns.resolvers.0", shown: '"10.0.0.2:70000"', allowed: "a port from 1 to 65535" },
    "resolver port 0": { stack: "prod", set: { dns: { resolvers: ["10.0.0.2:0"] } }, key: "dns.resolvers.0", shown: '"10.0.0.2:0"', allowed: "a port from 1 to 65535" },
    "route port above 65535": { stack: "dev", set: { app: { routes: [{ path: "/", service: "app" }, { path: "/api", service: "api", port: 70000 }] } }, key: "app.routes.1.port", shown: "70000", allowed: "at most 65535" },
    // Names and labels after the project's prefixes
    "stack name too long for the DigitalOcean names": { stack: "dev", stackName: longStack, key: "stack name", shown: `"${longStack}"`, allowed: `django-doks-${longStack}-default would have 64 characters, at most 63` },
    "stack name not a label value": { stack: "dev", stackName: "dev.", key: "stack name", shown: '"dev."', allowed: "app.kubernetes.io/instance: letters, digits" },
    "stack name longer than a label": { stack: "prod", stackName: "p".repeat(64), key: "stack name", shown: `"${"p".repeat(64)}"`, allowed: "at most 63 characters (it is 64)" },
    "pool name longer than DigitalOcean allows": { stack: "dev", set: { dbName: "d".repeat(56) }, key: "dbName", shown: `"${"d".repeat(56)}"`, allowed: "at most 55 characters: the connection pool is named <dbName>-pool" },
    // DigitalOcean: sizes, connection limits, names it creates or reserves
    "1 GB node size": { stack: "dev", set: { nodeSize: "s-1vcpu-1gb" }, key: "nodeSize", shown: '"s-1vcpu-1gb"', allowed: "a Droplet size DOKS offers for nodes" },
    "512 MB node size": { stack: "prod", set: { nodeSize: "s-1vcpu-512mb-10gb" }, key: "nodeSize", shown: '"s-1vcpu-512mb-10gb"', allowed: "at least 2 GB of RAM" },
    "pool above the 1 GiB plan's connections": { stack: "dev", set: { dbPoolSize: 23 }, key: "dbPoolSize", shown: "23", allowed: 'at most 22: dbSize "db-s-1vcpu-1gb" allows 22' },
    "pool above the 2 GiB plan's connections": { stack: "prod", set: { dbPoolSize: 48 }, key: "dbPoolSize", shown: "48", allowed: "at most 47" },
    "database DigitalOcean creates": { stack: "dev", set: { dbName: "defaultdb" }, key: "dbName", shown: '"defaultdb"', allowed: "every cluster already has them" },
    "database PostgreSQL creates": { stack: "prod", set: { dbName: "postgres" }, key: "dbName", shown: '"postgres"', allowed: "a database other than defaultdb, postgres" },
    "user with PostgreSQL's reserved prefix": { stack: "dev", set: { dbUser: "pg_app" }, key: "dbUser", shown: '"pg_app"', allowed: 'does not start with "pg_"' },
    "DigitalOcean's admin user": { stack: "prod", set: { dbUser: "doadmin" }, key: "dbUser", shown: '"doadmin"', allowed: 'admin "doadmin" that DigitalOcean creates' },
    "user without room for the web role's suffix": { stack: "dev", set: { dbUser: "u".repeat(60) }, key: "dbUser", shown: `"${"u".repeat(60)}"`, allowed: "the web pods' role is named <dbUser>_web" },
    // DigitalOcean: a VPC range that collides with the cluster's networks or what DigitalOcean reserves
    "VPC range over the stack's pod network": { stack: "dev", set: { vpcIpRange: "172.25.0.0/20" }, key: "clusterSubnet", shown: '"172.25.0.0/16"', allowed: "a range that does not overlap vpcIpRange (172.25.0.0/20)" },
    "VPC range over the stack's service network": { stack: "prod", set: { vpcIpRange: "172.30.0.0/20" }, key: "serviceSubnet", shown: '"172.30.0.0/19"', allowed: "a range that does not overlap vpcIpRange (172.30.0.0/20)" },
    "VPC range over DOKS's default pod network": { stack: "dev", unset: ["clusterSubnet", "serviceSubnet"], set: { vpcIpRange: "10.244.0.0/20" }, key: "vpcIpRange", shown: '"10.244.0.0/20"', allowed: "outside what DigitalOcean reserves in fra1 (10.244.0.0/16)" },
    "VPC range over DOKS's default service network": { stack: "prod", unset: ["clusterSubnet", "serviceSubnet"], set: { vpcIpRange: "10.245.16.0/20" }, key: "vpcIpRange", shown: '"10.245.16.0/20"', allowed: "(10.245.0.0/16)" },
    "VPC range over the region's reserved range": { stack: "dev", set: { vpcIpRange: "10.19.0.0/20" }, key: "vpcIpRange", shown: '"10.19.0.0/20"', allowed: "outside what DigitalOcean reserves in fra1 (10.19.0.0/16)" },
    // Let's Encrypt: contact addresses it refuses
    "contact at example.com": { stack: "dev", set: { acmeEmail: "ops@example.com" }, key: "acmeEmail", shown: '"ops@example.com"', allowed: "it refuses @example.com" },
    "contact at example.org": { stack: "prod", set: { acmeEmail: "admin@EXAMPLE.org" }, key: "acmeEmail", shown: '"admin@EXAMPLE.org"', allowed: "it refuses @example.org" },
    "contact on a reserved TLD": { stack: "dev", set: { acmeEmail: "ops@acme.test" }, key: "acmeEmail", shown: '"ops@acme.test"', allowed: "does not end in a public top-level domain" },
    "contact at a public suffix": { stack: "dev", set: { acmeEmail: "ops@co.uk" }, key: "acmeEmail", shown: '"ops@co.uk"', allowed: "co.uk is a public suffix" },
    // The stack's keys: a namespace nobody reads, a secret in plain text
    "typo of the project name": { stack: "dev", raw: { "django-dosk:nodeCount": "4" }, key: "django-dosk:nodeCount", shown: "(value not shown)", allowed: "did you mean django-doks:nodeCount?" },
    "typo of a provider's namespace": { stack: "dev", raw: { "digitaloean:token": SECRET_TEXTS.doToken }, key: "digitaloean:token", shown: "(value not shown)", allowed: "did you mean digitalocean:token?" },
    "namespace of a provider the stack does not use": { stack: "prod", raw: { "aws:region": "us-east-1" }, key: "aws:region", shown: "(value not shown)", allowed: "a namespace the stack reads (django-doks, digitalocean" },
    "DigitalOcean token in plain text": { stack: "dev", plainToken: true, key: "digitalocean:token", shown: "(set in plain text)", allowed: "pulumi config set --secret digitalocean:token" },
};

/** Values just inside the rules of ROWS: they pass. */
export const JUST_INSIDE: [string, ConfigOptions & { stack: StackName }][] = [
        ["request equal to its limit in other units", { stack: "dev", set: resources({ cpu: "0.5", memory: "0.5Gi" }, { cpu: "500m", memory: "512Mi" }) }],
        ["robfig descriptors and names", { stack: "dev", set: schedule("@midnight") }],
        ["day and month names, ranges and steps", { stack: "prod", set: schedule("0-30/10 3 ? JAN-MAR mon-fri") }],
        ["pool at the plan's limit", { stack: "dev", set: { dbPoolSize: 22 } }],
        ["the longest stack name", { stack: "dev", stackName: "a".repeat(43) }],
        ["a pool name of exactly 60", { stack: "dev", set: { dbName: "d".repeat(55) } }],
        ["a 2 GB node size", { stack: "dev", set: { nodeSize: "s-1vcpu-2gb" } }],
        ["a load balancer name after the stack's", { stack: "prod", set: { loadBalancerName: "django-doks-prod-edge" } }],
        ["the longest user name", { stack: "dev", set: { dbUser: "u".repeat(59) } }],
        ["CPU and memory as numbers", { stack: "prod", set: { app: { resources: { requests: { cpu: 0.25, memory: 268435456 }, limits: { cpu: 1, memory: "512Mi" } } } } }],
        ["requests alone, over the default limits", { stack: "dev", set: { app: { resources: { requests: { cpu: "300m" } } } } }],
        ["the Gateway on a minor ingress-nginx does not support", { stack: "dev", set: { ingress: { controller: "gateway" }, kubernetesVersionPrefix: "1.36" } }],
        ["the Gateway beside ingress-nginx", { stack: "prod", set: { ingress: { controller: "gateway", keepNginx: true } } }],
        ["provider namespaces", { stack: "dev", raw: { "kubernetes:enableServerSideApply": "true", "pulumi:disable-default-providers": '["*"]' } }],
];

/**
 * Values at the edges of each key's rule, through parseConfig alone: just inside is accepted,
 * just outside (a bound plus one, junk before or after a pattern) is refused with the key's
 * own message. One row per value: [key, value, stack, null or what the message says is allowed].
 */
import { ConfigError } from "../components/config/errors";
import { parseConfig } from "../components/config/parse";
import { DEFAULT_CHARTS } from "../components/config/versions";
import { PROJECT, StackName, userConfig, withLeaf } from "./stack-values";

/** [key, value, stack, null or what is allowed, and for an array entry the parent value holding it]. */
type Row = [key: string, value: unknown, stack: StackName, allowed: string | null, set?: Record<string, unknown>];

const resolver = (r: string) => ({ "dns.resolvers": [r] });
const chart = (over: Partial<Record<keyof typeof DEFAULT_CHARTS, string>>) => ({ charts: { ...DEFAULT_CHARTS, ...over } });
const secondRoute = (over: object) => ({ "app.routes": [{ path: "/", service: "app" }, { path: "/api", service: "api", port: 8000, ...over }] });

/** The stack's values with `set` on top; a dotted key sets a leaf of an object key, undefined removes it. */
function valuesWith(stack: StackName, set: Record<string, unknown>): Record<string, string> {
    const values = userConfig(stack);
    for (const [key, value] of Object.entries(set)) {
        const [root, ...leaf] = key.split(".");
        if (leaf.length > 0) values[root] = withLeaf(values[root], leaf, value);
        else if (value === undefined) delete values[root];
        else values[root] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return values;
}

function problems(stack: StackName, set: Record<string, unknown>): string[] {
    try {
        parseConfig(PROJECT, stack, valuesWith(stack, set));
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.message.split("\n").filter((l) => l.startsWith("  - "));
    }
}

const IMAGE_FORMAT = 'an image with a tag or digest, e.g. "registry.digitalocean.com/acme/app:1.4.2" or "...@sha256:<64 hex>"';
const RESERVED = "DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, PORT, GUNICORN_WORKERS";
const FOLDER = 'a folder inside the repository such as "app/static-site" ("" for its root)';
/** A host name of 253 characters, the most DNS allows. */
const HOST_253 = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(57)}.org`;
const VPC_CIDR = "a private IPv4 CIDR between /16 and /28, e.g. 10.20.0.0/16";
const RESOLVER = 'an IPv4 address, optionally with a port: "1.1.1.1" or "10.0.0.2:53"';

const ROWS: Row[] = [
    // app
    ["app.image", "registry.digitalocean.com/acme/app:1.4.2", "dev", null],
    ["app.image", " registry.digitalocean.com/acme/app:1.4.2", "dev", IMAGE_FORMAT],
    ["app.image", "registry.digitalocean.com/acme/app:1.4.2 ", "dev", IMAGE_FORMAT],
    ["app.image", "acme/app:latest", "dev", 'a pinned tag or digest, not "latest"'],
    ["app.image", "registry.local:5000/team/my-app_web.v2:1.4.2-rc.1", "dev", null],
    ["app.image", "registry.local:5000/ab/cd:1", "dev", null],
    ["app.image", `acme/app:${"t".repeat(128)}`, "dev", null],
    ["app.image", `acme/app:${"t".repeat(129)}`, "dev", IMAGE_FORMAT],
    ["app.image", `acme/app@sha256:${"a".repeat(64)}`, "dev", null],
    ["app.image", "acme/app:-1", "dev", IMAGE_FORMAT],
    ["app.resources.requests.memory", "128 Mi", "dev", 'a memory quantity such as "512Mi"', { "app.resources": { requests: { cpu: "100m", memory: "128 Mi" }, limits: { cpu: "500m", memory: "512Mi" } } }],
    ["app.maxReplicas", 100, "dev", null],
    ["app.maxReplicas", 101, "dev", "at most 100"],
    ["app.minReplicas", 51, "dev", "at most 50"],
    ["app.cpuUtilization", 100, "dev", null],
    ["app.cpuUtilization", 101, "dev", "at most 100"],
    ["app.memoryUtilization", 100, "dev", null],
    ["app.memoryUtilization", 101, "dev", "at most 100"],
    ["app.gunicornWorkers", 32, "dev", null],
    ["app.gunicornWorkers", 33, "dev", "at most 32"],
    ["app.egress", "open", "dev", null],
    ["app.egress", "closed", "dev", 'one of "restricted", "open"'],
    ["app.probes", { liveness: "/healthz/live", readiness: "/readyz", startup: "/healthz" }, "dev", null],
    ["app.probes.liveness", "healthz", "dev", 'a path such as "/healthz"'],
    ["app.probes.readiness", "/ready z", "dev", 'a path such as "/readyz"'],
    ["app.probes.startup", "x/healthz", "dev", 'a path such as "/healthz"'],
    ["app.env.DEBUG_SQL", "1", "dev", null],
    ["app.env.1A", "x", "dev", "an environment variable name"],
    ["app.env.A-", "x", "dev", "an environment variable name"],
    ...RESERVED.split(", ").map((name): Row => [`app.env.${name}`, "x", "dev", `a variable other than ${RESERVED}: the stack sets those itself`]),
    ["app.routes.1.path", "api", "dev", 'a path starting with "/"', secondRoute({ path: "api" })],
    ["app.routes.1.service", "api-", "dev", '"app", "static" or a Service name in the app namespace', secondRoute({ service: "api-" })],
    ["app.routes.1.port", 70000, "dev", "at most 65535", secondRoute({ port: 70000 })],
    // cluster
    ["nodeSize", " s-2vcpu-4gb", "dev", 'a DigitalOcean Droplet size slug such as "s-2vcpu-4gb"'],
    ["nodeSize", "s-2vcpu-4gb ", "dev", 'a DigitalOcean Droplet size slug such as "s-2vcpu-4gb"'],
    ["nodeSize", "s-4vcpu-8gb", "prod", null],
    ["nodeSize", "gd-2vcpu-8gb", "prod", null],
    ["vpcIpRange", "172.31.0.0/20", "dev", null],
    ["vpcIpRange", "192.168.100.0/24", "dev", null],
    ["vpcIpRange", "10.100.200.0/24", "dev", null],
    ["vpcIpRange", "172.32.0.0/20", "dev", VPC_CIDR],
    ["vpcIpRange", "172.15.0.0/20", "dev", VPC_CIDR],
    ["nodeCount", 513, "dev", "at most 512"],
    ["vpcIpRange", "x172.24.0.0/20", "dev", VPC_CIDR],
    ["vpcIpRange", "172.24.0.0/20x", "dev", VPC_CIDR],
    ["kubernetesVersionPrefix", "v1.35", "dev", 'a minor version prefix such as "1.36" or "1.36."'],
    ["kubernetesVersionPrefix", "1.35.0", "dev", 'a minor version prefix such as "1.36" or "1.36."'],
    ["acceptUnsupportedKubernetesVersion", "v1.35", "dev", 'the minor of kubernetesVersionPrefix, such as "1.36"'],
    ["acceptUnsupportedKubernetesVersion", "1.35.", "dev", 'the minor of kubernetesVersionPrefix, such as "1.36"'],
    ["maintenanceWindow", { day: "any", startTime: "23:59" }, "dev", null],
    ["maintenanceWindow.startTime", "004:00", "dev", 'a UTC time as HH:MM, e.g. "04:00"'],
    ["maintenanceWindow.startTime", "04:00Z", "dev", 'a UTC time as HH:MM, e.g. "04:00"'],
    // nodeCount at and outside prod's autoscale bounds (3..5)
    ["nodeCount", 3, "prod", null],
    ["nodeCount", 5, "prod", null],
    ["nodeCount", 2, "prod", "a node count within nodeAutoscale (3..5)"],
    ["nodeCount", 6, "prod", "a node count within nodeAutoscale (3..5)"],
    // database
    ["dbSize", " db-s-1vcpu-1gb", "dev", 'a DigitalOcean database size slug such as "db-s-1vcpu-1gb"'],
    ["dbSize", "db-s-1vcpu-1gb ", "dev", 'a DigitalOcean database size slug such as "db-s-1vcpu-1gb"'],
    ["dbSize", "db-s", "dev", 'a DigitalOcean database size slug such as "db-s-1vcpu-1gb"'],
    ["dbUser", "app user", "dev", "a PostgreSQL identifier: lowercase letters, digits, _"],
    ["dbName", "app;", "dev", "a PostgreSQL identifier: lowercase letters, digits, _"],
    // dns
    ["dns.resolvers", ["10.0.0.2:53", "1.1.1.1"], "dev", null],
    ["dns.resolvers.0", "x10.0.0.2", "dev", RESOLVER, resolver("x10.0.0.2")],
    ["dns.resolvers.0", "10.0.0.256", "dev", RESOLVER, resolver("10.0.0.256")],
    ["dns.resolvers.0", "10.0.0.2:", "dev", RESOLVER, resolver("10.0.0.2:")],
    ["dns.resolvers.0", "10.0.0.2:65535", "dev", null, resolver("10.0.0.2:65535")],
    ["dns.resolvers.0", "10.0.0.2:65536", "dev", "a port from 1 to 65535", resolver("10.0.0.2:65536")],
    ["dns.timeoutSeconds", 3600, "dev", null],
    ["dns.timeoutSeconds", 3601, "dev", "at most 3600"],
    ["dns.onDestroy", "keep", "dev", null],
    ["dns.onDestroy", "delete", "dev", 'one of "park", "keep"'],
    ["dns.ddnsUrl", "ftp://dynamicdns.park-your-domain.com", "dev", "an http(s) URL"],
    ["dns.ddnsUrl", "http://127.0.0.1:8080", "dev", null],
    ["dns.ddnsUrl", "xhttp://127.0.0.1", "dev", "an http(s) URL"],
    ["dns.ddnsUrl", "httpsx://127.0.0.1", "dev", "an http(s) URL"],
    ["dns.resolvers", ["255.249.199.9", "10.0.0.255", "10.0.0.249", "10.0.0.199", "10.0.0.99", "10.0.0.2:1"], "dev", null],
    ["dns.resolvers.0", "256.0.0.1", "dev", RESOLVER, resolver("256.0.0.1")],
    ["dns.resolvers.0", "10.0.0.2:0", "dev", "a port from 1 to 65535", resolver("10.0.0.2:0")],
    // platform
    ["charts.ingressNginx", "10.0.0", "dev", null, chart({ ingressNginx: "10.0.0" })],
    ["charts.certManager", "v1.21.10-rc.1", "dev", null, chart({ certManager: "v1.21.10-rc.1" })],
    ["charts.metricsServer", "3.13.1-a", "dev", null, chart({ metricsServer: "3.13.1-a" })],
    ["charts.metricsServer", "3.13.1 ", "dev", 'a pinned metrics-server chart version such as "1.2.3" (no ranges, no "latest")', chart({ metricsServer: "3.13.1 " })],
    ["charts.ingressNginx", "4.15.1-rc 1", "dev", 'a pinned ingress-nginx chart version such as "1.2.3" (no ranges, no "latest")', chart({ ingressNginx: "4.15.1-rc 1" })],
    ["acmeEmail", "ops.acme-test.org", "dev", "an email address for Let's Encrypt expiry notices"],
    ["loadBalancerName", "django-doks-dev-a", "dev", null],
    ["loadBalancerName", "django-doks-dev", "dev", null],
    ["loadBalancerName", "django-doks-deva", "dev", `"django-doks-dev" or a name starting with "django-doks-dev-": DigitalOcean's cloud controller adopts a load balancer that already has the name, so a name another stack could use would put both behind one load balancer`],
    ["loadBalancerName", "a-django-doks-dev", "dev", `"django-doks-dev" or a name starting with "django-doks-dev-": DigitalOcean's cloud controller adopts a load balancer that already has the name, so a name another stack could use would put both behind one load balancer`],
    ["dbUser", "u".repeat(59), "dev", null],
    ["dbUser", "u".repeat(60), "dev", "at most 59 characters: the web pods' role is named <dbUser>_web, and PostgreSQL names have at most 63"],
    ["hostname", "a.acme-test.org", "dev", null],
    ["hostname", "app.acme-test.io", "dev", null],
    ["hostname", HOST_253, "dev", null],
    ["hostname", `a${HOST_253}`, "dev", "a fully qualified lowercase domain name such as app.example.org"],
    // the values' types, and keys inside objects
    ["staticContent.branch", 5, "dev", "a string"],
    ["app.probes", 5, "dev", "an object"],
    // monitoring
    ["monitoring.slackChannel", "x#ops", "dev", 'a Slack channel name such as "#ops-alerts"'],
    ["monitoring.uptime.regions", [], "dev", "at least 1"],
    ["monitoring.uptime.latencyMs", 30000, "dev", null],
    ["monitoring.uptime.latencyMs", 30001, "dev", "at most 30000"],
    ["monitoring.uptime.path", "readyz", "dev", 'a path such as "/readyz"'],
    ["monitoring.loadBalancer.responseTimeSeconds", 60, "dev", null],
    ["monitoring.loadBalancer.responseTimeSeconds", 61, "dev", "at most 60"],
    ["monitoring.loadBalancer.unhealthyBackends", 100, "dev", null],
    ["monitoring.loadBalancer.unhealthyBackends", 101, "dev", "at most 100"],
    // static content
    ["staticContent.repository", "git+https://github.com/acme/site.git", "dev", "a public https git URL such as https://github.com/acme/site.git"],
    ["staticContent.repository", "httpss://github.com/acme/site.git", "dev", "a public https git URL such as https://github.com/acme/site.git"],
    ["staticContent.branch", "v1", "dev", null],
    ["staticContent.branch", " main", "dev", "a git branch or tag name"],
    ["staticContent.branch", "main ", "dev", "a git branch or tag name"],
    ["staticContent.path", "a/b/c", "dev", null],
    ["staticContent.path", "", "dev", null],
    ["staticContent.path", "/app", "dev", FOLDER],
    ["staticContent.path", "app/", "dev", FOLDER],
    ["staticContent.path", "a/b c", "dev", FOLDER],
    ["staticContent.size", "1000Gi", "dev", null],
    ["staticContent.size", "10000Gi", "dev", 'a volume size in Gi such as "1Gi"'],
    ["staticContent.size", "0Gi", "dev", 'a volume size in Gi such as "1Gi"'],
    ["staticContent.size", " 1Gi", "dev", 'a volume size in Gi such as "1Gi"'],
    ["staticContent.size", "1Gix", "dev", 'a volume size in Gi such as "1Gi"'],
];

describe("each key at the edges of its rule", () => {
    test.each(ROWS)("%s = %j (%s)", (key, value, stack, allowed, set = { [key]: value }) => {
        const found = problems(stack, set);
        if (allowed === null) {
            expect(found).toEqual([]);
            return;
        }
        expect(found.filter((l) => l.startsWith(`  - ${PROJECT}:${key} = `))).toEqual([`  - ${PROJECT}:${key} = ${JSON.stringify(value)}: expected ${allowed}`]);
    });
});

describe("cross-field rules at their edges", () => {
    test.each<[string, StackName, Record<string, unknown>, string | null]>([
        ["minReplicas equal to maxReplicas", "dev", { "app.minReplicas": 3, "app.maxReplicas": 3 }, null],
        ["minReplicas above maxReplicas", "dev", { "app.minReplicas": 4, "app.maxReplicas": 3 }, "app.maxReplicas = 3: expected at least app.minReplicas (4)"],
        ["minNodes equal to maxNodes", "prod", { nodeAutoscale: { minNodes: 3, maxNodes: 3 } }, null],
        ["a route to another Service without a port", "dev", { "app.routes": [{ path: "/", service: "app" }, { path: "/api", service: "api" }] }, 'app.routes.1.port = (not set): expected a port for Service "api" (only "app" and "static" have a known port)'],
        ["a route to another Service with a port", "dev", { "app.routes": [{ path: "/", service: "app" }, { path: "/api", service: "api", port: 8000 }] }, null],
        ["routes to static without a port", "dev", { "app.routes": [{ path: "/", service: "app" }, { path: "/s", service: "static" }, { path: "/t", service: "static" }] }, null],
        ["two routes with one path", "dev", { "app.routes": [{ path: "/", service: "app" }, { path: "/", service: "static" }] }, 'app.routes.1.path = "/": expected a path no other route uses'],
        ["no migrate command", "dev", { "app.migrateCommand": [] }, "app.migrateCommand = []: expected at least 1"],
        ["a migrate command with an empty word", "dev", { "app.migrateCommand": ["python", ""] }, 'app.migrateCommand.1 = "": expected at least 1'],
        ["a migrate command of one-letter words", "dev", { "app.migrateCommand": ["sh", "-c", "m"] }, null],
        ["a serviceSubnet without a clusterSubnet", "dev", { clusterSubnet: undefined }, "clusterSubnet = (not set): expected a value (required with serviceSubnet: DigitalOcean needs both clusterSubnet and serviceSubnet for a VPC-native cluster)"],
        ["a cluster subnet just big enough", "dev", { clusterSubnet: "172.25.0.0/20", nodeCount: 32 }, null],
        ["a cluster subnet one node short", "dev", { clusterSubnet: "172.25.0.0/20", nodeCount: 33 }, "clusterSubnet = \"172.25.0.0/20\": expected a network with room for 33 nodes (a /25 each): this one holds 32"],
        ["a VPC range DigitalOcean reserves", "dev", { vpcIpRange: "10.244.0.0/20", clusterSubnet: undefined, serviceSubnet: undefined }, 'vpcIpRange = "10.244.0.0/20": expected a range outside what DigitalOcean reserves in fra1'],
        ["dns.domain that is a host, not the registered domain", "dev", { "dns.domain": "app.acme-test.org" }, 'dns.domain = "app.acme-test.org": expected the domain registered at Namecheap, e.g. acme-test.org'],
        ["a host outside dns.domain", "dev", { "dns.domain": "acme-test.org", extraHostnames: ["www.elsewhere.org"] }, 'a domain that contains every host name (www.elsewhere.org is outside it); use dns.provider "none" for hosts elsewhere'],
        ["the domain itself among the host names", "dev", { "dns.domain": "acme-test.org", extraHostnames: ["acme-test.org", "www.acme-test.org"] }, null],
        ["a host name that is a public suffix has no Namecheap domain", "dev", { hostname: "co.uk" }, "dns.domain = (not set): expected the domain registered at Namecheap, e.g. example.org"],
        ["a minor no chart supports, accepted by name", "dev", { kubernetesVersionPrefix: "1.37.", acceptUnsupportedKubernetesVersion: "1.37" }, null],
        ["a cluster subnet over two reserved ranges", "dev", { clusterSubnet: "10.244.0.0/15" }, 'clusterSubnet = "10.244.0.0/15": expected a range outside what DigitalOcean reserves in fra1 (10.244.0.0/16, 10.245.0.0/16)'],
        ["a node count above autoscale bounds that are equal", "prod", { nodeAutoscale: { minNodes: 3, maxNodes: 3 }, nodeCount: 4 }, "nodeCount = 4: expected a node count within nodeAutoscale (3..3)"],
        ["a Kubernetes minor of two-digit major, accepted by name", "dev", { kubernetesVersionPrefix: "10.1", acceptUnsupportedKubernetesVersion: "10.1" }, null],
        ["dns.provider none skips the Namecheap-only rules", "dev", { "dns.provider": "none", "dns.domain": "app.acme-test.org", extraHostnames: ["www.elsewhere.org"] }, null],
    ])("%s", (_title, stack, set, expected) => {
        const found = problems(stack, set);
        expect(found.length).toBeLessThanOrEqual(1);
        if (expected === null) expect(found).toEqual([]);
        else expect(found.join("\n")).toContain(expected.includes(" = ") ? `${PROJECT}:${expected}` : expected);
    });
});

test("a minor outside every chart's range names each chart, with its range", () => {
    expect(problems("dev", { kubernetesVersionPrefix: "1.30" })).toEqual([
        `  - ${PROJECT}:kubernetesVersionPrefix = "1.30": expected a minor every pinned chart supports (newest: 1.35); 1.30 is outside what ` +
            "ingress-nginx 4.15.1 (1.31 to 1.35: https://github.com/kubernetes/ingress-nginx#supported-versions-table) and " +
            "cert-manager v1.21.1 (1.33 to 1.36: https://cert-manager.io/docs/releases/) and " +
            "metrics-server 3.13.1 (1.31 to newer: https://github.com/kubernetes-sigs/metrics-server#compatibility-matrix) supports. " +
            "To run it anyway: pulumi config set acceptUnsupportedKubernetesVersion 1.30",
    ]);
});

test("a malformed version prefix has its own problem only, whatever acceptUnsupportedKubernetesVersion says", () => {
    expect(problems("dev", { kubernetesVersionPrefix: "v1.35", acceptUnsupportedKubernetesVersion: "1.35" })).toEqual([
        `  - ${PROJECT}:kubernetesVersionPrefix = "v1.35": expected a minor version prefix such as "1.36" or "1.36."`,
    ]);
});

test("subnets without a VPC range: each missing key is named", () => {
    expect(problems("dev", { vpcIpRange: undefined, clusterSubnet: undefined })).toEqual([
        `  - ${PROJECT}:clusterSubnet = (not set): expected a value (required with serviceSubnet: DigitalOcean needs both clusterSubnet and serviceSubnet for a VPC-native cluster)`,
        `  - ${PROJECT}:vpcIpRange = (not set): expected a value (required with clusterSubnet and serviceSubnet: a range DigitalOcean picks cannot be checked against them)`,
    ]);
});

test("autoscale bounds the wrong way round are one problem, not also the node count's", () => {
    const found = problems("prod", { nodeAutoscale: { minNodes: 5, maxNodes: 3 }, nodeCount: 4 });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^  - ${PROJECT}:nodeAutoscale`));
});

import program from "../index";
import { ConfigError } from "../components/config";
import { helmReleaseNameProblem, parseQuantity, requestAboveLimit } from "../components/config/rules";
import { CERT_MANAGER, INGRESS_CONTROLLER, METRICS_SERVER } from "../components/platform";
import { evaluate, evaluateFailure, EvaluateOptions, PROJECT, programResources, StackName } from "./harness";

/**
 * Values that pass the syntax checks but that DigitalOcean, the Kubernetes API server or
 * Let's Encrypt would refuse minutes into `pulumi up`. One row per case: what is set, the key
 * the error names, the value as shown, and what the message says is allowed.
 */
interface Row extends EvaluateOptions {
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

const ROWS: Record<string, Row> = {
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
    "typo of the project name": { stack: "dev", raw: { "django-dosk:nodeCount": "4" }, key: "django-dosk:nodeCount", shown: '"4"', allowed: "did you mean django-doks:nodeCount?" },
    "namespace of a provider the stack does not use": { stack: "prod", raw: { "aws:region": "us-east-1" }, key: "aws:region", shown: '"us-east-1"', allowed: "a namespace the stack reads (django-doks, digitalocean" },
    "DigitalOcean token in plain text": { stack: "dev", plainToken: true, key: "digitalocean:token", shown: "(set in plain text)", allowed: "pulumi config set --secret digitalocean:token" },
};

describe("values the cloud would refuse are config errors before anything is created", () => {
    test.each(Object.entries(ROWS))("%s", async (_title, row) => {
        const { error, evaluation } = await evaluateFailure(program, row.stack, row);
        expect(error).toBeInstanceOf(ConfigError);
        const key = row.key.includes(":") || row.key === "stack name" ? row.key : `${PROJECT}:${row.key}`;
        const line = error.message.split("\n").find((l) => l.startsWith(`  - ${key} = `));
        expect(line).toBe(line && `  - ${key} = ${row.shown}: expected ${line.split(": expected ")[1]}`);
        expect(line).toContain(row.allowed);
        expect(programResources(evaluation)).toEqual([]);
        expect(evaluation.invokes).toEqual([]);
    });

});

describe("values just inside the same rules pass", () => {
    test.each<[string, EvaluateOptions & { stack: StackName }]>([
        ["request equal to its limit in other units", { stack: "dev", set: resources({ cpu: "0.5", memory: "0.5Gi" }, { cpu: "500m", memory: "512Mi" }) }],
        ["robfig descriptors and names", { stack: "dev", set: schedule("@midnight") }],
        ["day and month names, ranges and steps", { stack: "prod", set: schedule("0-30/10 3 ? JAN-MAR mon-fri") }],
        ["pool at the plan's limit", { stack: "dev", set: { dbPoolSize: 22 } }],
        ["the longest stack name", { stack: "dev", stackName: "a".repeat(43) }],
        ["a pool name of exactly 60", { stack: "dev", set: { dbName: "d".repeat(55) } }],
        ["a 2 GB node size", { stack: "dev", set: { nodeSize: "s-1vcpu-2gb" } }],
        ["provider namespaces", { stack: "dev", raw: { "kubernetes:enableServerSideApply": "true", "pulumi:disable-default-providers": '["*"]' } }],
    ])("%s", async (_title, o) => {
        await expect(evaluate(program, o.stack, o)).resolves.toBeDefined();
    });
});

describe("quantities", () => {
    test.each([
        ["500m", "0.5", 0],
        ["1Gi", "1073741824", 0],
        ["1G", "1Gi", -1],
        ["1.5Gi", "1536Mi", 0],
        ["1e3", "1k", 0],
        ["100u", "1m", -1],
        [".5", "500m", 0],
    ])("%s against %s", (a, b, sign) => {
        expect(requestAboveLimit(a, b)).toBe(sign > 0);
        expect(requestAboveLimit(b, a)).toBe(sign < 0);
    });

    test.each(["", "1.2.3", "5 cores", "1KiB", "-1", "1Ki2", "e3"])("%j is not a quantity", (q) => {
        expect(parseQuantity(q)).toBeUndefined();
    });
});

test("the Helm release names are ones Helm accepts", () => {
    for (const spec of [INGRESS_CONTROLLER, CERT_MANAGER, METRICS_SERVER]) expect(helmReleaseNameProblem(spec.release)).toBeUndefined();
    expect(helmReleaseNameProblem("r".repeat(54))).toBe("at most 53 characters");
});

import * as fs from "fs";
import * as path from "path";
import program from "../index";
import { ALERT_NAMES, ALERT_WINDOWS, UPTIME_PERIODS, UPTIME_REGIONS } from "../components/config";
import {
    MONITOR_ALERT_TYPES,
    MonitoringSettings,
    nodeTag,
    resourceAlertSpecs,
    UPTIME_ALERT_TYPES,
    uptimeAlertSpecs,
    uptimePath,
} from "../components/monitoring";
import {
    evaluate,
    Evaluation,
    LB_ID,
    ofType,
    one,
    plainTextSecrets,
    programResources,
    readsOf,
    Registered,
    resolve,
    ROOT,
    SECRET_TEXTS,
    secretInput,
    StackName,
    unwrapSecrets,
    USER_VALUES,
} from "./harness";

const T = {
    check: "digitalocean:index/uptimeCheck:UptimeCheck",
    uptimeAlert: "digitalocean:index/uptimeAlert:UptimeAlert",
    monitorAlert: "digitalocean:index/monitorAlert:MonitorAlert",
    release: "kubernetes:helm.sh/v3:Release",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    getLb: "digitalocean:index/getLoadBalancer:getLoadBalancer",
};
const MONITORING_TYPES = [T.check, T.uptimeAlert, T.monitorAlert];
const EMAILS = ["ops@acme-test.org"];
/** The DatabaseCluster and KubernetesCluster ids the mocks hand out ("<resource name>-id"). */
const DB_ID = "database-id";
const CLUSTER_ID = "cluster-id";

/** Settings with a distinct value everywhere, for the pure helpers. */
const SETTINGS: MonitoringSettings = {
    enabled: true,
    alertEmails: [],
    silenced: [],
    uptime: { regions: ["us_east"], downPeriod: "3m", latencyMs: 900, latencyPeriod: "15m", certExpiryDays: 7 },
    nodes: { cpuPercent: 1, memoryPercent: 2, diskPercent: 3, window: "5m" },
    loadBalancer: { errorRate5xxPercent: 4, responseTimeSeconds: 5, unhealthyBackends: 6, window: "30m" },
    database: { cpuPercent: 7, memoryPercent: 8, diskPercent: 9, window: "1h" },
};

const unwrapped = (r: Registered) => unwrapSecrets<Record<string, any>>(r.inputs);
const alertsOn = (e: Evaluation, check: Registered) => ofType(e, T.uptimeAlert).filter((a) => a.inputs.checkId === `${check.name}-id`);

describe.each(["dev", "prod"] as const)("%s: monitoring with the stack file's settings", (stack: StackName) => {
    let e: Evaluation;
    beforeAll(async () => {
        e = await evaluate(program, stack);
    });

    test("one https uptime check on the host name's readiness URL, from every region", () => {
        const check = one(e, T.check);
        expect(check.inputs).toMatchObject({
            type: "https",
            target: `https://${USER_VALUES.hostname}/readyz`,
            regions: ["us_east", "us_west", "eu_west", "se_asia"],
            enabled: true,
        });
        expect(check.opts.parent).toBe("monitoring");
    });

    test("the check starts once the app's Ingress exists", () => {
        const check = one(e, T.check);
        expect(check.seq).toBeGreaterThan(one(e, T.ingress).seq);
    });

    test("down, latency and certificate-expiry alerts on the check, to the configured addresses", () => {
        const check = one(e, T.check);
        const alerts = alertsOn(e, check).map(unwrapped);
        expect(alerts).toHaveLength(3);
        expect(ofType(e, T.uptimeAlert)).toHaveLength(3);
        const byType = Object.fromEntries(alerts.map((a) => [a.type, a]));
        expect(byType.down).toMatchObject({ period: "5m" });
        expect(byType.down.threshold).toBeUndefined();
        expect(byType.latency).toMatchObject({ comparison: "greater_than", threshold: 2000, period: "5m" });
        expect(byType.ssl_expiry).toMatchObject({ comparison: "less_than", threshold: 14 });
        for (const a of alerts) expect(a.notifications).toEqual([{ emails: EMAILS, slacks: [] }]);
    });

    test("node alerts are scoped to the cluster's node tag and nothing else", () => {
        const nodes = ofType(e, T.monitorAlert).filter((a) => a.inputs.type.startsWith("v1/insights/droplet/"));
        expect(nodes.map((a) => a.inputs.type).sort()).toEqual(
            [MONITOR_ALERT_TYPES.dropletCpu, MONITOR_ALERT_TYPES.dropletDisk, MONITOR_ALERT_TYPES.dropletMemory].sort(),
        );
        for (const a of nodes) {
            expect(a.inputs.tags).toEqual([`k8s:${CLUSTER_ID}`]);
            expect(a.inputs.entities).toBeUndefined();
        }
    });

    test("load balancer alerts on the id the cloud controller annotated on the ingress controller's Service, never a lookup by name", () => {
        const lbAlerts = ofType(e, T.monitorAlert).filter((a) => a.inputs.type.startsWith("v1/insights/lbaas/"));
        expect(lbAlerts.map((a) => a.inputs.type).sort()).toEqual(
            [MONITOR_ALERT_TYPES.lb5xxRate, MONITOR_ALERT_TYPES.lbResponseTime95p, MONITOR_ALERT_TYPES.lbDropletHealth].sort(),
        );
        for (const a of lbAlerts) {
            expect(a.inputs.entities).toEqual([LB_ID]);
            expect(a.inputs.tags).toBeUndefined();
        }
        // A name lookup fails on "too many" after a rename or a cluster replacement
        // (terraform-provider-digitalocean digitalocean/loadbalancer/datasource_loadbalancer.go, findLoadBalancerByName).
        expect(e.invokes.filter((i) => i.token === T.getLb)).toEqual([]);
        const service = readsOf(e, "kubernetes:core/v1:Service").find((r) => r.name === "platform-ingress-controller")!;
        for (const a of lbAlerts) expect(a.seq).toBeGreaterThan(service.seq);
    });

    test("database alerts on the database cluster", () => {
        const dbAlerts = ofType(e, T.monitorAlert).filter((a) => a.inputs.type.startsWith("v1/dbaas/"));
        expect(dbAlerts.map((a) => [a.inputs.type, a.inputs.value]).sort()).toEqual(
            [
                [MONITOR_ALERT_TYPES.dbCpu, 85],
                [MONITOR_ALERT_TYPES.dbDisk, 80],
                [MONITOR_ALERT_TYPES.dbMemory, 90],
            ].sort(),
        );
        for (const a of dbAlerts) expect(a.inputs.entities).toEqual([DB_ID]);
        expect(one(e, "digitalocean:index/databaseCluster:DatabaseCluster").name).toBe("database");
    });

    test("every resource alert is enabled, names its stack and targets something", () => {
        const alerts = ofType(e, T.monitorAlert);
        expect(alerts).toHaveLength(9);
        for (const a of alerts) {
            expect(a.inputs).toMatchObject({ enabled: true, compare: "GreaterThan", window: "10m", alerts: { emails: EMAILS, slacks: [] } });
            expect(a.inputs.description).toContain(`django-doks-${stack}`);
            // With neither, DigitalOcean applies a policy to every resource of its kind in the account.
            expect((a.inputs.tags ?? []).length + (a.inputs.entities ?? []).length).toBe(1);
        }
    });

    test("outputs: the check ids and a summary of what is watched and where alerts go", async () => {
        const ids = await resolve(e.outputs.uptimeCheckIds);
        expect(ids).toEqual({ value: [`monitoring-${USER_VALUES.hostname}-id`], secret: false });
        const summary = await resolve(e.outputs.monitoring);
        expect(summary.secret).toBe(false);
        expect(summary.value).toEqual({
            enabled: true,
            uptimeChecks: [
                {
                    url: `https://${USER_VALUES.hostname}/readyz`,
                    regions: ["us_east", "us_west", "eu_west", "se_asia"],
                    alerts: ["down from any region for 5m", "latency above 2000 ms for 5m", "TLS certificate expires in less than 14 days"],
                },
            ],
            resourceAlerts: [
                { on: `nodes tagged k8s:${CLUSTER_ID}`, alerts: ["node CPU above 85% for 10m", "node memory above 85% for 10m", "node disk above 80% for 10m"] },
                {
                    on: `load balancer django-doks-${stack} (${LB_ID})`,
                    alerts: [
                        "load balancer 5xx responses above 5% for 10m",
                        "load balancer p95 response time above 2 s for 10m",
                        "load balancer unhealthy backends above 0 for 10m",
                    ],
                },
                { on: `database cluster ${DB_ID}`, alerts: ["database CPU above 85% for 10m", "database memory above 90% for 10m", "database disk above 80% for 10m"] },
            ],
            alertEmails: EMAILS,
            slackChannel: null,
            silenced: [],
        });
    });
});

describe("per host name, with the thresholds from config", () => {
    let e: Evaluation;
    const hosts = [USER_VALUES.hostname, "www.acme-test.org"];
    beforeAll(async () => {
        e = await evaluate(program, "prod", {
            set: {
                extraHostnames: [hosts[1]],
                monitoring: {
                    alertEmails: ["ops@acme-test.org", "oncall@acme-test.org"],
                    uptime: { path: "/", regions: ["eu_west"], latencyMs: 800, latencyPeriod: "10m", downPeriod: "2m", certExpiryDays: 21 },
                    nodes: { cpuPercent: 70, window: "5m" },
                    loadBalancer: { errorRate5xxPercent: 2, responseTimeSeconds: 1.5 },
                    database: { diskPercent: 75, window: "30m" },
                },
            },
        });
    });

    test("one check per host name with its own three alerts", () => {
        const checks = ofType(e, T.check);
        expect(checks.map((c) => c.inputs.target)).toEqual(hosts.map((h) => `https://${h}/`));
        for (const c of checks) {
            expect(c.inputs.regions).toEqual(["eu_west"]);
            const alerts = alertsOn(e, c).map(unwrapped);
            expect(alerts.map((a) => [a.type, a.threshold, a.period]).sort()).toEqual(
                [
                    ["down", undefined, "2m"],
                    ["latency", 800, "10m"],
                    ["ssl_expiry", 21, "1h"],
                ].sort(),
            );
            for (const a of alerts) expect(a.notifications[0].emails).toEqual(["ops@acme-test.org", "oncall@acme-test.org"]);
        }
        expect(ofType(e, T.uptimeAlert)).toHaveLength(6);
    });

    test("resource thresholds and windows", () => {
        const byType = Object.fromEntries(ofType(e, T.monitorAlert).map((a) => [a.inputs.type, a.inputs]));
        expect(byType[MONITOR_ALERT_TYPES.dropletCpu]).toMatchObject({ value: 70, window: "5m" });
        expect(byType[MONITOR_ALERT_TYPES.dropletMemory]).toMatchObject({ value: 85, window: "5m" });
        expect(byType[MONITOR_ALERT_TYPES.lb5xxRate]).toMatchObject({ value: 2, window: "10m" });
        expect(byType[MONITOR_ALERT_TYPES.lbResponseTime95p]).toMatchObject({ value: 1.5 });
        expect(byType[MONITOR_ALERT_TYPES.dbDisk]).toMatchObject({ value: 75, window: "30m" });
        expect(byType[MONITOR_ALERT_TYPES.dbCpu]).toMatchObject({ value: 85, window: "30m" });
    });
});

describe("the Slack webhook is a secret end to end", () => {
    let e: Evaluation;
    beforeAll(async () => {
        e = await evaluate(program, "prod", {
            set: { monitoring: { alertEmails: EMAILS, slackChannel: "#ops-alerts" } },
            secrets: { "monitoring.slackWebhook": SECRET_TEXTS.slackWebhook },
        });
    });

    test("it reaches every alert, inside a secret input", () => {
        const slack = [{ channel: "#ops-alerts", url: SECRET_TEXTS.slackWebhook }];
        const uptime = ofType(e, T.uptimeAlert);
        const resource = ofType(e, T.monitorAlert);
        expect(uptime.length + resource.length).toBe(12);
        for (const a of uptime) {
            const n = secretInput(a.inputs.notifications);
            expect(n.secret).toBe(true);
            expect(unwrapSecrets(n.value)).toEqual([{ emails: EMAILS, slacks: slack }]);
        }
        for (const a of resource) {
            const n = secretInput(a.inputs.alerts);
            expect(n.secret).toBe(true);
            expect(unwrapSecrets(n.value)).toEqual({ emails: EMAILS, slacks: slack });
        }
    });

    test("no input and no output holds it in plain text", async () => {
        for (const r of programResources(e)) expect({ [r.name]: plainTextSecrets(r.inputs) }).toEqual({ [r.name]: [] });
        for (const [k, o] of Object.entries(e.outputs)) {
            const { value, secret } = await resolve(o);
            if (!secret) expect({ [k]: JSON.stringify(value ?? null).includes(SECRET_TEXTS.slackWebhook) }).toEqual({ [k]: false });
        }
        const summary = (await resolve(e.outputs.monitoring)).value as { slackChannel: string };
        expect(summary.slackChannel).toBe("#ops-alerts");
    });

    test("the walk above would see it: the same alerts with a plain webhook are flagged", () => {
        const a = one(e, T.monitorAlert, "monitoring-node-cpu");
        expect(plainTextSecrets(unwrapSecrets(a.inputs))).toContain(SECRET_TEXTS.slackWebhook);
    });
});

describe("monitoring.silenced", () => {
    test("names every alert the monitoring creates, and nothing else", () => {
        const all = [...uptimeAlertSpecs(SETTINGS.uptime), ...resourceAlertSpecs(SETTINGS)];
        expect(all.map((a) => a.key).sort()).toEqual([...ALERT_NAMES].sort());
    });

    test("a silenced uptime alert is not created; a silenced resource alert is created disabled", async () => {
        const e = await evaluate(program, "prod", { set: { monitoring: { alertEmails: EMAILS, silenced: ["latency", "lb-latency"] } } });
        expect(ofType(e, T.uptimeAlert).map((a) => unwrapped(a).type).sort()).toEqual(["down", "ssl_expiry"]);
        const disabled = ofType(e, T.monitorAlert).filter((a) => a.inputs.enabled === false);
        expect(disabled.map((a) => a.inputs.type)).toEqual([MONITOR_ALERT_TYPES.lbResponseTime95p]);
        expect(ofType(e, T.monitorAlert)).toHaveLength(9);
        const summary = (await resolve(e.outputs.monitoring)).value as { silenced: string[]; uptimeChecks: { alerts: string[] }[] };
        expect(summary.silenced).toEqual(["latency", "lb-latency"]);
        expect(summary.uptimeChecks[0].alerts).toHaveLength(2);
    });
});

describe("monitoring.enabled: false", () => {
    test("creates no check and no alert", async () => {
        const on = await evaluate(program, "dev");
        const off = await evaluate(program, "dev", { set: { monitoring: { enabled: false } } });
        for (const t of MONITORING_TYPES) {
            expect(ofType(on, t).length).toBeGreaterThan(0);
            expect(ofType(off, t)).toEqual([]);
        }
        expect(off.resources.find((r) => r.type === "django-doks:ops:Monitoring")).toBeUndefined();
        expect((await resolve(off.outputs.monitoring)).value).toEqual({ enabled: false });
        expect((await resolve(off.outputs.uptimeCheckIds)).value).toEqual([]);
    });
});

describe("pure helpers", () => {
    const routes = [
        { path: "/", service: "app" },
        { path: "/static", service: "static" },
    ];

    test("the uptime path: configured, else the readiness path when the app serves it publicly, else /", () => {
        expect(uptimePath(undefined, "/readyz", routes)).toBe("/readyz");
        expect(uptimePath("/health/", "/readyz", routes)).toBe("/health/");
        // The static site answers under /static, so the app's readiness is not public there.
        expect(uptimePath(undefined, "/static/readyz", routes)).toBe("/");
        expect(uptimePath(undefined, "/readyz", [{ path: "/", service: "static" }, { path: "/api", service: "app" }])).toBe("/");
        expect(uptimePath(undefined, "/api/readyz", [{ path: "/", service: "static" }, { path: "/api", service: "app" }])).toBe("/api/readyz");
        expect(uptimePath(undefined, "/apiready", [{ path: "/", service: "static" }, { path: "/api", service: "app" }])).toBe("/");
    });

    test("the node tag is DOKS's per-cluster tag", () => {
        expect(nodeTag("bd5f5959-5e1e-4205-a714-a914373942af")).toBe("k8s:bd5f5959-5e1e-4205-a714-a914373942af");
    });

    test("alert specs carry the thresholds they are given", () => {
        const u = uptimeAlertSpecs(SETTINGS.uptime);
        expect(u.map((a) => [a.type, a.threshold, a.period])).toEqual([
            ["down", undefined, "3m"],
            ["latency", 900, "15m"],
            ["ssl_expiry", 7, "1h"],
        ]);
        const r = resourceAlertSpecs({ ...SETTINGS, silenced: ["lb-latency"] });
        expect(r.map((a) => a.value)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(r.filter((a) => !a.enabled).map((a) => a.key)).toEqual(["lb-latency"]);
        expect(r.map((a) => a.target)).toEqual(["nodes", "nodes", "nodes", "loadBalancer", "loadBalancer", "loadBalancer", "database", "database", "database"]);
    });
});

// ---------------------------------------------------------------------------------------------
// Every string the program sends is one the SDK documents (read from its own typings)
// ---------------------------------------------------------------------------------------------

const SDK = path.join(ROOT, "node_modules", "@pulumi", "digitalocean");

/** The values a property's doc comment lists (in backticks or quotes), in an interface of an SDK typings file. */
function documented(file: string, iface: string, prop: string): string[] {
    const text = fs.readFileSync(path.join(SDK, file), "utf8");
    const start = text.indexOf(`export interface ${iface} {`);
    if (start < 0) throw new Error(`${file} has no interface ${iface}`);
    const body = text.slice(start, text.indexOf("\n}", start));
    const m = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*${prop}\\??:`).exec(body);
    if (!m) throw new Error(`${iface}.${prop} has no doc comment in ${file}`);
    return [...m[1].matchAll(/[`'"]([^`'"\s]+)[`'"]/g)].map((x) => x[1]);
}

/**
 * The SDK's docs are generated from the Terraform provider's, with snake_case words rewritten
 * in camelCase ("down_global" reads `downGlobal`, "us_east" reads "usEast"); the provider itself
 * accepts only the snake_case values (terraform-provider-digitalocean
 * digitalocean/uptime/resource_uptime_alert.go: StringInSlice "latency", "down", "down_global",
 * "ssl_expiry"; "greater_than", "less_than").
 */
const docSpelling = (apiValue: string) => apiValue.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

describe("every alert type, comparison, window, period and region is one the SDK documents", () => {
    test("the doc comments are read (a broken reader would pass vacuously)", () => {
        expect(documented("monitorAlert.d.ts", "MonitorAlertArgs", "type").length).toBeGreaterThanOrEqual(20);
        expect(documented("uptimeAlert.d.ts", "UptimeAlertArgs", "type")).toEqual(["latency", "down", "downGlobal", "sslExpiry"]);
        expect(documented("uptimeCheck.d.ts", "UptimeCheckArgs", "regions")).toEqual(["usEast", "usWest", "euWest", "seAsia"]);
    });

    test("resource alert types, comparisons and windows, as the program registers them", async () => {
        const e = await evaluate(program, "prod");
        const types = documented("monitorAlert.d.ts", "MonitorAlertArgs", "type");
        const compares = documented("monitorAlert.d.ts", "MonitorAlertArgs", "compare");
        const windows = documented("monitorAlert.d.ts", "MonitorAlertArgs", "window");
        for (const t of Object.values(MONITOR_ALERT_TYPES)) expect(types).toContain(t);
        for (const a of ofType(e, T.monitorAlert)) {
            expect(types).toContain(a.inputs.type);
            expect(compares).toContain(a.inputs.compare);
            expect(windows).toContain(a.inputs.window);
        }
        expect([...ALERT_WINDOWS].sort()).toEqual([...windows].sort());
    });

    test("uptime alert types, comparisons and periods; check types and regions", async () => {
        const e = await evaluate(program, "dev");
        const types = documented("uptimeAlert.d.ts", "UptimeAlertArgs", "type");
        const comparisons = documented("uptimeAlert.d.ts", "UptimeAlertArgs", "comparison");
        const periods = documented("uptimeAlert.d.ts", "UptimeAlertArgs", "period");
        for (const t of Object.values(UPTIME_ALERT_TYPES)) expect(types).toContain(docSpelling(t));
        for (const a of ofType(e, T.uptimeAlert).map(unwrapped)) {
            expect(a.type).toMatch(/^[a-z_]+$/);
            expect(types).toContain(docSpelling(a.type));
            if (a.comparison !== undefined) expect(comparisons).toContain(docSpelling(a.comparison));
            expect(periods).toContain(a.period);
        }
        expect([...UPTIME_PERIODS].sort()).toEqual([...periods].sort());
        const regions = documented("uptimeCheck.d.ts", "UptimeCheckArgs", "regions");
        expect(UPTIME_REGIONS.map(docSpelling)).toEqual(regions);
        const checkTypes = documented("uptimeCheck.d.ts", "UptimeCheckArgs", "type");
        for (const c of ofType(e, T.check)) {
            expect(checkTypes).toContain(c.inputs.type);
            for (const r of c.inputs.regions) expect(regions).toContain(docSpelling(r));
        }
    });

    test("a misspelt type is caught", () => {
        const types = documented("monitorAlert.d.ts", "MonitorAlertArgs", "type");
        expect(types).not.toContain("v1/insights/droplet/cpu_utilization_percent");
        expect(documented("uptimeAlert.d.ts", "UptimeAlertArgs", "type")).not.toContain(docSpelling("ssl_expiration"));
    });
});

import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { parseConfig } from "../components/config/parse";
import { configSchema } from "../components/config/schema";
import { DEFAULT_CHARTS } from "../components/config/versions";
import { nodeCapacity, overlap, reservedOverlaps } from "../components/config/networks";
import {
    PROJECT,
    ROOT,
    USER_VALUES,
    userConfig,
} from "./stack-values";
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

    test("a chart at another version than the pinned one is not held to the pinned one's range", () => {
        const c = parseConfig(PROJECT, "dev", { ...USER_VALUES, kubernetesVersionPrefix: "1.36", charts: JSON.stringify({ ...DEFAULT_CHARTS, ingressNginx: "4.16.0" }) });
        expect(c.kubernetesVersionPrefix).toBe("1.36.");
    });

    test.each(["dev", "prod"] as const)("the committed %s stack file is valid with the user's values", (stack) => {
        expect(() => parseConfig(PROJECT, stack, userConfig(stack))).not.toThrow();
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
    const structured = ["nodeAutoscale", "maintenanceWindow", "charts", "extraHostnames", "ingress", "dns", "app", "staticContent", "monitoring"];
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
        for (const k of [...optional, ...structured]) expect(text).toContain(k);
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

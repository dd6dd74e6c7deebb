import { CostInput, estimatedMonthlyCostUsd } from "../components/cost";
import { PRICES, PRICES_AS_OF } from "../components/prices";

// Expectations are worked out by hand from the table in components/prices.ts:
// s-2vcpu-4gb $24, HA control plane $40, db-s-1vcpu-1gb $15, db-s-1vcpu-2gb $30 (+$30 per standby),
// load balancer node $12, volumes $0.10/GiB, registry basic $5, uptime check $1, alerts $0.

const devLike: CostInput = {
    nodeSize: "s-2vcpu-4gb",
    nodeCount: 3,
    haControlPlane: false,
    dbSize: "db-s-1vcpu-1gb",
    dbNodeCount: 1,
    loadBalancerNodes: 1,
    volumeGiB: 5,
    registryTier: "basic",
    registryCreated: true,
};

const prodLike: CostInput = {
    nodeSize: "s-2vcpu-4gb",
    nodeCount: 3,
    nodeAutoscaleMax: 5,
    haControlPlane: true,
    dbSize: "db-s-1vcpu-2gb",
    dbNodeCount: 2,
    loadBalancerNodes: 1,
    volumeGiB: 10,
    registryTier: "basic",
    registryCreated: false,
};

describe("price table", () => {
    test("is dated and covers the sizes the stacks use", () => {
        expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(Object.keys(PRICES.droplet)).toEqual(expect.arrayContaining(["s-1vcpu-2gb", "s-2vcpu-2gb", "s-2vcpu-4gb", "s-4vcpu-8gb"]));
        expect(Object.keys(PRICES.postgres)).toEqual(expect.arrayContaining(["db-s-1vcpu-1gb", "db-s-1vcpu-2gb", "db-s-2vcpu-4gb"]));
        expect(Object.keys(PRICES.registry).sort()).toEqual(["basic", "professional", "starter"]);
    });

    test("the smallest database plan has no standby price", () => {
        expect(PRICES.postgres["db-s-1vcpu-1gb"].standby).toBeUndefined();
    });
});

describe("estimatedMonthlyCostUsd", () => {
    test("dev-like stack: 3 nodes, single-node database, one LB node, 5 GiB, basic registry", () => {
        const c = estimatedMonthlyCostUsd(devLike);
        expect(c.lines).toEqual([
            { item: "DOKS node s-2vcpu-4gb", quantity: 3, unitUsd: 24, usd: 72 },
            { item: "PostgreSQL db-s-1vcpu-1gb primary", quantity: 1, unitUsd: 15, usd: 15 },
            { item: "Load balancer node", quantity: 1, unitUsd: 12, usd: 12 },
            { item: "Block storage (GiB)", quantity: 5, unitUsd: 0.1, usd: 0.5 },
            { item: "Container registry (basic)", quantity: 1, unitUsd: 5, usd: 5 },
        ]);
        // 72 + 15 + 12 + 0.5 + 5
        expect(c.totalUsd).toBe(104.5);
        // No autoscaling: the maximum is the total.
        expect(c.maxUsd).toBe(104.5);
    });

    test("prod-like stack: HA control plane, a standby, autoscaling to 5 nodes, registry owned by dev", () => {
        const c = estimatedMonthlyCostUsd(prodLike);
        expect(c.lines).toEqual([
            { item: "DOKS node s-2vcpu-4gb", quantity: 3, unitUsd: 24, usd: 72 },
            { item: "DOKS HA control plane", quantity: 1, unitUsd: 40, usd: 40 },
            { item: "PostgreSQL db-s-1vcpu-2gb primary", quantity: 1, unitUsd: 30, usd: 30 },
            { item: "PostgreSQL db-s-1vcpu-2gb standby", quantity: 1, unitUsd: 30, usd: 30 },
            { item: "Load balancer node", quantity: 1, unitUsd: 12, usd: 12 },
            { item: "Block storage (GiB)", quantity: 10, unitUsd: 0.1, usd: 1 },
        ]);
        // 72 + 40 + 30 + 30 + 12 + 1
        expect(c.totalUsd).toBe(185);
        // 5 nodes: 120 + 40 + 30 + 30 + 12 + 1
        expect(c.maxUsd).toBe(233);
    });

    test("amounts are whole cents", () => {
        const c = estimatedMonthlyCostUsd({ ...devLike, volumeGiB: 3, loadBalancerNodes: 0, registryCreated: false });
        expect(c.lines.find((l) => l.item.startsWith("Block storage"))?.usd).toBe(0.3);
        // 72 + 15 + 0.3
        expect(c.totalUsd).toBe(87.3);
    });

    test("an unknown node size is named", () => {
        expect(() => estimatedMonthlyCostUsd({ ...devLike, nodeSize: "s-3vcpu-5gb" })).toThrow(/node size "s-3vcpu-5gb"/);
    });

    test("an unknown database size or registry tier is named", () => {
        expect(() => estimatedMonthlyCostUsd({ ...devLike, dbSize: "db-s-16vcpu-64gb" })).toThrow(/database size "db-s-16vcpu-64gb"/);
        expect(() => estimatedMonthlyCostUsd({ ...devLike, registryTier: "enterprise" })).toThrow(/registry tier "enterprise"/);
        // A referenced registry costs this stack nothing, whatever its tier.
        expect(() => estimatedMonthlyCostUsd({ ...devLike, registryTier: "enterprise", registryCreated: false })).not.toThrow();
    });

    test("standbys on the smallest database plan are refused", () => {
        expect(() => estimatedMonthlyCostUsd({ ...devLike, dbNodeCount: 2 })).toThrow(/"db-s-1vcpu-1gb" has no standby nodes/);
    });

    test("monitoring: $1 per uptime check, the alerts listed at $0", () => {
        const c = estimatedMonthlyCostUsd({ ...devLike, uptimeChecks: 2, uptimeAlerts: 6, resourceAlerts: 9 });
        expect(c.lines.slice(-3)).toEqual([
            { item: "Uptime check", quantity: 2, unitUsd: 1, usd: 2 },
            { item: "Uptime alert", quantity: 6, unitUsd: 0, usd: 0 },
            { item: "Resource alert (DigitalOcean Monitoring)", quantity: 9, unitUsd: 0, usd: 0 },
        ]);
        // 104.5 + 2 x $1
        expect(c.totalUsd).toBe(106.5);
        expect(() => estimatedMonthlyCostUsd({ ...devLike, uptimeChecks: -1 })).toThrow(/Uptime check/);
    });

    test("the cluster's default pool is a line of its own, beside the workers, in the total and the maximum", () => {
        const c = estimatedMonthlyCostUsd({ ...prodLike, defaultPool: { size: "s-1vcpu-2gb", nodeCount: 1 } });
        expect(c.lines.slice(0, 2)).toEqual([
            { item: "DOKS node s-2vcpu-4gb (workers)", quantity: 3, unitUsd: 24, usd: 72 },
            { item: "DOKS node s-1vcpu-2gb (the cluster's default pool)", quantity: 1, unitUsd: 12, usd: 12 },
        ]);
        // 185 + 12; the autoscaler moves only the workers: 233 + 12
        expect(c.totalUsd).toBe(197);
        expect(c.maxUsd).toBe(245);
        expect(() => estimatedMonthlyCostUsd({ ...prodLike, defaultPool: { size: "s-9vcpu-1gb", nodeCount: 1 } })).toThrow(/node size "s-9vcpu-1gb"/);
    });

    test("inconsistent counts are refused", () => {
        expect(() => estimatedMonthlyCostUsd({ ...prodLike, nodeAutoscaleMax: 2 })).toThrow(/nodeAutoscaleMax/);
        expect(() => estimatedMonthlyCostUsd({ ...prodLike, dbNodeCount: 4 })).toThrow(/dbNodeCount/);
        expect(() => estimatedMonthlyCostUsd({ ...prodLike, nodeCount: 0 })).toThrow(/nodeCount/);
    });
});

describe("the stack's estimate", () => {
    test("counts one uptime check per host name, and none with monitoring off", async () => {
        const { evaluate, resolve } = await import("./harness");
        const { default: program } = await import("../index");
        type Estimate = { totalUsd: number; lines: { item: string; quantity: number; usd: number }[] };
        const estimate = async (set: Record<string, unknown>) =>
            (await resolve((await evaluate(program, "prod", { set })).outputs.estimatedMonthlyCostUsd)).value as Estimate;
        const on = await estimate({ extraHostnames: ["www.acme-test.org"] });
        const off = await estimate({ extraHostnames: ["www.acme-test.org"], monitoring: { enabled: false } });
        const item = (e: Estimate, name: string) => e.lines.find((l) => l.item === name);
        expect(item(on, "Uptime check")).toMatchObject({ quantity: 2, usd: 2 });
        expect(item(on, "Uptime alert")).toMatchObject({ quantity: 6, usd: 0 });
        expect(item(on, "Resource alert (DigitalOcean Monitoring)")).toMatchObject({ quantity: 9, usd: 0 });
        expect(off.lines.filter((l) => /Uptime|alert/.test(l.item))).toEqual([]);
        expect(on.totalUsd - off.totalUsd).toBeCloseTo(2);
    });

    test("prices what the stack runs: the worker pool and the cluster's default pool", async () => {
        const { evaluate, resolve } = await import("./harness");
        const { default: program } = await import("../index");
        const e = await evaluate(program, "dev", { set: { nodeSize: "s-4vcpu-8gb", nodeCount: 4 } });
        const cost = (await resolve(e.outputs.estimatedMonthlyCostUsd)).value as { lines: { item: string; quantity: number }[] };
        const pool = e.resources.find((r) => r.type === "digitalocean:index/kubernetesNodePool:KubernetesNodePool")!.inputs;
        const own = e.resources.find((r) => r.type === "digitalocean:index/kubernetesCluster:KubernetesCluster")!.inputs.nodePool;
        expect(cost.lines.slice(0, 2)).toEqual([
            expect.objectContaining({ item: `DOKS node ${pool.size} (workers)`, quantity: pool.nodeCount }),
            expect.objectContaining({ item: `DOKS node ${own.size} (the cluster's default pool)`, quantity: own.nodeCount }),
        ]);
    });

    test("a size missing from the price table yields a note, not a failed deploy", async () => {
        const { evaluate, resolve } = await import("./harness");
        const { default: program } = await import("../index");
        const e = await evaluate(program, "dev", { set: { nodeSize: "s-32vcpu-999gb" } });
        const cost = (await resolve(e.outputs.estimatedMonthlyCostUsd)).value as { unavailable: string };
        expect(cost.unavailable).toContain("s-32vcpu-999gb");
    });
});

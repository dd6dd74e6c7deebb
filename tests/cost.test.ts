import { CostInput, estimatedMonthlyCostUsd, nodePricesFrom, OFFLINE_NODE_PRICES } from "../components/cost";
import { doksNodeSizeProblem } from "../components/config/rules";
import { configSchema } from "../components/config/schema";
import { DROPLET_PRICES_AS_OF, DROPLET_PRICES_USD } from "../components/droplet-prices";
import { PRICES, PRICES_AS_OF } from "../components/prices";

// Expectations are worked out by hand from the table in components/prices.ts:
// s-2vcpu-4gb $24, HA control plane $40, db-s-1vcpu-1gb $15, db-s-1vcpu-2gb $30 (+$30 per standby),
// load balancer node $12, volumes $0.10/GiB, registry basic $5, uptime check $1, alerts $0.

const LB_NOTE =
    "not a resource of the plan: DOKS's cloud controller creates it for ingress-nginx's Service of type LoadBalancer, and deletes it with the Service";
const VOLUME_NOTE =
    "not a resource of the plan: DOKS's CSI driver provisions the volume for the static content's PersistentVolumeClaim (staticContent.size)";

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

    test("prices every Droplet size DOKS runs as a node, each one the config accepts", () => {
        expect(DROPLET_PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        const slugs = Object.keys(DROPLET_PRICES_USD);
        // Basic (regular, premium Intel and AMD), General Purpose, CPU-, Memory- and Storage-Optimized.
        for (const family of ["s-", "g-", "gd-", "c-", "c2-", "m-", "m3-", "m6-", "so-", "so1_5-"]) expect(slugs.some((s) => s.startsWith(family))).toBe(true);
        expect(slugs).toEqual(expect.arrayContaining(["s-2vcpu-4gb-intel", "s-2vcpu-4gb-amd", "g-2vcpu-8gb", "c-2", "m-2vcpu-16gb"]));
        expect(slugs.filter((s) => doksNodeSizeProblem(s) !== undefined)).toEqual([]);
        expect(slugs.filter((s) => !configSchema.shape.nodeSize.safeParse(s).success)).toEqual([]);
        expect(Object.values(DROPLET_PRICES_USD).every((usd) => Number.isFinite(usd) && usd > 0)).toBe(true);
        expect(PRICES.droplet["g-2vcpu-8gb"]).toEqual({ usd: 63, confirmed: false });
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
            { item: "Load balancer node", quantity: 1, unitUsd: 12, usd: 12, note: LB_NOTE },
            { item: "Block storage (GiB)", quantity: 5, unitUsd: 0.1, usd: 0.5, note: VOLUME_NOTE },
            { item: "Container registry (basic)", quantity: 1, unitUsd: 5, usd: 5 },
        ]);
        // 72 + 15 + 12 + 0.5 + 5
        expect(c.totalUsd).toBe(104.5);
        // No autoscaling: no maximum.
        expect(c).not.toHaveProperty("maxUsd");
        expect(c.unpriced).toEqual([]);
        expect(c.nodePrices).toBe(`the offline price table of ${DROPLET_PRICES_AS_OF} (components/droplet-prices.ts)`);
    });

    test("prod-like stack: HA control plane, a standby, autoscaling to 5 nodes, registry owned by dev", () => {
        const c = estimatedMonthlyCostUsd(prodLike);
        expect(c.lines).toEqual([
            { item: "DOKS node s-2vcpu-4gb", quantity: 3, unitUsd: 24, usd: 72 },
            { item: "DOKS HA control plane", quantity: 1, unitUsd: 40, usd: 40 },
            { item: "PostgreSQL db-s-1vcpu-2gb primary", quantity: 1, unitUsd: 30, usd: 30 },
            { item: "PostgreSQL db-s-1vcpu-2gb standby", quantity: 1, unitUsd: 30, usd: 30 },
            { item: "Load balancer node", quantity: 1, unitUsd: 12, usd: 12, note: LB_NOTE },
            { item: "Block storage (GiB)", quantity: 10, unitUsd: 0.1, usd: 1, note: VOLUME_NOTE },
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

    test("an unknown node size is an unpriced line, named; the total is the rest", () => {
        const c = estimatedMonthlyCostUsd({ ...devLike, nodeSize: "s-3vcpu-5gb" });
        expect(c.unpriced).toEqual([
            {
                item: "DOKS node s-3vcpu-5gb",
                quantity: 3,
                reason: `no price for node size "s-3vcpu-5gb" (not in the offline price table of ${DROPLET_PRICES_AS_OF} (components/droplet-prices.ts))`,
            },
        ]);
        expect(c.lines.map((l) => l.item)).not.toContain("DOKS node s-3vcpu-5gb");
        // 104.5 without the 3 x $24 nodes
        expect(c.totalUsd).toBe(32.5);
    });

    test("an unknown database size or registry tier is an unpriced line, named", () => {
        const db = estimatedMonthlyCostUsd({ ...devLike, dbSize: "db-s-16vcpu-64gb" });
        expect(db.unpriced).toEqual([{ item: "PostgreSQL db-s-16vcpu-64gb primary", quantity: 1, reason: 'no price for database size "db-s-16vcpu-64gb"' }]);
        expect(db.totalUsd).toBe(89.5);
        const registry = estimatedMonthlyCostUsd({ ...devLike, registryTier: "enterprise" });
        expect(registry.unpriced).toEqual([{ item: "Container registry (enterprise)", quantity: 1, reason: 'no price for registry tier "enterprise"' }]);
        // A referenced registry costs this stack nothing, whatever its tier.
        expect(estimatedMonthlyCostUsd({ ...devLike, registryTier: "enterprise", registryCreated: false }).unpriced).toEqual([]);
    });

    test("node prices from DigitalOcean's API win over the table; a size only the table knows is still priced", () => {
        const api = nodePricesFrom({ sizes: [{ slug: "s-2vcpu-4gb", priceMonthly: 26 }, { slug: "gpu-h100x1-80gb", priceMonthly: 2566.08 }] });
        expect(api.source).toBe("DigitalOcean's API (getSizes)");
        const c = estimatedMonthlyCostUsd({ ...prodLike, defaultPool: { size: "s-1vcpu-2gb", nodeCount: 1 } }, PRICES, api);
        expect(c.lines.slice(0, 2)).toEqual([
            { item: "DOKS node s-2vcpu-4gb (workers)", quantity: 3, unitUsd: 26, usd: 78 },
            { item: "DOKS node s-1vcpu-2gb (the cluster's default pool)", quantity: 1, unitUsd: 12, usd: 12 },
        ]);
        const gpu = estimatedMonthlyCostUsd({ ...devLike, nodeSize: "gpu-h100x1-80gb", nodeCount: 1 }, PRICES, api);
        expect(gpu.lines[0]).toEqual({ item: "DOKS node gpu-h100x1-80gb", quantity: 1, unitUsd: 2566.08, usd: 2566.08 });
        const neither = estimatedMonthlyCostUsd({ ...devLike, nodeSize: "s-3vcpu-5gb" }, PRICES, api);
        expect(neither.unpriced[0].reason).toBe(`no price for node size "s-3vcpu-5gb" (not in DigitalOcean's API (getSizes) nor in the offline table)`);
    });

    test("without an answer from the API, the table's prices and why", () => {
        expect(nodePricesFrom(undefined)).toBe(OFFLINE_NODE_PRICES);
        expect(nodePricesFrom({ sizes: [] })).toBe(OFFLINE_NODE_PRICES);
        const failed = nodePricesFrom({ error: "403 You are not authorized" });
        expect(failed.usd).toBe(OFFLINE_NODE_PRICES.usd);
        expect(failed.source).toBe(`${OFFLINE_NODE_PRICES.source}, as DigitalOcean's API could not be read (403 You are not authorized)`);
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
        const unknown = estimatedMonthlyCostUsd({ ...prodLike, defaultPool: { size: "s-9vcpu-1gb", nodeCount: 1 } });
        expect(unknown.unpriced.map((u) => u.item)).toEqual(["DOKS node s-9vcpu-1gb (the cluster's default pool)"]);
        expect(unknown.totalUsd).toBe(185);
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

    test("a size neither the API nor the table knows gives a partial total naming the line, not a failed deploy", async () => {
        const { evaluate, resolve } = await import("./harness");
        const { default: program } = await import("../index");
        const e = await evaluate(program, "dev", { set: { nodeSize: "s-32vcpu-999gb" } });
        const cost = (await resolve(e.outputs.estimatedMonthlyCostUsd)).value as { totalUsd: number; unpriced: { item: string; reason: string }[] };
        expect(cost.unpriced.map((u) => u.item)).toEqual(["DOKS node s-32vcpu-999gb (workers)"]);
        expect(cost.unpriced[0].reason).toContain("not in DigitalOcean's API (getSizes) nor in the offline table");
        expect(cost.totalUsd).toBeGreaterThan(0);
    });

    test("at preview and up the node prices come from getSizes, a preview included; a refused read falls back to the table", async () => {
        const { apiSize, evaluate, resolve, SIZES_FORBIDDEN } = await import("./harness");
        const { default: program } = await import("../index");
        type Estimate = { nodePrices: string; lines: { item: string; unitUsd: number }[] };
        const estimate = async (o: Parameters<typeof evaluate>[2]) => (await resolve((await evaluate(program, "dev", o)).outputs.estimatedMonthlyCostUsd)).value as Estimate;
        const sizes = [apiSize("s-2vcpu-4gb", 25.5, 2, 4096, 80), apiSize("s-1vcpu-2gb", 12, 1, 2048, 50)];
        for (const preview of [false, true]) {
            const api = await estimate({ sizes, preview });
            expect(api.nodePrices).toBe("DigitalOcean's API (getSizes)");
            expect(api.lines[0]).toMatchObject({ item: "DOKS node s-2vcpu-4gb (workers)", unitUsd: 25.5 });
        }
        const refused = await estimate({ sizes: "forbidden" });
        expect(refused.nodePrices).toBe(`${OFFLINE_NODE_PRICES.source}, as DigitalOcean's API could not be read (${SIZES_FORBIDDEN})`);
        expect(refused.lines[0]).toMatchObject({ unitUsd: 24 });
    });
});

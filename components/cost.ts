import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config";
import { resourceAlertSpecs, uptimeAlertSpecs } from "./monitoring";
import { DEFAULT_POOL } from "./naming";
import { DROPLET_PRICES_AS_OF, PRICES, PriceTable } from "./prices";

export interface CostInput {
    /** The worker pool, where the stack's workloads run. */
    nodeSize: string;
    nodeCount: number;
    /** The cluster's default pool (DOKS's own components): a fixed size and count. */
    defaultPool?: { size: string; nodeCount: number };
    /** The node pool's autoscaling maximum, when it autoscales. */
    nodeAutoscaleMax?: number;
    haControlPlane: boolean;
    dbSize: string;
    /** Database nodes: the primary plus standbys. */
    dbNodeCount: number;
    loadBalancerNodes: number;
    /** What the load balancers front: ingress-nginx's Service, the Gateway's, or both while a stack moves (default: ingress-nginx). */
    loadBalancersFor?: ("nginx" | "gateway")[];
    volumeGiB: number;
    registryTier: string;
    /** false when another stack owns (and pays for) the registry. */
    registryCreated: boolean;
    /** DigitalOcean Uptime checks, their alerts, and resource alert policies (0 without monitoring). */
    uptimeChecks?: number;
    uptimeAlerts?: number;
    resourceAlerts?: number;
}

export interface CostLine {
    item: string;
    quantity: number;
    unitUsd: number;
    usd: number;
    /** Why the line is there, for a line no resource of the plan creates. */
    note?: string;
}

/** A line the estimate could not price: the total leaves it out and says so. */
export interface UnpricedLine {
    item: string;
    quantity: number;
    reason: string;
}

export interface CostEstimate {
    /** The priced lines, with the worker pool at nodeCount; partial when `unpriced` is not empty. */
    totalUsd: number;
    /** With the worker pool at its autoscaling maximum (only for a pool that autoscales). */
    maxUsd?: number;
    lines: CostLine[];
    unpriced: UnpricedLine[];
    /** Where the node prices come from: DigitalOcean's API, or the offline table and its date. */
    nodePrices: string;
}

/** Node prices per Droplet slug (USD a month), and where they come from. */
export interface NodePrices {
    usd: Readonly<Record<string, number>>;
    source: string;
}

export const OFFLINE_NODE_PRICES: NodePrices = {
    usd: Object.fromEntries(Object.entries(PRICES.droplet).map(([slug, p]) => [slug, p.usd])),
    source: `the offline price table of ${DROPLET_PRICES_AS_OF} (components/droplet-prices.ts)`,
};

const LOAD_BALANCER_FOR = {
    nginx: "ingress-nginx's Service of type LoadBalancer",
    gateway: "the Gateway (Cilium's Service cilium-gateway-web; DOKS charges only for the load balancer)",
};

const NOTES = {
    loadBalancer: (fronts: ("nginx" | "gateway")[]) =>
        `not a resource of the plan: DOKS's cloud controller creates ${fronts.length > 1 ? "one each" : "it"} for ${fronts.map((f) => LOAD_BALANCER_FOR[f]).join(" and ")}, and deletes it with the Service`,
    blockStorage:
        "not a resource of the plan: DOKS's CSI driver provisions the volume for the static content's PersistentVolumeClaim (staticContent.size)",
};

const cents = (usd: number) => Math.round(usd * 100) / 100;

function line(item: string, quantity: number, unitUsd: number, note?: string): CostLine {
    return { item, quantity, unitUsd, usd: cents(quantity * unitUsd), ...(note ? { note } : {}) };
}

function count(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
    if (!Number.isInteger(value) || value < min || value > max) {
        throw new Error(`${name} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ""}, got ${value}`);
    }
}

const has = (table: object, key: string) => Object.prototype.hasOwnProperty.call(table, key);

/**
 * The stack's DigitalOcean list price per month, line by line. Pure. A size, plan or tier no
 * price is known for becomes an unpriced line, named, and the total is the rest.
 */
export function estimatedMonthlyCostUsd(input: CostInput, prices: PriceTable = PRICES, nodePrices: NodePrices = OFFLINE_NODE_PRICES): CostEstimate {
    count("nodeCount", input.nodeCount, 1);
    const autoscales = input.nodeAutoscaleMax !== undefined;
    const maxNodes = input.nodeAutoscaleMax ?? input.nodeCount;
    count("nodeAutoscaleMax", maxNodes, input.nodeCount);
    count("dbNodeCount", input.dbNodeCount, 1, 3);
    count("loadBalancerNodes", input.loadBalancerNodes, 0);
    if (!(input.volumeGiB >= 0)) throw new Error(`volumeGiB must not be negative, got ${input.volumeGiB}`);

    const unpriced: UnpricedLine[] = [];
    /** A line priced by `unit`, or an unpriced line naming what has no price. */
    const priced = (item: string, quantity: number, unit: number | undefined, what: string, note?: string): CostLine[] => {
        if (unit !== undefined) return [line(item, quantity, unit, note)];
        unpriced.push({ item, quantity, reason: `no price for ${what}` });
        return [];
    };
    const nodeUnit = (slug: string) => (has(nodePrices.usd, slug) ? nodePrices.usd[slug] : has(prices.droplet, slug) ? prices.droplet[slug].usd : undefined);
    const nodeWhat = (slug: string) => `node size "${slug}" (not in ${nodePrices.source}${nodePrices === OFFLINE_NODE_PRICES ? "" : " nor in the offline table"})`;

    const db = has(prices.postgres, input.dbSize) ? prices.postgres[input.dbSize] : undefined;
    const standbys = input.dbNodeCount - 1;
    if (standbys > 0 && db && !db.standby) {
        throw new Error(`database size "${input.dbSize}" has no standby nodes; dbNodeCount ${input.dbNodeCount} needs a larger plan`);
    }

    const workerItem = `DOKS node ${input.nodeSize}${input.defaultPool ? " (workers)" : ""}`;
    const workerUnit = nodeUnit(input.nodeSize);
    const workerLines = priced(workerItem, input.nodeCount, workerUnit, nodeWhat(input.nodeSize));
    const rest: CostLine[] = [];
    if (input.defaultPool) {
        const size = input.defaultPool.size;
        count("defaultPool.nodeCount", input.defaultPool.nodeCount, 1);
        rest.push(...priced(`DOKS node ${size} (the cluster's default pool)`, input.defaultPool.nodeCount, nodeUnit(size), nodeWhat(size)));
    }
    if (input.haControlPlane) rest.push(line("DOKS HA control plane", 1, prices.doksHaControlPlane.usd));
    rest.push(...priced(`PostgreSQL ${input.dbSize} primary`, 1, db?.primary.usd, `database size "${input.dbSize}"`));
    if (standbys > 0) rest.push(...priced(`PostgreSQL ${input.dbSize} standby`, standbys, db?.standby?.usd, `database size "${input.dbSize}"`));
    if (input.loadBalancerNodes > 0) rest.push(line("Load balancer node", input.loadBalancerNodes, prices.loadBalancerNode.usd, NOTES.loadBalancer(input.loadBalancersFor ?? ["nginx"])));
    if (input.volumeGiB > 0) rest.push(line("Block storage (GiB)", input.volumeGiB, prices.volumeGiB.usd, NOTES.blockStorage));
    if (input.registryCreated) {
        const tier = has(prices.registry, input.registryTier) ? prices.registry[input.registryTier].usd : undefined;
        rest.push(...priced(`Container registry (${input.registryTier})`, 1, tier, `registry tier "${input.registryTier}"`));
    }
    const monitoring: [string, number | undefined, number][] = [
        ["Uptime check", input.uptimeChecks, prices.uptimeCheck.usd],
        // Free, listed anyway: the estimate shows they were counted, not forgotten.
        ["Uptime alert", input.uptimeAlerts, prices.uptimeAlert.usd],
        ["Resource alert (DigitalOcean Monitoring)", input.resourceAlerts, prices.resourceAlert.usd],
    ];
    for (const [item, n = 0, usd] of monitoring) {
        count(item, n, 0);
        if (n > 0) rest.push(line(item, n, usd));
    }

    const sum = (lines: CostLine[]) => cents(lines.reduce((s, l) => s + l.usd, 0));
    const lines = [...workerLines, ...rest];
    return {
        totalUsd: sum(lines),
        ...(autoscales ? { maxUsd: sum([...(workerUnit === undefined ? [] : [line(workerItem, maxNodes, workerUnit)]), ...rest]) } : {}),
        lines,
        unpriced,
        nodePrices: nodePrices.source,
    };
}

/**
 * The cost inputs a stack's validated config implies: the cluster's default pool beside the
 * workers, a small load balancer per entry path, the static volume, and with monitoring an uptime check per
 * host name.
 */
export function costInputFor(config: StackConfig): CostInput {
    return {
        nodeSize: config.nodeSize,
        nodeCount: config.nodeCount,
        defaultPool: { ...DEFAULT_POOL },
        nodeAutoscaleMax: config.nodeAutoscale?.maxNodes,
        haControlPlane: config.haControlPlane,
        dbSize: config.dbSize,
        dbNodeCount: config.dbNodeCount,
        // One load balancer (one node) per path that runs.
        loadBalancerNodes: Number(config.entrypoints.nginx) + Number(config.entrypoints.gateway),
        loadBalancersFor: (["nginx", "gateway"] as const).filter((p) => config.entrypoints[p]),
        volumeGiB: Number.parseInt(config.staticContent.size, 10),
        registryTier: config.registryTier,
        registryCreated: config.registryMode === "create",
        ...(config.monitoring.enabled
            ? {
                  uptimeChecks: config.hostnames.length,
                  uptimeAlerts: config.hostnames.length * uptimeAlertSpecs(config.monitoring.uptime, config.monitoring.silenced).length,
                  resourceAlerts: resourceAlertSpecs(config.monitoring).length,
              }
            : {}),
    };
}

/** What DigitalOcean's API answered for the Droplet sizes (getSizes), or why it could not. */
export type SizesAnswer = { sizes: { slug: string; priceMonthly: number }[] } | { error: string };

/** Node prices from the API's answer; the offline table when it gave none. */
export function nodePricesFrom(answer: SizesAnswer | undefined): NodePrices {
    if (answer && "sizes" in answer && answer.sizes.length > 0) {
        return { usd: Object.fromEntries(answer.sizes.map((s) => [s.slug, s.priceMonthly])), source: "DigitalOcean's API (getSizes)" };
    }
    if (answer && "error" in answer) {
        return { ...OFFLINE_NODE_PRICES, source: `${OFFLINE_NODE_PRICES.source}, as DigitalOcean's API could not be read (${answer.error})` };
    }
    return OFFLINE_NODE_PRICES;
}

/** The stack's estimate, node prices from the API's answer when there is one. */
export function stackCostEstimate(config: StackConfig, sizes?: SizesAnswer): CostEstimate {
    return estimatedMonthlyCostUsd(costInputFor(config), PRICES, nodePricesFrom(sizes));
}

/** Every Droplet size's monthly price, as DigitalOcean's API lists them; a failed read is an answer too (the estimate then uses its offline table). */
function dropletSizes(): Promise<SizesAnswer> {
    return digitalocean.getSizes({}).then(
        (r) => ({ sizes: r.sizes.map((s) => ({ slug: s.slug, priceMonthly: s.priceMonthly })) }),
        (e: Error) => ({ error: e.message || "no reason given" }),
    );
}

/** The stack's estimate as a stack output, node prices read from DigitalOcean's API. */
export function stackCostEstimateOutput(config: StackConfig): pulumi.Output<CostEstimate> {
    return pulumi.output(dropletSizes()).apply((sizes) => stackCostEstimate(config, sizes));
}

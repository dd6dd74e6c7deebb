import type { StackConfig } from "./config";
import { resourceAlertSpecs, uptimeAlertSpecs } from "./monitoring";
import { DEFAULT_POOL } from "./naming";
import { PRICES, PriceTable } from "./prices";

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
}

export interface CostEstimate {
    /** With the worker pool at nodeCount. */
    totalUsd: number;
    /** With the worker pool at its autoscaling maximum. */
    maxUsd: number;
    lines: CostLine[];
}

const cents = (usd: number) => Math.round(usd * 100) / 100;

function line(item: string, quantity: number, unitUsd: number): CostLine {
    return { item, quantity, unitUsd, usd: cents(quantity * unitUsd) };
}

function count(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
    if (!Number.isInteger(value) || value < min || value > max) {
        throw new Error(`${name} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ""}, got ${value}`);
    }
}

function lookup<T>(table: Record<string, T>, key: string, what: string): T {
    if (!Object.prototype.hasOwnProperty.call(table, key)) {
        throw new Error(`no price for ${what} "${key}" (known: ${Object.keys(table).join(", ")}); add it to components/prices.ts`);
    }
    return table[key];
}

/**
 * The stack's DigitalOcean list price per month, line by line. Pure: reads only the price table.
 * Throws on a size, plan or tier the table does not know, naming it.
 */
export function estimatedMonthlyCostUsd(input: CostInput, prices: PriceTable = PRICES): CostEstimate {
    count("nodeCount", input.nodeCount, 1);
    const maxNodes = input.nodeAutoscaleMax ?? input.nodeCount;
    count("nodeAutoscaleMax", maxNodes, input.nodeCount);
    count("dbNodeCount", input.dbNodeCount, 1, 3);
    count("loadBalancerNodes", input.loadBalancerNodes, 0);
    if (!(input.volumeGiB >= 0)) throw new Error(`volumeGiB must not be negative, got ${input.volumeGiB}`);

    const node = lookup(prices.droplet, input.nodeSize, "node size");
    const db = lookup(prices.postgres, input.dbSize, "database size");
    const standbys = input.dbNodeCount - 1;
    if (standbys > 0 && !db.standby) {
        throw new Error(`database size "${input.dbSize}" has no standby nodes; dbNodeCount ${input.dbNodeCount} needs a larger plan`);
    }
    const registry = input.registryCreated ? lookup(prices.registry, input.registryTier, "registry tier") : undefined;

    const rest: CostLine[] = [];
    if (input.defaultPool) {
        const size = input.defaultPool.size;
        count("defaultPool.nodeCount", input.defaultPool.nodeCount, 1);
        rest.push(line(`DOKS node ${size} (the cluster's default pool)`, input.defaultPool.nodeCount, lookup(prices.droplet, size, "node size").usd));
    }
    if (input.haControlPlane) rest.push(line("DOKS HA control plane", 1, prices.doksHaControlPlane.usd));
    rest.push(line(`PostgreSQL ${input.dbSize} primary`, 1, db.primary.usd));
    if (standbys > 0 && db.standby) rest.push(line(`PostgreSQL ${input.dbSize} standby`, standbys, db.standby.usd));
    if (input.loadBalancerNodes > 0) rest.push(line("Load balancer node", input.loadBalancerNodes, prices.loadBalancerNode.usd));
    if (input.volumeGiB > 0) rest.push(line("Block storage (GiB)", input.volumeGiB, prices.volumeGiB.usd));
    if (registry) rest.push(line(`Container registry (${input.registryTier})`, 1, registry.usd));
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

    const nodes = (n: number) => line(`DOKS node ${input.nodeSize}${input.defaultPool ? " (workers)" : ""}`, n, node.usd);
    const sum = (lines: CostLine[]) => cents(lines.reduce((s, l) => s + l.usd, 0));
    const lines = [nodes(input.nodeCount), ...rest];
    return { totalUsd: sum(lines), maxUsd: sum([nodes(maxNodes), ...rest]), lines };
}

/**
 * The cost inputs a stack's validated config implies: the cluster's default pool beside the
 * workers, one small load balancer, the static volume, and with monitoring an uptime check per
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
        loadBalancerNodes: 1,
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

/** The stack's estimate, or why there is none (a size the price table lacks never fails a deploy). */
export function stackCostEstimate(config: StackConfig): CostEstimate | { unavailable: string } {
    try {
        return estimatedMonthlyCostUsd(costInputFor(config));
    } catch (e) {
        return { unavailable: (e as Error).message };
    }
}

import { DROPLET_PRICES_USD } from "./droplet-prices";

/**
 * DigitalOcean list prices in USD per month (28-day cap, before taxes and credits).
 *
 * Read on PRICES_AS_OF:
 * - https://docs.digitalocean.com/products/kubernetes/details/pricing/
 *   (nodes cost what Droplets cost; HA control plane $40/month)
 * - https://docs.digitalocean.com/products/container-registry/details/pricing/ (the three tiers)
 * - https://docs.digitalocean.com/products/databases/ (the smallest plan has no standby nodes)
 * - https://docs.digitalocean.com/products/networking/load-balancers/ ($10 per node, an old copy)
 * - https://docs.digitalocean.com/products/uptime/details/pricing/ ("Each Uptime check costs $1.00
 *   per month, billed in hourly increments. There is no additional cost for alerts.")
 * - https://www.digitalocean.com/docs/monitoring/ ("DigitalOcean Monitoring is provided at no
 *   additional cost": the resource alert policies)
 * Per-size tables are on https://www.digitalocean.com/pricing/droplets and
 * https://www.digitalocean.com/pricing/managed-databases, which could not be read here: those
 * prices come from consistent third-party records and are marked `confirmed: false`.
 */
export const PRICES_AS_OF = "2026-11-22";
export { DROPLET_PRICES_AS_OF } from "./droplet-prices";

export interface Price {
    usd: number;
    /** false: not confirmed on DigitalOcean's own pages (see the note beside it). */
    confirmed: boolean;
}

export interface PriceTable {
    droplet: Record<string, Price>;
    doksHaControlPlane: Price;
    postgres: Record<string, { primary: Price; standby?: Price }>;
    loadBalancerNode: Price;
    volumeGiB: Price;
    registry: Record<string, Price>;
    uptimeCheck: Price;
    uptimeAlert: Price;
    resourceAlert: Price;
}

export const PRICES: PriceTable = {
    /** Every Droplet size DOKS runs as a node, from components/droplet-prices.ts (third-party record of the API). */
    droplet: Object.fromEntries(Object.entries(DROPLET_PRICES_USD).map(([slug, usd]) => [slug, { usd, confirmed: false }])),

    /** DOKS high-availability control plane, per cluster. */
    doksHaControlPlane: { usd: 40, confirmed: true },

    /**
     * Managed PostgreSQL, per node: the primary, and each standby (nodeCount - 1); no `standby`
     * means the plan cannot have one (confirmed for db-s-1vcpu-1gb). Standby nodes are priced
     * like the primary after a third-party 2026 invoice of a two-node 2 GiB cluster (2 x $30).
     */
    postgres: {
        "db-s-1vcpu-1gb": { primary: { usd: 15, confirmed: false } },
        "db-s-1vcpu-2gb": { primary: { usd: 30, confirmed: false }, standby: { usd: 30, confirmed: false } },
        "db-s-2vcpu-4gb": { primary: { usd: 60, confirmed: false }, standby: { usd: 60, confirmed: false } },
        "db-s-4vcpu-8gb": { primary: { usd: 120, confirmed: false }, standby: { usd: 120, confirmed: false } },
    },

    /** One regional load balancer node: $12 on current third-party invoices; the docs copy read said $10. */
    loadBalancerNode: { usd: 12, confirmed: false },

    /** Block storage volumes (the static-content PVC), per GiB. Third-party. */
    volumeGiB: { usd: 0.1, confirmed: false },

    /** Container Registry subscription tiers. */
    registry: {
        starter: { usd: 0, confirmed: true },
        basic: { usd: 5, confirmed: true },
        professional: { usd: 20, confirmed: true },
    },

    /** DigitalOcean Uptime: each check, per month; its alerts cost nothing. */
    uptimeCheck: { usd: 1, confirmed: true },
    uptimeAlert: { usd: 0, confirmed: true },
    /** DigitalOcean Monitoring alert policies (MonitorAlert): free. */
    resourceAlert: { usd: 0, confirmed: true },
};

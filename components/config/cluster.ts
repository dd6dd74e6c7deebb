/**
 * Keys of the VPC and the DOKS cluster (components/network.ts, components/cluster.ts), and the
 * rules between them: the networks, and the node count within the autoscaler's bounds.
 */
import { z } from "zod";
import { type CrossFieldRule, rule } from "./fields";
import { isPrivateNetwork, nodeCapacity, overlap, reservedOverlaps } from "./networks";
import { doksNodeSizeProblem } from "./rules";
import { KUBERNETES_MINOR, NEWEST_SUPPORTED_MINOR } from "./versions";

/** DigitalOcean regions that offer Kubernetes, managed databases and VPCs. */
export const REGIONS = [
    "ams3", "atl1", "blr1", "fra1", "lon1", "nyc1", "nyc3",
    "ric1", "sfo2", "sfo3", "sgp1", "syd1", "tor1",
] as const;

/** Days a DOKS maintenance window may start on. */
export const MAINTENANCE_DAYS = [
    "any", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
] as const;

// Droplet slugs: lower-case words joined by "-"; Storage-Optimized 1.5x sizes carry an "_" (so1_5-2vcpu-16gb).
const slug = /^[a-z0-9]+(_[a-z0-9]+)?(-[a-z0-9]+)+$/;
const privateCidr =
    /^(10\.\d{1,3}\.\d{1,3}\.\d{1,3}|172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3})\/(1[6-9]|2[0-8])$/;

const cluster = z.strictObject({
    region: z.enum(REGIONS).default("fra1"),
    vpcIpRange: z
        .string()
        .regex(privateCidr, { message: "a private IPv4 CIDR between /16 and /28, e.g. 10.20.0.0/16" })
        .optional(),
    // VPC-native networking (pods and Services on VPC-routable ranges); both or neither.
    clusterSubnet: z
        .string()
        .refine((c) => isPrivateNetwork(c, 15, 20), {
            message: "a private IPv4 network (RFC 1918) from /15 to /20, given by its network address, e.g. 172.25.0.0/16 (each node takes a /25 of it)",
        })
        .optional(),
    serviceSubnet: z
        .string()
        .refine((c) => isPrivateNetwork(c, 16, 22), {
            message: "a private IPv4 network (RFC 1918) from /16 to /22, given by its network address, e.g. 172.26.0.0/19 (one address per Service)",
        })
        .optional(),

    kubernetesVersionPrefix: z
        .string()
        .regex(/^\d+\.\d+\.?$/, { message: 'a minor version prefix such as "1.36" or "1.36."' })
        .transform((p) => (p.endsWith(".") ? p : `${p}.`))
        .default(`${NEWEST_SUPPORTED_MINOR}.`),
    acceptUnsupportedKubernetesVersion: z
        .string()
        .regex(KUBERNETES_MINOR, { message: 'the minor of kubernetesVersionPrefix, such as "1.36"' })
        .optional(),
    nodeSize: z
        .string()
        .regex(slug, { message: 'a DigitalOcean Droplet size slug such as "s-2vcpu-4gb"' })
        .superRefine(rule(doksNodeSizeProblem))
        .default("s-2vcpu-4gb"),
    nodeCount: z.int().min(1).max(512).default(3),
    nodeAutoscale: z
        .strictObject({
            minNodes: z.int().min(1).max(512),
            maxNodes: z.int().min(1).max(512),
        })
        .refine((a) => a.minNodes <= a.maxNodes, {
            message: "minNodes must not be greater than maxNodes",
        })
        .optional(),
    haControlPlane: z.boolean().default(false),
    autoUpgrade: z.boolean().default(true),
    surgeUpgrade: z.boolean().default(true),
    maintenanceWindow: z
        .strictObject({
            day: z.enum(MAINTENANCE_DAYS),
            startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, {
                message: 'a UTC time as HH:MM, e.g. "04:00"',
            }),
        })
        .default({ day: "sunday", startTime: "04:00" }),
    destroyAllAssociatedResources: z.boolean().default(true),
});

/** The cluster's keys, in the order they are checked. */
export const clusterKeys = cluster.shape;
type ClusterConfig = z.output<typeof cluster>;

/**
 * The stack's networks must not overlap each other or DigitalOcean's reserved ranges, and the
 * cluster subnet must hold the pool's nodes. Only ranges that passed their own checks are compared.
 */
export const networkRule: CrossFieldRule<
    Pick<ClusterConfig, "region" | "vpcIpRange" | "clusterSubnet" | "serviceSubnet" | "nodeCount" | "nodeAutoscale">
> = (c, ctx) => {
    const valid = (v: string | undefined, shortest: number, longest: number) => (v !== undefined && isPrivateNetwork(v, shortest, longest) ? v : undefined);
    const vpc = valid(c.vpcIpRange, 16, 28);
    const cluster = valid(c.clusterSubnet, 15, 20);
    const service = valid(c.serviceSubnet, 16, 22);
    const issue = (key: string, input: unknown, message: string) => ctx.addIssue({ code: "custom", path: [key], input, message });
    const both = "DigitalOcean needs both clusterSubnet and serviceSubnet for a VPC-native cluster";
    if (c.clusterSubnet !== undefined && c.serviceSubnet === undefined) issue("serviceSubnet", undefined, `a value (required with clusterSubnet: ${both})`);
    if (c.serviceSubnet !== undefined && c.clusterSubnet === undefined) issue("clusterSubnet", undefined, `a value (required with serviceSubnet: ${both})`);
    if ((c.clusterSubnet !== undefined || c.serviceSubnet !== undefined) && c.vpcIpRange === undefined) {
        issue("vpcIpRange", undefined, "a value (required with clusterSubnet and serviceSubnet: a range DigitalOcean picks cannot be checked against them)");
    }
    // 10.244.0.0/16 and 10.245.0.0/16 are also the pod and service networks of a cluster without its own subnets.
    const vpcReserved = vpc === undefined ? [] : reservedOverlaps(vpc, c.region);
    if (vpcReserved.length > 0) issue("vpcIpRange", vpc, `a range outside what DigitalOcean reserves in ${c.region} (${vpcReserved.join(", ")})`);
    for (const [key, range] of [["clusterSubnet", cluster], ["serviceSubnet", service]] as const) {
        if (range === undefined) continue;
        if (vpc !== undefined && overlap(range, vpc)) issue(key, range, `a range that does not overlap vpcIpRange (${vpc})`);
        const reserved = reservedOverlaps(range, c.region);
        if (reserved.length > 0) issue(key, range, `a range outside what DigitalOcean reserves in ${c.region} (${reserved.join(", ")})`);
    }
    if (cluster !== undefined && service !== undefined && overlap(cluster, service)) {
        issue("serviceSubnet", service, `a range that does not overlap clusterSubnet (${cluster})`);
    }
    const nodes = c.nodeAutoscale?.maxNodes ?? c.nodeCount;
    if (cluster !== undefined && nodeCapacity(cluster) < nodes) {
        issue("clusterSubnet", cluster, `a network with room for ${nodes} nodes (a /25 each): this one holds ${nodeCapacity(cluster)}`);
    }
};

/** A fixed node count must lie within the autoscaler's bounds. */
export const nodeCountRule: CrossFieldRule<Pick<ClusterConfig, "nodeCount" | "nodeAutoscale">> = (c, ctx) => {
    const a = c.nodeAutoscale;
    if (a && a.minNodes <= a.maxNodes && (c.nodeCount < a.minNodes || c.nodeCount > a.maxNodes)) {
        ctx.addIssue({
            code: "custom",
            path: ["nodeCount"],
            input: c.nodeCount,
            message: `a node count within nodeAutoscale (${a.minNodes}..${a.maxNodes})`,
        });
    }
};

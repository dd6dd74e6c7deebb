import * as ipaddr from "ipaddr.js";

/**
 * Address ranges of a stack's networks, checked with ipaddr.js. DigitalOcean refuses a VPC or a
 * VPC-native cluster whose ranges overlap another network of the team or a reserved range:
 * https://docs.digitalocean.com/products/kubernetes/how-to/create-clusters/#create-a-cluster-with-vpc-native-networking
 * https://docs.digitalocean.com/products/networking/vpc/details/limits/
 */

/** Reserved in every region for DigitalOcean's own use. */
export const RESERVED_EVERYWHERE = ["10.244.0.0/16", "10.245.0.0/16", "10.246.0.0/24", "10.229.0.0/16"];

/** Reserved in one region (the VPC limits page lists no range for ric1). */
export const RESERVED_IN_REGION: Record<string, string> = {
    ams3: "10.18.0.0/16",
    atl1: "10.50.0.0/16",
    blr1: "10.47.0.0/16",
    fra1: "10.19.0.0/16",
    lon1: "10.16.0.0/16",
    nyc1: "10.10.0.0/16",
    nyc3: "10.17.0.0/16",
    sfo2: "10.46.0.0/16",
    sfo3: "10.48.0.0/16",
    sgp1: "10.15.0.0/16",
    syd1: "10.49.0.0/16",
    tor1: "10.29.0.0/16",
};

/** Each VPC-native node gets a /25 of the cluster subnet (pods), per the create-clusters page. */
const NODE_PREFIX = 25;

/** A network in RFC 1918 space, given by its network address, with a prefix length in [shortest, longest]. */
export function isPrivateNetwork(cidr: string, shortest: number, longest: number): boolean {
    if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr)) return false;
    const [address, prefix] = ipaddr.IPv4.parseCIDR(cidr);
    return (
        prefix >= shortest &&
        prefix <= longest &&
        ipaddr.IPv4.networkAddressFromCIDR(cidr).toString() === address.toString() &&
        address.range() === "private" &&
        ipaddr.IPv4.broadcastAddressFromCIDR(cidr).range() === "private"
    );
}

/** Whether two IPv4 networks share an address (one contains the other's network address). */
export function overlap(a: string, b: string): boolean {
    const [na, pa] = ipaddr.IPv4.parseCIDR(a);
    const [nb, pb] = ipaddr.IPv4.parseCIDR(b);
    return na.match(nb, pb) || nb.match(na, pa);
}

/** The reserved ranges a network overlaps in a region. */
export function reservedOverlaps(cidr: string, region: string): string[] {
    const reserved = [...RESERVED_EVERYWHERE, ...(RESERVED_IN_REGION[region] ? [RESERVED_IN_REGION[region]] : [])];
    return reserved.filter((r) => overlap(cidr, r));
}

/** How many nodes a VPC-native cluster subnet holds. */
export function nodeCapacity(clusterSubnet: string): number {
    const [, prefix] = ipaddr.IPv4.parseCIDR(clusterSubnet);
    return 2 ** (NODE_PREFIX - prefix);
}

import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { afterLiveChecks, REBUILD, StackId } from "./live";

export interface NetworkArgs {
    stackId: StackId;
    name: string;
    region: string;
    /** Private CIDR; DigitalOcean picks a free range when unset. */
    ipRange?: string;
    description?: string;
}

/** What a VPC change replaces: everything on it. */
const VPC_REPLACED = `a new VPC, and with it the cluster and the database, which DigitalOcean cannot move to another VPC: ${REBUILD}`;

/**
 * The stack's private network: the cluster and the database talk over it only. Its region and
 * range cannot change in place (digitalocean_vpc: region and ip_range ForceNew), so on a stack
 * that has the VPC they are compared with it and a change is refused (components/live.ts).
 */
export class Network extends pulumi.ComponentResource {
    /** The VPC's id, once the configuration matches it: the cluster and the database wait for it. */
    public readonly vpcId: pulumi.Output<string>;
    /** The VPC's CIDR, for egress rules towards the database. */
    public readonly ipRange: pulumi.Output<string>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("django-doks:infra:Network", name, {}, opts);
        const vpc = new digitalocean.Vpc(
            name,
            { name: args.name, region: args.region, ipRange: args.ipRange, description: args.description },
            { parent: this, ignoreChanges: ["region", "ipRange"], customTimeouts: { delete: VPC_DELETE_TIMEOUT } },
        );
        const checks = [
            { key: "region", configured: args.region, live: vpc.region, consequence: VPC_REPLACED },
            { key: "vpcIpRange", configured: args.ipRange, live: vpc.ipRange, consequence: VPC_REPLACED },
        ];
        const checked = afterLiveChecks(args.stackId, pulumi.all([vpc.id, vpc.ipRange]), checks);
        this.vpcId = checked.apply(([id]) => id);
        this.ipRange = checked.apply(([, ipRange]) => ipRange);
        this.registerOutputs({ vpcId: this.vpcId, ipRange: this.ipRange });
    }
}

/**
 * How long `pulumi destroy` retries the VPC while its members are still leaving. The provider
 * retries a delete answered 403 or 409 (the VPC still has members) until this timeout, 2 minutes
 * by default (terraform-provider-digitalocean digitalocean/vpc/resource_vpc.go,
 * resourceDigitalOceanVPCDelete). The cluster's droplets and load balancer and the database
 * are deleted asynchronously after their own delete calls return, which takes longer.
 */
export const VPC_DELETE_TIMEOUT = "30m";

import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";

export interface NetworkArgs {
    name: string;
    region: string;
    /** Private CIDR; DigitalOcean picks a free range when unset. */
    ipRange?: string;
    description?: string;
}

/** The stack's private network: the cluster and the database talk over it only. */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    /** The VPC's CIDR, for egress rules towards the database. */
    public readonly ipRange: pulumi.Output<string>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("django-doks:infra:Network", name, {}, opts);
        const vpc = new digitalocean.Vpc(
            name,
            { name: args.name, region: args.region, ipRange: args.ipRange, description: args.description },
            { parent: this },
        );
        this.vpcId = vpc.id;
        this.ipRange = vpc.ipRange;
        this.registerOutputs({ vpcId: this.vpcId, ipRange: this.ipRange });
    }
}

import * as digitalocean from "@pulumi/digitalocean";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { buildKubeconfig } from "./kubeconfig";
import { NAME_SUFFIXES } from "./naming";

export interface NodeAutoscale {
    minNodes: number;
    maxNodes: number;
}

export interface ClusterArgs {
    name: string;
    region: string;
    vpcId: pulumi.Input<string>;
    /**
     * Pod and Service ranges of a VPC-native cluster (both or neither); they force a new
     * cluster when changed (digitalocean_kubernetes_cluster: cluster_subnet, service_subnet ForceNew).
     */
    clusterSubnet?: string;
    serviceSubnet?: string;
    /** Minor version prefix ("1.36."), resolved to the newest DOKS patch release. */
    versionPrefix: string;
    nodeSize: string;
    nodeCount: number;
    autoscale?: NodeAutoscale;
    haControlPlane: boolean;
    autoUpgrade: boolean;
    surgeUpgrade: boolean;
    maintenanceWindow: { day: string; startTime: string };
    destroyAllAssociatedResources: boolean;
    tags: string[];
    /** DigitalOcean API token the kubernetes Provider authenticates with. */
    apiToken: pulumi.Input<string>;
}

/** Picks the newest DOKS release for a prefix, or explains which key to change. */
export function pickVersion(prefix: string, latest: string): string {
    if (latest) return latest;
    throw new Error(
        `kubernetesVersionPrefix "${prefix}" matches no DigitalOcean Kubernetes release. ` +
            `List them with "doctl kubernetes options versions" and set one with ` +
            `pulumi config set kubernetesVersionPrefix <major.minor>.`,
    );
}

/** A DOKS cluster in the stack's VPC, and a kubernetes Provider that keeps working after 7 days. */
export class Cluster extends pulumi.ComponentResource {
    public readonly clusterId: pulumi.Output<string>;
    public readonly clusterName: pulumi.Output<string>;
    public readonly version: pulumi.Output<string>;
    /** The kubeconfig DigitalOcean issues for people (valid 7 days, renewed by `pulumi refresh`). */
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly provider: k8s.Provider;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("django-doks:infra:Cluster", name, {}, opts);

        const versions = digitalocean.getKubernetesVersionsOutput({ versionPrefix: args.versionPrefix }, { parent: this });
        const version = versions.apply((v) => pickVersion(args.versionPrefix, v.latestVersion));

        const cluster = new digitalocean.KubernetesCluster(
            name,
            {
                name: args.name,
                region: args.region,
                vpcUuid: args.vpcId,
                clusterSubnet: args.clusterSubnet,
                serviceSubnet: args.serviceSubnet,
                version,
                ha: args.haControlPlane,
                autoUpgrade: args.autoUpgrade,
                surgeUpgrade: args.surgeUpgrade,
                maintenancePolicy: args.maintenanceWindow,
                destroyAllAssociatedResources: args.destroyAllAssociatedResources,
                tags: args.tags,
                nodePool: {
                    name: `${args.name}-${NAME_SUFFIXES.nodePool}`,
                    size: args.nodeSize,
                    nodeCount: args.nodeCount,
                    autoScale: args.autoscale !== undefined,
                    minNodes: args.autoscale?.minNodes,
                    maxNodes: args.autoscale?.maxNodes,
                    tags: args.tags,
                },
            },
            // The autoscaler moves the node count; the pool's count is only the starting size.
            { parent: this, ignoreChanges: args.autoscale ? ["nodePool.nodeCount"] : [] },
        );

        this.clusterId = cluster.id;
        this.clusterName = cluster.name;
        this.version = cluster.version;
        this.kubeconfig = pulumi.secret(cluster.kubeConfigs.apply((c) => c[0]?.rawConfig ?? ""));

        const providerKubeconfig = pulumi.secret(
            pulumi
                .all([cluster.name, cluster.endpoint, cluster.kubeConfigs, args.apiToken])
                .apply(([clusterName, endpoint, configs, token]) =>
                    buildKubeconfig({ clusterName, endpoint, caCertificate: configs[0]?.clusterCaCertificate ?? "", token }),
                ),
        );
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: providerKubeconfig, clusterIdentifier: cluster.id, enableServerSideApply: true },
            { parent: this },
        );

        this.registerOutputs({
            clusterId: this.clusterId,
            clusterName: this.clusterName,
            version: this.version,
        });
    }
}

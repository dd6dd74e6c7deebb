import * as digitalocean from "@pulumi/digitalocean";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { buildKubeconfig } from "./kubeconfig";
import * as semver from "semver";
import { minorVersion, problemLine } from "./config";
import { afterLiveChecks, REBUILD, refusal, StackId } from "./live";
import { DEFAULT_POOL, NAME_SUFFIXES, WORKER_POOL_LABEL, workerPoolName } from "./naming";

export interface NodeAutoscale {
    minNodes: number;
    maxNodes: number;
}

export interface ClusterArgs {
    stackId: StackId;
    name: string;
    region: string;
    /** The VPC's id, once its own checks passed. */
    vpcId: pulumi.Input<string>;
    /**
     * Pod and Service ranges of a VPC-native cluster (both or neither); they cannot change on a
     * cluster that exists (digitalocean_kubernetes_cluster: cluster_subnet, service_subnet ForceNew).
     */
    clusterSubnet?: string;
    serviceSubnet?: string;
    /** Minor version prefix ("1.36."), resolved to the newest DOKS patch release. */
    versionPrefix: string;
    /** Leave the version the cluster runs alone (see versionPlan). */
    keepRunningVersion: boolean;
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

/**
 * What `pulumi up` does with the cluster's version. Under `autoUpgrade`, DigitalOcean applies the
 * patch releases of the cluster's minor itself, in the maintenance window: the program leaves the
 * version alone (Pulumi ignores it in the diff) until `kubernetesVersionPrefix` names another
 * minor. A lower minor is refused: the provider would replace the cluster
 * (digitalocean_kubernetes_cluster's CustomizeDiff forces a new resource when the version
 * decreases), and DOKS cannot downgrade.
 */
export function versionPlan(o: { stackId: StackId; prefix: string; autoUpgrade: boolean; running?: string }): { keepRunning: boolean } {
    if (o.running === undefined) return { keepRunning: false };
    const running = minorVersion(o.running);
    const wanted = minorVersion(o.prefix);
    const runningMinor = `${running.major}.${running.minor}`;
    if (semver.lt(wanted, `${runningMinor}.0`)) {
        throw refusal(o.stackId, [
            problemLine(
                `${o.stackId.project}:kubernetesVersionPrefix`,
                JSON.stringify(o.prefix),
                `${runningMinor} or later, the cluster runs ${o.running} (DOKS cannot downgrade a cluster: the provider would replace it and everything on it: ${REBUILD})`,
            ),
        ]);
    }
    return { keepRunning: o.autoUpgrade && wanted.major === running.major && wanted.minor === running.minor };
}

const CLUSTER_REPLACED = `the cluster, and with it every workload, volume and the load balancer's IP: ${REBUILD}`;

/**
 * A DOKS cluster in the stack's VPC, its worker node pool, and a kubernetes Provider that keeps
 * working after 7 days.
 */
export class Cluster extends pulumi.ComponentResource {
    /** The cluster's id, once the configuration matches it. */
    public readonly clusterId: pulumi.Output<string>;
    public readonly clusterName: pulumi.Output<string>;
    public readonly version: pulumi.Output<string>;
    /** The kubeconfig DigitalOcean issues for people (valid 7 days, renewed by `pulumi refresh`). */
    public readonly kubeconfig: pulumi.Output<string>;
    /** The worker pool's DigitalOcean name and size. */
    public readonly workerPool: pulumi.Output<{ name: string; size: string }>;
    /** The worker pool's node label: every workload of the stack selects it. */
    public readonly nodeSelector: Record<string, string> = { ...WORKER_POOL_LABEL };
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
                    name: `${args.name}-${NAME_SUFFIXES.defaultPool}`,
                    size: DEFAULT_POOL.size,
                    nodeCount: DEFAULT_POOL.nodeCount,
                    autoScale: false,
                    // Stated: left unset, every in-place update of the cluster plans it as unknown.
                    labels: {},
                    tags: args.tags,
                },
            },
            {
                parent: this,
                // Each of these replaces the cluster: refused below instead (components/live.ts). The
                // default pool's size is fixed; a cluster created with another keeps it.
                ignoreChanges: ["region", "clusterSubnet", "serviceSubnet", "nodePool.size", ...(args.keepRunningVersion ? ["version"] : [])],
            },
        );
        const checks = [
            { key: "region", configured: args.region, live: cluster.region, consequence: CLUSTER_REPLACED },
            { key: "clusterSubnet", configured: args.clusterSubnet, live: cluster.clusterSubnet, consequence: CLUSTER_REPLACED },
            { key: "serviceSubnet", configured: args.serviceSubnet, live: cluster.serviceSubnet, consequence: CLUSTER_REPLACED },
        ];
        const clusterId = afterLiveChecks(args.stackId, cluster.id, checks);

        // A new size is a new pool: Pulumi creates it, waits for its nodes, then deletes the old
        // one, whose nodes DOKS drains first ("Nodes in the pool will subsequently be drained and
        // deleted", DigitalOcean API, delete a node pool).
        const poolName = workerPoolName(args.nodeSize);
        const workers = new digitalocean.KubernetesNodePool(
            `${name}-workers`,
            {
                clusterId,
                name: poolName,
                size: args.nodeSize,
                nodeCount: args.nodeCount,
                autoScale: args.autoscale !== undefined,
                minNodes: args.autoscale?.minNodes,
                maxNodes: args.autoscale?.maxNodes,
                labels: this.nodeSelector,
                tags: args.tags,
            },
            // The autoscaler moves the node count; the pool's count is only the starting size.
            { parent: this, ignoreChanges: args.autoscale ? ["nodeCount"] : [] },
        );

        this.clusterId = clusterId;
        this.clusterName = cluster.name;
        this.version = cluster.version;
        this.workerPool = pulumi.all([workers.name, workers.size]).apply(([n, size]) => ({ name: n, size }));
        this.kubeconfig = pulumi.secret(cluster.kubeConfigs.apply((c) => c[0]?.rawConfig ?? ""));

        const providerKubeconfig = pulumi.secret(
            pulumi
                .all([cluster.name, cluster.endpoint, cluster.kubeConfigs, args.apiToken])
                .apply(([clusterName, endpoint, configs, token]) =>
                    buildKubeconfig({ clusterName, endpoint, caCertificate: configs[0]?.clusterCaCertificate ?? "", token }),
                ),
        );
        // Everything on the cluster waits for the worker pool: the workloads select its nodes.
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: providerKubeconfig, clusterIdentifier: clusterId, enableServerSideApply: true },
            { parent: this, dependsOn: [workers] },
        );

        this.registerOutputs({
            clusterId: this.clusterId,
            clusterName: this.clusterName,
            version: this.version,
            workerPool: this.workerPool,
        });
    }
}

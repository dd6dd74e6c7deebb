import { Cluster } from "./components/cluster";
import { loadConfig } from "./components/config";
import { Database } from "./components/database";
import { resourceName, stackTags } from "./components/naming";
import { Network } from "./components/network";
import { Platform } from "./components/platform";
import { Registry } from "./components/registry";

export = function program() {
    const config = loadConfig();
    const tags = stackTags(config);
    const baseName = resourceName(config);

    const network = new Network("network", {
        name: baseName,
        region: config.region,
        ipRange: config.vpcIpRange,
        description: `${config.project} ${config.stack}`,
    });

    const cluster = new Cluster("cluster", {
        name: baseName,
        region: config.region,
        vpcId: network.vpcId,
        versionPrefix: config.kubernetesVersionPrefix,
        nodeSize: config.nodeSize,
        nodeCount: config.nodeCount,
        autoscale: config.nodeAutoscale,
        haControlPlane: config.haControlPlane,
        autoUpgrade: config.autoUpgrade,
        surgeUpgrade: config.surgeUpgrade,
        maintenanceWindow: config.maintenanceWindow,
        destroyAllAssociatedResources: config.destroyAllAssociatedResources,
        tags,
        apiToken: config.doToken,
    });

    const database = new Database("database", {
        name: resourceName(config, "pg"),
        region: config.region,
        vpcId: network.vpcId,
        kubernetesClusterId: cluster.clusterId,
        version: config.dbVersion,
        size: config.dbSize,
        nodeCount: config.dbNodeCount,
        databaseName: config.dbName,
        userName: config.dbUser,
        poolSize: config.dbPoolSize,
        protect: config.dbProtect,
        tags,
    });

    const registry = new Registry("registry", {
        name: config.registryName,
        mode: config.registryMode,
        tier: config.registryTier,
        region: config.registryRegion,
    });

    const platform = new Platform("platform", {
        provider: cluster.provider,
        charts: config.charts,
        ingressReplicas: config.ingressReplicas,
        proxyProtocol: config.ingressProxyProtocol,
        loadBalancerName: config.loadBalancerName,
        hostname: config.hostname,
        metricsServerReplicas: config.metricsServerReplicas,
        acmeEmail: config.acmeEmail,
        defaultIssuer: config.certIssuer,
    });

    return {
        kubeconfig: cluster.kubeconfig,
        clusterName: cluster.clusterName,
        clusterId: cluster.clusterId,
        kubernetesVersion: cluster.version,
        vpcId: network.vpcId,
        loadBalancerIp: platform.loadBalancerIp,
        ingressClassName: platform.ingressClassName,
        clusterIssuer: platform.defaultClusterIssuer,
        databaseHost: database.privateHost,
        databasePort: database.port,
        databaseName: database.database,
        databaseUser: database.user,
        databaseUri: database.privateUri,
        databasePoolUri: database.poolPrivateUri,
        registryEndpoint: registry.endpoint,
        appUrl: `https://${config.hostname}`,
    };
};

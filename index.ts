import * as pulumi from "@pulumi/pulumi";
import { App, APP_NAMESPACE, TLS_SECRET_NAME } from "./components/app";
import { Cluster, versionPlan } from "./components/cluster";
import { loadConfig } from "./components/config";
import { stackCostEstimateOutput } from "./components/cost";
import { Database } from "./components/database";
import { Dns } from "./components/dns";
import { AppImage } from "./components/image";
import { Monitoring, uptimePath } from "./components/monitoring";
import { NAME_SUFFIXES, resourceName, stackTags } from "./components/naming";
import { Network } from "./components/network";
import { Platform } from "./components/platform";
import { priorKubernetesVersion } from "./components/prior";
import { Registry } from "./components/registry";

export = async function program() {
    const config = loadConfig();
    const stackId = { project: config.project, stack: config.stack };
    const tags = stackTags(config);
    const baseName = resourceName(config);
    const version = versionPlan({
        stackId,
        prefix: config.kubernetesVersionPrefix,
        autoUpgrade: config.autoUpgrade,
        running: await priorKubernetesVersion(),
    });

    const network = new Network("network", {
        stackId,
        name: baseName,
        region: config.region,
        ipRange: config.vpcIpRange,
        description: `${config.project} ${config.stack}`,
    });

    const cluster = new Cluster("cluster", {
        stackId,
        name: baseName,
        region: config.region,
        vpcId: network.vpcId,
        clusterSubnet: config.clusterSubnet,
        serviceSubnet: config.serviceSubnet,
        versionPrefix: config.kubernetesVersionPrefix,
        keepRunningVersion: version.keepRunning,
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
        stackId,
        name: resourceName(config, NAME_SUFFIXES.database),
        region: config.region,
        vpcId: network.vpcId,
        kubernetesClusterId: cluster.clusterId,
        version: config.dbVersion,
        size: config.dbSize,
        nodeCount: config.dbNodeCount,
        databaseName: config.dbName,
        userName: config.dbUser,
        runtimeUserName: config.dbRuntimeUser,
        poolSize: config.dbPoolSize,
        protect: config.dbProtect,
        tags,
    });

    const registry = new Registry("registry", {
        stackId,
        name: config.registryName,
        mode: config.registryMode,
        tier: config.registryTier,
        region: config.registryRegion,
    });

    const platform = new Platform("platform", {
        provider: cluster.provider,
        entrypoints: config.entrypoints,
        hostnames: config.hostnames,
        appNamespace: APP_NAMESPACE,
        tlsSecretName: TLS_SECRET_NAME,
        charts: config.charts,
        ingressReplicas: config.ingressReplicas,
        proxyProtocol: config.ingressProxyProtocol,
        loadBalancerName: config.loadBalancerName,
        hostname: config.hostname,
        metricsServerReplicas: config.metricsServerReplicas,
        acmeEmail: config.acmeEmail,
        defaultIssuer: config.certIssuer,
        nodeSelector: cluster.nodeSelector,
    });

    const dns = new Dns("dns", {
        provider: config.dns.provider,
        hostnames: config.hostnames,
        domain: config.dnsDomain,
        ip: platform.loadBalancerIp,
        ddnsUrl: config.dns.ddnsUrl,
        password: config.namecheapPassword,
        resolvers: config.dns.resolvers,
        timeoutSeconds: config.dns.timeoutSeconds,
        onDestroy: config.dns.onDestroy,
    });

    const image =
        config.app.image ??
        new AppImage("app-image", {
            context: "app",
            registry: { name: registry.name, endpoint: registry.endpoint, serverUrl: registry.serverUrl },
            tag: config.stack,
        }).ref;

    const app = new App("app", {
        provider: cluster.provider,
        namespace: APP_NAMESPACE,
        instance: config.stack,
        nodeSelector: cluster.nodeSelector,
        image,
        hostnames: config.hostnames,
        env: config.app.env,
        secretEnv: config.appSecrets,
        databaseUrl: database.poolPrivateUri,
        migrationDatabaseUrl: database.privateUri,
        databaseRoles: { database: database.database, owner: database.user, runtime: database.runtimeUser, adminUrl: database.adminUri },
        database: { cidr: network.ipRange, ports: [database.port, database.poolPort] },
        registryDockerConfigJson: registry.dockerConfigJson,
        traffic: platform.traffic,
        clusterIssuer: platform.defaultClusterIssuer,
        dnsReady: dns.ready,
        routes: config.app.routes,
        scaling: {
            minReplicas: config.app.minReplicas,
            maxReplicas: config.app.maxReplicas,
            autoscaling: config.app.autoscaling,
            cpuUtilization: config.app.cpuUtilization,
            memoryUtilization: config.app.memoryUtilization,
        },
        resources: config.app.resources,
        probes: config.app.probes,
        gunicornWorkers: config.app.gunicornWorkers,
        migrateCommand: config.app.migrateCommand,
        staticContent: config.staticContent,
        egress: config.app.egress,
    });

    const { slackWebhook, ...monitoringSettings } = config.monitoring;
    const monitoring = monitoringSettings.enabled
        ? new Monitoring("monitoring", {
              name: baseName,
              hostnames: config.hostnames,
              path: uptimePath(monitoringSettings.uptime.path, config.app.probes.readiness, config.app.routes),
              appServed: app.ingressName,
              settings: monitoringSettings,
              slackWebhook,
              clusterId: cluster.clusterId,
              loadBalancerName: config.loadBalancerName,
              loadBalancerId: platform.loadBalancerId,
              databaseClusterId: database.clusterId,
          })
        : undefined;

    return {
        kubeconfig: cluster.kubeconfig,
        clusterName: cluster.clusterName,
        clusterId: cluster.clusterId,
        kubernetesVersion: cluster.version,
        workerPool: cluster.workerPool,
        vpcId: network.vpcId,
        loadBalancerIp: platform.loadBalancerIp,
        loadBalancerId: platform.loadBalancerId,
        ...(platform.ingressClassName !== undefined && { ingressClassName: platform.ingressClassName }),
        ...(platform.traffic.gateway && { gateway: `${platform.traffic.gateway.namespace}/${platform.traffic.gateway.name}` }),
        clusterIssuer: platform.defaultClusterIssuer,
        databaseHost: database.privateHost,
        databasePort: database.port,
        databaseName: database.database,
        databaseUser: database.user,
        databaseRuntimeUser: database.runtimeUser,
        databaseUri: database.privateUri,
        databasePoolUri: database.poolPrivateUri,
        registryEndpoint: registry.endpoint,
        appImage: pulumi.output(image),
        appNamespace: app.namespace,
        dnsProvider: config.dns.provider,
        dnsRecords: dns.records,
        appUrl: `https://${config.hostname}`,
        uptimeCheckIds: monitoring?.uptimeCheckIds ?? [],
        monitoring: monitoring?.summary ?? { enabled: false },
        estimatedMonthlyCostUsd: stackCostEstimateOutput(config),
    };
};

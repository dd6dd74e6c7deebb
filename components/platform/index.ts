import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CERT_MANAGER, certManagerValues, ChartSource, INGRESS_CONTROLLER, ingressNginxValues, METRICS_SERVER, metricsServerValues } from "./charts";
import { createGateway, GATEWAY, GatewayRef } from "./gateway";
import { createClusterIssuers, IssuerKind } from "./issuers";
import { readLoadBalancer } from "./load-balancer";

export * from "./charts";
export * from "./gateway";
export * from "./issuers";
export * from "./load-balancer";

/** How traffic reaches the app: the paths the stack runs (the config loader decides them). */
export interface Entrypoints {
    nginx: boolean;
    gateway: boolean;
    /** The path DNS points at, the challenges go through and the alerts watch. */
    serving: "nginx" | "gateway";
}

/** What the app needs of each path that runs. */
export interface Traffic {
    /** ingress-nginx: an Ingress of this class, reached from the controller's namespace. */
    ingress?: { className: string; controllerNamespace: pulumi.Input<string> };
    /** DOKS's Gateway: HTTPRoutes on its listeners, reached from Cilium's Envoy. */
    gateway?: GatewayRef;
}

export interface PlatformArgs {
    provider: k8s.Provider;
    entrypoints: Entrypoints;
    hostnames: string[];
    /** The app's namespace and its TLS Secret: the Gateway's routes and certificate come from there. */
    appNamespace: string;
    tlsSecretName: string;
    charts: { ingressNginx: string; certManager: string; metricsServer: string };
    ingressReplicas: number;
    proxyProtocol: boolean;
    loadBalancerName: string;
    hostname: string;
    metricsServerReplicas: number;
    acmeEmail: string;
    defaultIssuer: IssuerKind;
    /** The worker pool's node label: the charts' pods run there. */
    nodeSelector: Record<string, string>;
}

interface ChartInstall {
    /** The chart's version (pinned in config). */
    version: string;
    values: Record<string, unknown>;
    timeoutSeconds: number;
}

/** A chart's namespace and its Helm release in it. */
function installChart(parent: pulumi.ComponentResource, name: string, provider: k8s.Provider, source: ChartSource, install: ChartInstall): k8s.helm.v3.Release {
    const opts = { parent, provider };
    const ns = new k8s.core.v1.Namespace(
        `${name}-${source.namespace}`,
        { metadata: { name: source.namespace, labels: { "app.kubernetes.io/part-of": "platform" } } },
        opts,
    );
    return new k8s.helm.v3.Release(
        `${name}-${source.release}`,
        {
            name: source.release,
            chart: source.chart,
            version: install.version,
            ...(source.repo !== undefined && { repositoryOpts: { repo: source.repo } }),
            // The literal name, known at preview (policies read it), after the Namespace.
            namespace: source.namespace,
            values: install.values,
            timeout: install.timeoutSeconds,
            cleanupOnFail: true,
            maxHistory: 10,
        },
        { ...opts, dependsOn: [ns] },
    );
}

/**
 * The cluster's shared services: the entry path(s) (ingress-nginx behind a DigitalOcean load
 * balancer, DOKS's Gateway behind its own, or both while a stack moves), cert-manager, metrics-server.
 */
export class Platform extends pulumi.ComponentResource {
    /** The nginx IngressClass, while ingress-nginx runs. */
    public readonly ingressClassName?: string;
    /** How traffic reaches the app. */
    public readonly traffic: Traffic;
    /** Public IPv4 of the DigitalOcean load balancer DNS points at (the serving path's). */
    public readonly loadBalancerIp: pulumi.Output<string>;
    /** DigitalOcean's id of that load balancer, as its cloud controller annotated the Service. */
    public readonly loadBalancerId: pulumi.Output<string>;
    public readonly clusterIssuers: Record<IssuerKind, pulumi.Output<string>>;
    /** The issuer the app's certificates use by default (staging in dev, production in prod). */
    public readonly defaultClusterIssuer: pulumi.Output<string>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("django-doks:platform:Platform", name, {}, opts);
        const install = (source: ChartSource, chart: ChartInstall) => installChart(this, name, args.provider, source, chart);

        const ingress = args.entrypoints.nginx
            ? install(INGRESS_CONTROLLER, {
                  version: args.charts.ingressNginx,
                  values: ingressNginxValues({
                      replicas: args.ingressReplicas,
                      loadBalancerName: args.loadBalancerName,
                      proxyProtocol: args.proxyProtocol,
                      hostname: args.hostname,
                      nodeSelector: args.nodeSelector,
                  }),
                  timeoutSeconds: 900,
              })
            : undefined;
        const certManager = install(CERT_MANAGER, {
            version: args.charts.certManager,
            values: certManagerValues(args.nodeSelector, args.entrypoints.gateway),
            timeoutSeconds: 600,
        });
        install(METRICS_SERVER, {
            version: args.charts.metricsServer,
            values: metricsServerValues(args.metricsServerReplicas, args.nodeSelector),
            timeoutSeconds: 600,
        });

        const nginx = ingress && { release: ingress, lb: readLoadBalancer(this, name, { provider: args.provider, ingress }) };
        const gateway = args.entrypoints.gateway
            ? createGateway(this, name, {
                  provider: args.provider,
                  hostnames: args.hostnames,
                  appNamespace: args.appNamespace,
                  tlsSecretName: args.tlsSecretName,
                  loadBalancerName: args.loadBalancerName,
              })
            : undefined;
        this.ingressClassName = nginx && INGRESS_CONTROLLER.className;
        this.traffic = {
            ...(nginx && { ingress: { className: INGRESS_CONTROLLER.className, controllerNamespace: nginx.release.namespace } }),
            ...(gateway && { gateway: gateway.ref }),
        };
        const serving = args.entrypoints.serving === "gateway" ? gateway : nginx?.lb;
        if (serving === undefined) throw new Error(`the serving path ${args.entrypoints.serving} does not run`);
        this.loadBalancerIp = serving.ip;
        this.loadBalancerId = serving.id;
        this.clusterIssuers = createClusterIssuers(this, name, {
            provider: args.provider,
            acmeEmail: args.acmeEmail,
            certManager,
            http01: args.entrypoints.serving === "gateway" ? { gateway: { name: GATEWAY.name, namespace: GATEWAY.namespace } } : { ingressClassName: INGRESS_CONTROLLER.className },
        });
        this.defaultClusterIssuer = this.clusterIssuers[args.defaultIssuer];

        this.registerOutputs({
            loadBalancerIp: this.loadBalancerIp,
            loadBalancerId: this.loadBalancerId,
            defaultClusterIssuer: this.defaultClusterIssuer,
        });
    }
}

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CERT_MANAGER, certManagerValues, ChartSource, INGRESS_CONTROLLER, ingressNginxValues, METRICS_SERVER, metricsServerValues } from "./charts";
import { createClusterIssuers, IssuerKind } from "./issuers";
import { readLoadBalancer } from "./load-balancer";

export * from "./charts";
export * from "./issuers";
export * from "./load-balancer";

export interface PlatformArgs {
    provider: k8s.Provider;
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

/** The cluster's shared services: ingress-nginx behind a DigitalOcean LB, cert-manager, metrics-server. */
export class Platform extends pulumi.ComponentResource {
    public readonly ingressClassName: string = INGRESS_CONTROLLER.className;
    public readonly ingressNamespace: pulumi.Output<string>;
    /** Public IPv4 of the DigitalOcean load balancer in front of ingress-nginx. */
    public readonly loadBalancerIp: pulumi.Output<string>;
    /** DigitalOcean's id of that load balancer, as its cloud controller annotated the Service. */
    public readonly loadBalancerId: pulumi.Output<string>;
    public readonly clusterIssuers: Record<IssuerKind, pulumi.Output<string>>;
    /** The issuer the app's certificates use by default (staging in dev, production in prod). */
    public readonly defaultClusterIssuer: pulumi.Output<string>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("django-doks:platform:Platform", name, {}, opts);
        const install = (source: ChartSource, chart: ChartInstall) => installChart(this, name, args.provider, source, chart);

        const ingress = install(INGRESS_CONTROLLER, {
            version: args.charts.ingressNginx,
            values: ingressNginxValues({
                replicas: args.ingressReplicas,
                loadBalancerName: args.loadBalancerName,
                proxyProtocol: args.proxyProtocol,
                hostname: args.hostname,
                nodeSelector: args.nodeSelector,
            }),
            timeoutSeconds: 900,
        });
        const certManager = install(CERT_MANAGER, { version: args.charts.certManager, values: certManagerValues(args.nodeSelector), timeoutSeconds: 600 });
        install(METRICS_SERVER, {
            version: args.charts.metricsServer,
            values: metricsServerValues(args.metricsServerReplicas, args.nodeSelector),
            timeoutSeconds: 600,
        });

        this.ingressNamespace = ingress.namespace;
        const lb = readLoadBalancer(this, name, { provider: args.provider, ingress });
        this.loadBalancerIp = lb.ip;
        this.loadBalancerId = lb.id;
        this.clusterIssuers = createClusterIssuers(this, name, { provider: args.provider, acmeEmail: args.acmeEmail, certManager });
        this.defaultClusterIssuer = this.clusterIssuers[args.defaultIssuer];

        this.registerOutputs({
            ingressNamespace: this.ingressNamespace,
            loadBalancerIp: this.loadBalancerIp,
            loadBalancerId: this.loadBalancerId,
            defaultClusterIssuer: this.defaultClusterIssuer,
        });
    }
}

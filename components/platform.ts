import * as digitalocean from "@pulumi/digitalocean";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * The ingress controller, kept in one place: ingress-nginx was retired upstream in March 2026,
 * so a successor (for example Gateway API with another controller) replaces only this.
 */
export const INGRESS_CONTROLLER = {
    release: "ingress-nginx",
    chart: "ingress-nginx",
    repo: "https://kubernetes.github.io/ingress-nginx",
    namespace: "ingress-nginx",
    className: "nginx",
} as const;

export const CERT_MANAGER = {
    release: "cert-manager",
    chart: "cert-manager",
    repo: "https://charts.jetstack.io",
    namespace: "cert-manager",
} as const;

export const METRICS_SERVER = {
    release: "metrics-server",
    chart: "metrics-server",
    repo: "https://kubernetes-sigs.github.io/metrics-server",
    namespace: "metrics-server",
} as const;

export const ACME_SERVERS = {
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
    production: "https://acme-v02.api.letsencrypt.org/directory",
} as const;

export type IssuerKind = keyof typeof ACME_SERVERS;

export const CLUSTER_ISSUERS: Record<IssuerKind, string> = {
    staging: "letsencrypt-staging",
    production: "letsencrypt-production",
};

const DO_LB = "service.beta.kubernetes.io/do-loadbalancer";

export interface IngressValuesOptions {
    replicas: number;
    loadBalancerName: string;
    proxyProtocol: boolean;
    /** Set on the LB with PROXY protocol, so in-cluster HTTP-01 self-checks go through it. */
    hostname: string;
}

export function ingressNginxValues(o: IngressValuesOptions): Record<string, unknown> {
    const annotations: Record<string, string> = {
        [`${DO_LB}-name`]: o.loadBalancerName,
        [`${DO_LB}-enable-proxy-protocol`]: String(o.proxyProtocol),
    };
    if (o.proxyProtocol) annotations[`${DO_LB}-hostname`] = o.hostname;
    return {
        controller: {
            replicaCount: o.replicas,
            minAvailable: 1,
            ingressClass: INGRESS_CONTROLLER.className,
            ingressClassResource: {
                name: INGRESS_CONTROLLER.className,
                enabled: true,
                default: false,
                controllerValue: "k8s.io/ingress-nginx",
            },
            config: { "use-proxy-protocol": String(o.proxyProtocol) },
            service: { type: "LoadBalancer", annotations },
            topologySpreadConstraints: [
                {
                    maxSkew: 1,
                    topologyKey: "kubernetes.io/hostname",
                    whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: {
                        matchLabels: {
                            "app.kubernetes.io/name": "ingress-nginx",
                            "app.kubernetes.io/instance": INGRESS_CONTROLLER.release,
                            "app.kubernetes.io/component": "controller",
                        },
                    },
                },
            ],
        },
    };
}

export function certManagerValues(): Record<string, unknown> {
    return { crds: { enabled: true, keep: true } };
}

/** DOKS kubelets serve certificates the cluster CA signs, so TLS verification stays on. */
export function metricsServerValues(replicas: number): Record<string, unknown> {
    return {
        replicas,
        defaultArgs: [
            "--cert-dir=/tmp",
            "--kubelet-preferred-address-types=InternalIP",
            "--kubelet-use-node-status-port",
            "--metric-resolution=15s",
        ],
        podDisruptionBudget: { enabled: replicas > 1, minAvailable: 1 },
    };
}

export function clusterIssuerSpec(kind: IssuerKind, email: string): Record<string, unknown> {
    return {
        acme: {
            server: ACME_SERVERS[kind],
            email,
            privateKeySecretRef: { name: `${CLUSTER_ISSUERS[kind]}-account-key` },
            solvers: [{ http01: { ingress: { ingressClassName: INGRESS_CONTROLLER.className } } }],
        },
    };
}

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
}

/** The cluster's shared services: ingress-nginx behind a DigitalOcean LB, cert-manager, metrics-server. */
export class Platform extends pulumi.ComponentResource {
    public readonly ingressClassName: string = INGRESS_CONTROLLER.className;
    public readonly ingressNamespace: pulumi.Output<string>;
    /** Public IPv4 of the DigitalOcean load balancer in front of ingress-nginx. */
    public readonly loadBalancerIp: pulumi.Output<string>;
    public readonly clusterIssuers: Record<IssuerKind, pulumi.Output<string>>;
    /** The issuer the app's certificates use by default (staging in dev, production in prod). */
    public readonly defaultClusterIssuer: pulumi.Output<string>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("django-doks:platform:Platform", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };

        const release = (
            spec: { release: string; chart: string; repo: string; namespace: string },
            version: string,
            values: Record<string, unknown>,
            timeoutSeconds: number,
        ) => {
            const ns = new k8s.core.v1.Namespace(
                `${name}-${spec.namespace}`,
                { metadata: { name: spec.namespace, labels: { "app.kubernetes.io/part-of": "platform" } } },
                k8sOpts,
            );
            return new k8s.helm.v3.Release(
                `${name}-${spec.release}`,
                {
                    name: spec.release,
                    chart: spec.chart,
                    version,
                    repositoryOpts: { repo: spec.repo },
                    // The literal name, known at preview (policies read it), after the Namespace.
                    namespace: spec.namespace,
                    values,
                    timeout: timeoutSeconds,
                    cleanupOnFail: true,
                    maxHistory: 10,
                },
                { ...k8sOpts, dependsOn: [ns] },
            );
        };

        const ingress = release(
            INGRESS_CONTROLLER,
            args.charts.ingressNginx,
            ingressNginxValues({
                replicas: args.ingressReplicas,
                loadBalancerName: args.loadBalancerName,
                proxyProtocol: args.proxyProtocol,
                hostname: args.hostname,
            }),
            900,
        );
        const certManager = release(CERT_MANAGER, args.charts.certManager, certManagerValues(), 600);
        release(METRICS_SERVER, args.charts.metricsServer, metricsServerValues(args.metricsServerReplicas), 600);

        this.ingressNamespace = ingress.namespace;
        // The release waits for the Service's load balancer, so the named LB exists by now.
        this.loadBalancerIp = digitalocean
            .getLoadBalancerOutput({ name: args.loadBalancerName }, { parent: this, dependsOn: [ingress] })
            .apply((lb) => lb.ip);

        const issuers = {} as Record<IssuerKind, pulumi.Output<string>>;
        for (const kind of Object.keys(ACME_SERVERS) as IssuerKind[]) {
            const issuer = new k8s.apiextensions.CustomResource(
                `${name}-${CLUSTER_ISSUERS[kind]}`,
                {
                    apiVersion: "cert-manager.io/v1",
                    kind: "ClusterIssuer",
                    metadata: { name: CLUSTER_ISSUERS[kind] },
                    spec: clusterIssuerSpec(kind, args.acmeEmail),
                },
                { ...k8sOpts, dependsOn: [certManager] },
            );
            issuers[kind] = issuer.metadata.name;
        }
        this.clusterIssuers = issuers;
        this.defaultClusterIssuer = issuers[args.defaultIssuer];

        this.registerOutputs({
            ingressNamespace: this.ingressNamespace,
            loadBalancerIp: this.loadBalancerIp,
            defaultClusterIssuer: this.defaultClusterIssuer,
        });
    }
}

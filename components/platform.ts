import * as digitalocean from "@pulumi/digitalocean";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isIPv6 } from "node:net";
import { UNHEALTHY_POD_EVICTION_POLICY } from "./disruption";

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
    /** The chart's controller Service: `<release>-controller` (ingress-nginx.controller.fullname). */
    service: "ingress-nginx-controller",
} as const;

/**
 * cert-manager publishes its chart as an OCI artifact and calls charts.jetstack.io the legacy
 * repository (https://cert-manager.io/docs/installation/helm/). helm.v3.Release installs OCI
 * charts by reference, without repositoryOpts (pulumi/pulumi-kubernetes#1892, #2334).
 */
export const CERT_MANAGER = {
    release: "cert-manager",
    chart: "oci://quay.io/jetstack/charts/cert-manager",
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

/** One entry of a Service's status.loadBalancer.ingress. */
export interface LoadBalancerIngress {
    ip?: string;
    hostname?: string;
}

/**
 * Where the load balancer's public IPv4 comes from: the Service status (the source of truth, as
 * the cloud controller writes it), or, when the status carries only the hostname the
 * do-loadbalancer-hostname annotation puts there instead, the DigitalOcean API by name.
 * The API server validates `ip` as an IP address, so an entry that is not IPv6 is the IPv4
 * (the cloud controller adds a second, IPv6 entry for dual-stack load balancers):
 * digitalocean-cloud-controller-manager cloud-controller-manager/do/loadbalancers.go, EnsureLoadBalancer.
 */
export function loadBalancerAddress(ingress: LoadBalancerIngress[] | undefined): { ip: string } | { hostname: string } | undefined {
    const entries = ingress ?? [];
    const ip = entries.map((e) => e.ip).find((a): a is string => !!a && !isIPv6(a));
    if (ip) return { ip };
    const hostname = entries.map((e) => e.hostname).find((h): h is string => !!h);
    return hostname ? { hostname } : undefined;
}

/** The error a user sees when neither the Service status nor the named load balancer has an IPv4. */
export function noLoadBalancerIp(service: string, ingress: LoadBalancerIngress[] | undefined, lookup?: { name: string; ip: string }): Error {
    const status = JSON.stringify(ingress ?? []);
    const byName = lookup ? ` and the DigitalOcean load balancer "${lookup.name}" reports ip ${JSON.stringify(lookup.ip)}` : "";
    return new Error(
        `The ingress controller's load balancer has no public IPv4: Service ${service} reports ` +
            `status.loadBalancer.ingress = ${status}${byName}. See the cloud controller's events with ` +
            `"kubectl -n ${service.split("/")[0]} describe service ${service.split("/")[1]}" (or "doctl compute load-balancer list"), then run pulumi up again.`,
    );
}

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
    if (o.proxyProtocol) {
        annotations[`${DO_LB}-hostname`] = o.hostname;
        // The cloud controller's default type is REGIONAL_NETWORK (a layer-4 pass-through that
        // forwards to the same port, not the NodePort); PROXY protocol needs the REGIONAL type.
        // digitalocean-cloud-controller-manager cloud-controller-manager/do/loadbalancers.go
        // (defaultLBType), DOKS release notes of 16 June 2025.
        annotations[`${DO_LB}-type`] = "REGIONAL";
    }
    return {
        controller: {
            replicaCount: o.replicas,
            // The chart makes a PDB when replicaCount > 1 (controller-poddisruptionbudget.yaml);
            // controller.unhealthyPodEvictionPolicy since chart 4.12 (kubernetes/ingress-nginx#11992).
            minAvailable: 1,
            unhealthyPodEvictionPolicy: UNHEALTHY_POD_EVICTION_POLICY,
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

/**
 * One replica of each component and no PodDisruptionBudget (the chart's `podDisruptionBudget.enabled`
 * defaults to false): nothing here can block a drain. The chart has no unhealthyPodEvictionPolicy
 * value (cert-manager/cert-manager#7537 and #7728 add one), so enabling its PDBs would bring back IfHealthyBudget.
 */
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
        // podDisruptionBudget.unhealthyPodEvictionPolicy since chart 3.13.0 (charts/metrics-server/CHANGELOG.md).
        podDisruptionBudget: { enabled: replicas > 1, minAvailable: 1, unhealthyPodEvictionPolicy: UNHEALTHY_POD_EVICTION_POLICY },
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
            spec: { release: string; chart: string; repo?: string; namespace: string },
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
                    ...(spec.repo !== undefined && { repositoryOpts: { repo: spec.repo } }),
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
        // The release waits until the Service has its load balancer, so its status is set by now.
        // Reading the Service (not the load balancer by name) cannot be ambiguous after a
        // loadBalancerName change or a cluster replacement.
        const serviceId = ingress.status.apply((s) => `${s.namespace}/${INGRESS_CONTROLLER.service}`);
        const controller = k8s.core.v1.Service.get(`${name}-ingress-controller`, serviceId, {
            ...k8sOpts,
            dependsOn: [ingress],
        });
        this.loadBalancerIp = pulumi.all([serviceId, controller.status]).apply(([id, status]) => {
            const ingressStatus = status?.loadBalancer?.ingress;
            const address = loadBalancerAddress(ingressStatus);
            if (address === undefined) throw noLoadBalancerIp(id, ingressStatus);
            if ("ip" in address) return pulumi.output(address.ip);
            return digitalocean
                .getLoadBalancerOutput({ name: args.loadBalancerName }, { parent: this })
                .apply((lb) => {
                    const ip = loadBalancerAddress([{ ip: lb.ip }]);
                    if (ip === undefined || !("ip" in ip)) {
                        throw noLoadBalancerIp(id, ingressStatus, { name: args.loadBalancerName, ip: lb.ip });
                    }
                    return ip.ip;
                });
        });

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

import { UNHEALTHY_POD_EVICTION_POLICY } from "../disruption";

/** Where a chart comes from and where it is installed. */
export interface ChartSource {
    release: string;
    chart: string;
    /** The chart repository; none for an OCI reference in `chart`. */
    repo?: string;
    namespace: string;
}

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

export const DO_LB = "service.beta.kubernetes.io/do-loadbalancer";

export interface IngressValuesOptions {
    replicas: number;
    loadBalancerName: string;
    proxyProtocol: boolean;
    /** Set on the LB with PROXY protocol, so in-cluster HTTP-01 self-checks go through it. */
    hostname: string;
    /** The worker pool's node label (merged with the chart's default kubernetes.io/os: linux). */
    nodeSelector: Record<string, string>;
}

/** The ingress-nginx chart's values: the controller behind a named DigitalOcean load balancer, spread over nodes. */
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
            nodeSelector: o.nodeSelector,
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
 * One replica of each component (controller, webhook, cainjector), so their PodDisruptionBudgets
 * stay off (the chart's default; with one replica and minAvailable 1 a budget would block every
 * drain), with unhealthyPodEvictionPolicy set like the other charts' for whoever turns them on
 * (chart v1.21.1 values.schema.json: podDisruptionBudget.unhealthyPodEvictionPolicy,
 * webhook.podDisruptionBudget..., cainjector.podDisruptionBudget...; templates/poddisruptionbudget.yaml).
 * `global.nodeSelector` is merged into every component's own (templates/deployment.yaml).
 */
export function certManagerValues(nodeSelector: Record<string, string>, gatewayApi = false): Record<string, unknown> {
    const podDisruptionBudget = { enabled: false, unhealthyPodEvictionPolicy: UNHEALTHY_POD_EVICTION_POLICY };
    return {
        crds: { enabled: true, keep: true },
        // Gateway API support (HTTP-01 through a Gateway) is off unless switched on, with the controller's
        // configuration since cert-manager 1.15 (cert-manager.io/docs/usage/gateway/); only with a Gateway:
        // it needs the Gateway API CRDs, which DOKS installs only on clusters that run its Gateway.
        ...(gatewayApi && { config: { apiVersion: "controller.config.cert-manager.io/v1alpha1", kind: "ControllerConfiguration", enableGatewayAPI: true } }),
        global: { nodeSelector },
        podDisruptionBudget,
        webhook: { podDisruptionBudget },
        cainjector: { podDisruptionBudget },
    };
}

/** DOKS kubelets serve certificates the cluster CA signs, so TLS verification stays on. */
export function metricsServerValues(replicas: number, nodeSelector: Record<string, string>): Record<string, unknown> {
    return {
        replicas,
        nodeSelector,
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

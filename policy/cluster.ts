import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { byType, present, read } from "./common";
import { DO, K8S } from "./resource-types";

// Cluster: the DOKS version, the Helm charts installed on it, and the namespaces objects land in.

const PINNED_CHART_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const DOKS_VERSION_SLUG = /^\d+\.\d+\.\d+-do\.\d+$/;

/** Namespaced kinds this platform creates: none of them may land in "default". */
export const NAMESPACED_TYPES = [
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:batch/v1:CronJob",
    "kubernetes:core/v1:Pod",
    "kubernetes:core/v1:Service",
    "kubernetes:core/v1:ConfigMap",
    "kubernetes:core/v1:Secret",
    "kubernetes:core/v1:PersistentVolumeClaim",
    "kubernetes:core/v1:ServiceAccount",
    "kubernetes:networking.k8s.io/v1:Ingress",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    "kubernetes:gateway.networking.k8s.io/v1beta1:ReferenceGrant",
    "kubernetes:cert-manager.io/v1:Certificate",
    "kubernetes:cilium.io/v2:CiliumNetworkPolicy",
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
    "kubernetes:policy/v1:PodDisruptionBudget",
];

function chartVersionProblem(version: unknown): string | undefined {
    if (typeof version !== "string" || version === "") return "pins no chart version";
    if (!PINNED_CHART_VERSION.test(version)) return `has chart version "${version}", which is not one exact version`;
    return undefined;
}

export const helmChartPinned: ResourceValidationPolicy = {
    name: "helm-chart-pinned",
    description: 'Every Helm release pins one exact chart version (no empty version, range or "latest").',
    enforcementLevel: "mandatory",
    validateResource: byType([
        validateResourceOfType(K8S.HelmRelease, (release, args, report) => {
            const problem = chartVersionProblem(release.version);
            if (problem) report(`Helm release "${args.name}" (chart ${release.chart}) ${problem}.`);
        }),
        validateResourceOfType(K8S.HelmChartV4, (chart, args, report) => {
            const problem = chartVersionProblem(chart.version);
            if (problem) report(`Helm chart "${args.name}" (chart ${chart.chart}) ${problem}.`);
        }),
    ]),
};

export const doksVersionPinned: ResourceValidationPolicy = {
    name: "doks-version-pinned",
    description: 'The DOKS cluster runs a resolved version slug such as "1.36.4-do.1", never "latest".',
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(DO.KubernetesCluster, (cluster, args, report) => {
        if (!DOKS_VERSION_SLUG.test(cluster.version ?? "")) {
            report(`Kubernetes cluster "${args.name}" has version "${cluster.version ?? ""}"; use a resolved DOKS slug (getKubernetesVersions).`);
        }
    }),
};

export const noDefaultNamespace: ResourceValidationPolicy = {
    name: "k8s-no-default-namespace",
    description: 'Namespaced Kubernetes objects and Helm releases name their namespace, and it is not "default".',
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const release = args.type === "kubernetes:helm.sh/v3:Release";
        if (!release && !NAMESPACED_TYPES.includes(args.type)) {
            args.notApplicable("Policy only applies to namespaced Kubernetes objects and Helm releases");
        }
        const kind = args.type.slice(args.type.lastIndexOf(":") + 1);
        const holder: unknown = release ? args.props : args.props.metadata;
        if (holder && typeof holder === "object" && "namespace" in holder) {
            const ns = read(() => (holder as { namespace?: unknown }).namespace);
            if (ns.known && ns.value === "default") report(`${kind} "${args.name}" is in the "default" namespace; use the app's namespace.`);
            return;
        }
        // Without a namespace the object goes to the provider's default namespace.
        const providerNs = read(() => args.provider?.props.namespace as unknown);
        if (!providerNs.known) return;
        if (!present(providerNs.value) || providerNs.value === "default") {
            report(`${kind} "${args.name}" names no namespace, so it lands in "default"; set ${release ? "namespace" : "metadata.namespace"}.`);
        }
    },
};

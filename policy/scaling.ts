import { PolicyResource, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { byType, isProdStack, prodStacksSchema } from "./common";
import { K8S } from "./resource-types";

// Scaling: replica counts of Deployments and the HorizontalPodAutoscalers that own them.

interface ObjectMeta {
    name?: string;
    namespace?: string;
}

function meta(r: PolicyResource): ObjectMeta {
    return (r.props.metadata ?? {}) as ObjectMeta;
}

function sameNamespace(a: ObjectMeta, b: ObjectMeta): boolean {
    return (a.namespace ?? "default") === (b.namespace ?? "default");
}

interface Hpa {
    resource: PolicyResource;
    target: { kind?: string; name?: string };
    minReplicas: number;
}

/**
 * Whether the engine passed a Kubernetes object without outputs. In a preview where the Kubernetes
 * provider's configuration is not known yet (the stack's first preview: the kubeconfig needs the
 * cluster's endpoint), the engine does not ask the provider and passes no outputs at all
 * (pulumi/pulumi pkg/resource/plugin/provider_plugin.go, Create with Preview set).
 */
function withoutOutputs(r: PolicyResource): boolean {
    return Object.keys(r.props).length === 0;
}

function autoscalers(resources: PolicyResource[]): Hpa[] {
    return resources
        .filter(
            (r) =>
                r.isType(K8S.HorizontalPodAutoscalerV2) ||
                r.isType(K8S.HorizontalPodAutoscalerV1),
        )
        .map((r) => ({
            resource: r,
            target: (r.props.spec?.scaleTargetRef ?? {}) as Hpa["target"],
            minReplicas: (r.props.spec?.minReplicas as number | undefined) ?? 1,
        }));
}

/** The HPA that scales a Deployment (same namespace, scaleTargetRef naming it). */
function hpaFor(deployment: PolicyResource, hpas: Hpa[]): Hpa | undefined {
    const m = meta(deployment);
    const name = m.name ?? deployment.name;
    return hpas.find(
        (h) => h.target.kind === "Deployment" && h.target.name === name && sameNamespace(meta(h.resource), m),
    );
}

export const hpaMinReplicas: ResourceValidationPolicy = {
    name: "k8s-hpa-min-replicas",
    description: "Every HorizontalPodAutoscaler keeps at least 2 replicas (minReplicas >= 2; it defaults to 1).",
    enforcementLevel: "mandatory",
    validateResource: byType([
        validateResourceOfType(K8S.HorizontalPodAutoscalerV2, (hpa, args, report) => checkHpaMin(hpa.spec?.minReplicas, args.name, report)),
        validateResourceOfType(K8S.HorizontalPodAutoscalerV1, (hpa, args, report) => checkHpaMin(hpa.spec?.minReplicas, args.name, report)),
    ]),
};

function checkHpaMin(minReplicas: number | undefined, name: string, report: (message: string) => void): void {
    const min = minReplicas ?? 1;
    if (min < 2) report(`HorizontalPodAutoscaler "${name}" has minReplicas ${min}; at least 2 are required.`);
}

export const prodReplicas: StackValidationPolicy = {
    name: "k8s-prod-replicas",
    description:
        "In production stacks every Deployment runs at least 2 replicas: spec.replicas >= 2 (omitted means 1), " +
        "or, when an HPA scales it, the HPA's minReplicas >= 2. Stack policies see outputs: in a stack's first " +
        "preview Kubernetes objects have none, so this check runs at pulumi up and in every later preview " +
        "(k8s-hpa-min-replicas checks the HPAs' inputs in every preview).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            ...prodStacksSchema.properties,
            // Deliberate single-replica Deployments, by metadata.name. "static": the static-content
            // server, one replica by design next to its ReadWriteOnce volume (docs/design.md, "Policy pack", says why).
            exemptDeployments: { type: "array" as const, items: { type: "string" as const }, default: ["static"] },
        },
    },
    validateStack: (args: StackValidationArgs, report) => {
        if (!isProdStack(args)) return;
        const exempt = args.getConfig<{ exemptDeployments?: string[] }>().exemptDeployments ?? ["static"];
        const hpas = autoscalers(args.resources);
        for (const d of args.resources.filter((r) => r.isType(K8S.Deployment))) {
            if (withoutOutputs(d)) continue;
            if (exempt.includes(d.name) || exempt.includes(meta(d).name ?? "")) continue;
            const hpa = hpaFor(d, hpas);
            if (hpa) {
                if (hpa.minReplicas < 2) {
                    report(
                        `Deployment "${d.name}" is scaled by HorizontalPodAutoscaler "${hpa.resource.name}" with ` +
                            `minReplicas ${hpa.minReplicas}; production needs at least 2.`,
                        d.urn,
                    );
                }
                continue;
            }
            const replicas = (d.props.spec?.replicas as number | undefined) ?? 1;
            if (replicas < 2) {
                report(
                    `Deployment "${d.name}" runs ${replicas} replica(s) and no HorizontalPodAutoscaler scales it; ` +
                        `production needs at least 2.`,
                    d.urn,
                );
            }
        }
    },
};

export const hpaOwnsReplicas: StackValidationPolicy = {
    name: "k8s-hpa-owns-replicas",
    description:
        "A Deployment that an HPA scales leaves spec.replicas unset (or ignores changes to it), " +
        "so a pulumi up does not reset the HPA's replica count. Like every stack policy it sees outputs, " +
        "which Kubernetes objects lack in a stack's first preview: there it checks at pulumi up.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const hpas = autoscalers(args.resources);
        for (const d of args.resources.filter((r) => r.isType(K8S.Deployment))) {
            const hpa = hpaFor(d, hpas);
            if (!hpa || d.props.spec?.replicas === undefined) continue;
            if (d.opts.ignoreChanges.includes("spec.replicas")) continue;
            report(
                `Deployment "${d.name}" sets spec.replicas while HorizontalPodAutoscaler "${hpa.resource.name}" ` +
                    `scales it; omit replicas or add ignoreChanges: ["spec.replicas"].`,
                d.urn,
            );
        }
    },
};

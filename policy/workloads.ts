import { ReportViolation, ResourceValidation, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { byType, present, read } from "./common";
import { K8S } from "./resource-types";

// Workloads: the containers of every pod-bearing kind (resources, images, security context) and
// the configuration handed to them (ConfigMaps).

const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;
const IMAGE_TAG = /^\w[\w.-]{0,127}$/;
const CREDENTIAL_KEY = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)/i;
const URI_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

interface SecurityContext {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
}

interface Container {
    name?: string;
    image?: string;
    resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
    securityContext?: SecurityContext;
}

interface PodSpec {
    containers?: Container[];
    initContainers?: Container[];
    securityContext?: SecurityContext;
}

type PodCheck = (pod: PodSpec, workload: string, report: ReportViolation) => void;

/** A validation for one workload class: finds its pod spec and runs the check on it. */
function forKind<TResource extends pulumi.Resource, TArgs>(
    resourceClass: { new (name: string, args: TArgs, opts?: pulumi.CustomResourceOptions): TResource },
    kind: string,
    podSpec: (props: pulumi.Unwrap<NonNullable<TArgs>>) => unknown,
    check: PodCheck,
): ResourceValidation {
    return validateResourceOfType(resourceClass, (props, args, report) => {
        const pod = podSpec(props) as PodSpec | undefined;
        if (pod) check(pod, `${kind} "${args.name}"`, report);
    });
}

/** Validations of every pod-bearing kind the platform uses, one check applied to each. */
export function workloadValidations(check: PodCheck): ResourceValidation {
    return byType([
        forKind(K8S.Deployment, "Deployment", (p) => p.spec?.template?.spec, check),
        forKind(K8S.StatefulSet, "StatefulSet", (p) => p.spec?.template?.spec, check),
        forKind(K8S.DaemonSet, "DaemonSet", (p) => p.spec?.template?.spec, check),
        forKind(K8S.Job, "Job", (p) => p.spec?.template?.spec, check),
        forKind(K8S.CronJob, "CronJob", (p) => p.spec?.jobTemplate?.spec?.template?.spec, check),
        forKind(K8S.Pod, "Pod", (p) => p.spec, check),
    ]);
}

/** Every container of a pod, init containers included, each with a label for messages. */
function containersOf(pod: PodSpec, workload: string): { container: Container; where: string }[] {
    const label = (c: Container, init: boolean) => `${workload}: ${init ? "init container" : "container"} "${c.name ?? "?"}"`;
    return [
        ...(pod.initContainers ?? []).map((c) => ({ container: c, where: label(c, true) })),
        ...(pod.containers ?? []).map((c) => ({ container: c, where: label(c, false) })),
    ];
}

/** Why an image reference is not pinned, or undefined when it is (explicit tag or digest). */
export function imageProblem(image: string | undefined): string | undefined {
    if (!image) return "has no image";
    const at = image.indexOf("@");
    if (at >= 0) {
        return IMAGE_DIGEST.test(image.slice(at + 1)) ? undefined : `has a malformed digest in "${image}"`;
    }
    const colon = image.lastIndexOf(":");
    if (colon <= image.lastIndexOf("/")) return `uses an untagged image "${image}" (pin a tag or a digest)`;
    const tag = image.slice(colon + 1);
    if (tag === "latest") return `uses the tag "latest" in "${image}" (pin a version or a digest)`;
    if (!IMAGE_TAG.test(tag)) return `has a malformed tag in "${image}"`;
    return undefined;
}

export const containerResources: ResourceValidationPolicy = {
    name: "k8s-container-resources",
    description: "Every container (init containers too) sets CPU and memory requests and limits.",
    enforcementLevel: "mandatory",
    validateResource: workloadValidations((pod, workload, report) => {
        for (const { container, where } of containersOf(pod, workload)) {
            const r = container.resources ?? {};
            const missing = [
                present(r.requests?.cpu) ? "" : "requests.cpu",
                present(r.requests?.memory) ? "" : "requests.memory",
                present(r.limits?.cpu) ? "" : "limits.cpu",
                present(r.limits?.memory) ? "" : "limits.memory",
            ].filter((m) => m);
            if (missing.length > 0) report(`${where} has no ${missing.join(", ")}.`);
        }
    }),
};

export const imagePinned: ResourceValidationPolicy = {
    name: "k8s-image-pinned",
    description: 'Every container image names an explicit tag other than "latest", or a digest.',
    enforcementLevel: "mandatory",
    validateResource: workloadValidations((pod, workload, report) => {
        for (const { container, where } of containersOf(pod, workload)) {
            // A digest computed by an image build is unknown in preview; pulumi up checks it.
            const image = read(() => container.image);
            const problem = image.known ? imageProblem(image.value) : undefined;
            if (problem) report(`${where} ${problem}.`);
        }
    }),
};

export const runAsNonRoot: ResourceValidationPolicy = {
    name: "k8s-run-as-non-root",
    description: "Every container runs with runAsNonRoot: true (its own or the pod's) and not as UID 0.",
    enforcementLevel: "mandatory",
    validateResource: workloadValidations((pod, workload, report) => {
        for (const { container, where } of containersOf(pod, workload)) {
            const nonRoot = container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
            const uid = container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
            if (nonRoot !== true) report(`${where} does not set runAsNonRoot: true (container or pod securityContext).`);
            if (uid === 0) report(`${where} runs as UID 0 (runAsUser: 0).`);
        }
    }),
};

export const noPrivileged: ResourceValidationPolicy = {
    name: "k8s-no-privileged",
    description: "No container runs privileged.",
    enforcementLevel: "mandatory",
    validateResource: workloadValidations((pod, workload, report) => {
        for (const { container, where } of containersOf(pod, workload)) {
            if (container.securityContext?.privileged === true) report(`${where} is privileged.`);
        }
    }),
};

export const noPrivilegeEscalation: ResourceValidationPolicy = {
    name: "k8s-no-privilege-escalation",
    description: "Every container sets allowPrivilegeEscalation: false (Kubernetes defaults it to true).",
    enforcementLevel: "mandatory",
    validateResource: workloadValidations((pod, workload, report) => {
        for (const { container, where } of containersOf(pod, workload)) {
            if (container.securityContext?.allowPrivilegeEscalation !== false) {
                report(`${where} does not set securityContext.allowPrivilegeEscalation: false.`);
            }
        }
    }),
};

export const configMapNoCredentials: ResourceValidationPolicy = {
    name: "k8s-configmap-no-credentials",
    description: "ConfigMaps carry no credentials: no password/secret/token-like keys and no URIs with a password.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(K8S.ConfigMap, (cm, args, report) => {
        for (const key of Object.keys(cm.data ?? {})) {
            if (CREDENTIAL_KEY.test(key)) {
                report(`ConfigMap "${args.name}" has key "${key}", which names a credential; put it in a Secret.`);
                continue;
            }
            const value = read(() => (cm.data ?? {})[key]);
            if (value.known && typeof value.value === "string" && URI_WITH_PASSWORD.test(value.value)) {
                report(`ConfigMap "${args.name}" key "${key}" holds a URI with a password; put it in a Secret.`);
            }
        }
    }),
};

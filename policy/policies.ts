import * as digitalocean from "@pulumi/digitalocean";
import * as k8s from "@pulumi/kubernetes";
import {
    PolicyResource,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";

/** Stacks that get the production-only rules, unless a policy's `prodStacks` config says otherwise. */
export const DEFAULT_PROD_STACKS = ["prod"];

/** Namespaces where a Service may face the outside (LoadBalancer or NodePort). */
export const DEFAULT_EXPOSED_NAMESPACES = ["ingress-nginx"];

/** DigitalOcean's smallest database plan: it cannot have standby nodes. */
export const DB_PLAN_WITHOUT_STANDBY = "db-s-1vcpu-1gb";

const PINNED_CHART_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const DOKS_VERSION_SLUG = /^\d+\.\d+\.\d+-do\.\d+$/;
const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;
const IMAGE_TAG = /^\w[\w.-]{0,127}$/;
const CREDENTIAL_KEY = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)/i;
const URI_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/**
 * The stack under check, without an organization or project prefix. The Pulumi CLI hands the
 * policy pack's process the stack (PULUMI_NODEJS_STACK), which `pulumi.getStack()` reads; under
 * the unit-test mocks it is the mocked stack.
 */
export function currentStack(): string {
    const stack = pulumi.getStack();
    return stack.slice(stack.lastIndexOf("/") + 1);
}

function isProdStack(args: { getConfig<T extends object>(): T }): boolean {
    const configured = args.getConfig<{ prodStacks?: string[] }>().prodStacks;
    return (configured ?? DEFAULT_PROD_STACKS).includes(currentStack());
}

const prodStacksSchema = {
    properties: {
        prodStacks: { type: "array" as const, items: { type: "string" as const }, default: DEFAULT_PROD_STACKS },
    },
};

// ---------------------------------------------------------------------------------------------
// Pod specs of every kind of workload
// ---------------------------------------------------------------------------------------------

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
export function workloadValidations(check: PodCheck): ResourceValidation[] {
    return [
        forKind(k8s.apps.v1.Deployment, "Deployment", (p) => p.spec?.template?.spec, check),
        forKind(k8s.apps.v1.StatefulSet, "StatefulSet", (p) => p.spec?.template?.spec, check),
        forKind(k8s.apps.v1.DaemonSet, "DaemonSet", (p) => p.spec?.template?.spec, check),
        forKind(k8s.batch.v1.Job, "Job", (p) => p.spec?.template?.spec, check),
        forKind(k8s.batch.v1.CronJob, "CronJob", (p) => p.spec?.jobTemplate?.spec?.template?.spec, check),
        forKind(k8s.core.v1.Pod, "Pod", (p) => p.spec, check),
    ];
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

function present(v: unknown): boolean {
    return v !== undefined && v !== null && v !== "";
}

// ---------------------------------------------------------------------------------------------
// Helpers for stack policies
// ---------------------------------------------------------------------------------------------

/** A value read through the policy SDK's proxy, which throws for values unknown during preview. */
type Read<T> = { known: true; value: T } | { known: false };

function read<T>(get: () => T): Read<T> {
    try {
        return { known: true, value: get() };
    } catch (e) {
        if (e instanceof Error && (e.constructor.name === "UnknownValueError" || /can't be known during preview/.test(e.message))) {
            return { known: false };
        }
        throw e;
    }
}

/** Whether `r` references `target` through `property` (or at all, when the engine gave no property map). */
function references(r: PolicyResource, target: PolicyResource, property: string): boolean {
    const byProperty = r.propertyDependencies[property];
    if (byProperty && byProperty.length > 0) return byProperty.some((d) => d.urn === target.urn);
    return r.dependencies.some((d) => d.urn === target.urn);
}

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
                r.isType(k8s.autoscaling.v2.HorizontalPodAutoscaler) ||
                r.isType(k8s.autoscaling.v1.HorizontalPodAutoscaler),
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

/** Every object under a key named "service" in Helm values, at any depth. */
function serviceValues(values: unknown): { type?: unknown }[] {
    const found: { type?: unknown }[] = [];
    const walk = (v: unknown) => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === "object") {
            for (const [k, child] of Object.entries(v)) {
                if (k === "service" && child && typeof child === "object" && !Array.isArray(child)) {
                    found.push(child as { type?: unknown });
                }
                walk(child);
            }
        }
    };
    walk(values);
    return found;
}

const EXPOSING_SERVICE_TYPES = ["LoadBalancer", "NodePort"];

const exposedNamespacesSchema = {
    properties: {
        allowedNamespaces: {
            type: "array" as const,
            items: { type: "string" as const },
            default: DEFAULT_EXPOSED_NAMESPACES,
        },
    },
};

function exposedNamespaces(args: ResourceValidationArgs): string[] {
    return args.getConfig<{ allowedNamespaces?: string[] }>().allowedNamespaces ?? DEFAULT_EXPOSED_NAMESPACES;
}

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
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
    "kubernetes:policy/v1:PodDisruptionBudget",
];

// ---------------------------------------------------------------------------------------------
// The policies
// ---------------------------------------------------------------------------------------------

const containerResources: ResourceValidationPolicy = {
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

const imagePinned: ResourceValidationPolicy = {
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

const runAsNonRoot: ResourceValidationPolicy = {
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

const noPrivileged: ResourceValidationPolicy = {
    name: "k8s-no-privileged",
    description: "No container runs privileged.",
    enforcementLevel: "mandatory",
    validateResource: workloadValidations((pod, workload, report) => {
        for (const { container, where } of containersOf(pod, workload)) {
            if (container.securityContext?.privileged === true) report(`${where} is privileged.`);
        }
    }),
};

const noPrivilegeEscalation: ResourceValidationPolicy = {
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

const ingressTls: ResourceValidationPolicy = {
    name: "k8s-ingress-tls",
    description: "Every host in an Ingress's rules is covered by a TLS entry that names a certificate Secret.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(k8s.networking.v1.Ingress, (ingress, args, report) => {
        const tls = ingress.spec?.tls ?? [];
        const covered = new Set(tls.flatMap((t) => t.hosts ?? []));
        tls.forEach((t, i) => {
            if (!present(t.secretName)) report(`Ingress "${args.name}": tls[${i}] names no secretName.`);
        });
        for (const [i, rule] of (ingress.spec?.rules ?? []).entries()) {
            if (!present(rule.host)) report(`Ingress "${args.name}": rules[${i}] has no host, so no TLS entry can cover it.`);
            else if (!covered.has(rule.host as string)) {
                report(`Ingress "${args.name}": host "${rule.host}" has no TLS entry (spec.tls[].hosts).`);
            }
        }
    }),
};

const hpaMinReplicas: ResourceValidationPolicy = {
    name: "k8s-hpa-min-replicas",
    description: "Every HorizontalPodAutoscaler keeps at least 2 replicas (minReplicas >= 2; it defaults to 1).",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(k8s.autoscaling.v2.HorizontalPodAutoscaler, (hpa, args, report) => checkHpaMin(hpa.spec?.minReplicas, args.name, report)),
        validateResourceOfType(k8s.autoscaling.v1.HorizontalPodAutoscaler, (hpa, args, report) => checkHpaMin(hpa.spec?.minReplicas, args.name, report)),
    ],
};

function checkHpaMin(minReplicas: number | undefined, name: string, report: (message: string) => void): void {
    const min = minReplicas ?? 1;
    if (min < 2) report(`HorizontalPodAutoscaler "${name}" has minReplicas ${min}; at least 2 are required.`);
}

const prodReplicas: StackValidationPolicy = {
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
            // server, one replica by design next to its ReadWriteOnce volume (the README says why).
            exemptDeployments: { type: "array" as const, items: { type: "string" as const }, default: ["static"] },
        },
    },
    validateStack: (args: StackValidationArgs, report) => {
        if (!isProdStack(args)) return;
        const exempt = args.getConfig<{ exemptDeployments?: string[] }>().exemptDeployments ?? ["static"];
        const hpas = autoscalers(args.resources);
        for (const d of args.resources.filter((r) => r.isType(k8s.apps.v1.Deployment))) {
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

const hpaOwnsReplicas: StackValidationPolicy = {
    name: "k8s-hpa-owns-replicas",
    description:
        "A Deployment that an HPA scales leaves spec.replicas unset (or ignores changes to it), " +
        "so a pulumi up does not reset the HPA's replica count. Like every stack policy it sees outputs, " +
        "which Kubernetes objects lack in a stack's first preview: there it checks at pulumi up.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const hpas = autoscalers(args.resources);
        for (const d of args.resources.filter((r) => r.isType(k8s.apps.v1.Deployment))) {
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

const serviceExposure: ResourceValidationPolicy = {
    name: "k8s-service-exposure",
    description:
        "Only the ingress controller's namespace exposes Services (LoadBalancer or NodePort); " +
        "everything else is ClusterIP, Services and Helm release values alike.",
    enforcementLevel: "mandatory",
    configSchema: exposedNamespacesSchema,
    validateResource: [
        validateResourceOfType(k8s.core.v1.Service, (svc, args, report) => {
            const type = svc.spec?.type ?? "ClusterIP";
            const ns = svc.metadata?.namespace ?? "default";
            if (EXPOSING_SERVICE_TYPES.includes(type) && !exposedNamespaces(args).includes(ns)) {
                report(`Service "${args.name}" in namespace "${ns}" has type ${type}; outside ` +
                    `${exposedNamespaces(args).join(", ")} Services are ClusterIP (traffic enters through the Ingress).`);
            }
        }),
        validateResourceOfType(k8s.helm.v3.Release, (release, args, report) => {
            const ns = release.namespace ?? "default";
            if (exposedNamespaces(args).includes(ns)) return;
            const services = read(() => serviceValues(release.values));
            for (const svc of services.known ? services.value : []) {
                if (typeof svc.type === "string" && EXPOSING_SERVICE_TYPES.includes(svc.type)) {
                    report(`Helm release "${args.name}" in namespace "${ns}" asks for a ${svc.type} Service; ` +
                        `only ${exposedNamespaces(args).join(", ")} may expose one.`);
                }
            }
        }),
    ],
};

function chartVersionProblem(version: unknown): string | undefined {
    if (typeof version !== "string" || version === "") return "pins no chart version";
    if (!PINNED_CHART_VERSION.test(version)) return `has chart version "${version}", which is not one exact version`;
    return undefined;
}

const helmChartPinned: ResourceValidationPolicy = {
    name: "helm-chart-pinned",
    description: 'Every Helm release pins one exact chart version (no empty version, range or "latest").',
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(k8s.helm.v3.Release, (release, args, report) => {
            const problem = chartVersionProblem(release.version);
            if (problem) report(`Helm release "${args.name}" (chart ${release.chart}) ${problem}.`);
        }),
        validateResourceOfType(k8s.helm.v4.Chart, (chart, args, report) => {
            const problem = chartVersionProblem(chart.version);
            if (problem) report(`Helm chart "${args.name}" (chart ${chart.chart}) ${problem}.`);
        }),
    ],
};

const doksVersionPinned: ResourceValidationPolicy = {
    name: "doks-version-pinned",
    description: 'The DOKS cluster runs a resolved version slug such as "1.36.4-do.1", never "latest".',
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(digitalocean.KubernetesCluster, (cluster, args, report) => {
        if (!DOKS_VERSION_SLUG.test(cluster.version ?? "")) {
            report(`Kubernetes cluster "${args.name}" has version "${cluster.version ?? ""}"; use a resolved DOKS slug (getKubernetesVersions).`);
        }
    }),
};

const databasePrivateNetwork: ResourceValidationPolicy = {
    name: "do-database-private-network",
    description: "The database cluster sits in the stack's VPC (privateNetworkUuid is set).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(digitalocean.DatabaseCluster, (db, args, report) => {
        // An unknown value counts as set: the VPC's id is unknown during the first preview.
        const uuid = read(() => db.privateNetworkUuid);
        if (uuid.known && !present(uuid.value)) report(`Database cluster "${args.name}" has no privateNetworkUuid: it must join the stack's VPC.`);
    }),
};

const databaseStandbyPlan: ResourceValidationPolicy = {
    name: "do-database-standby-plan",
    description: `A database cluster with standby nodes (nodeCount > 1) uses a plan above ${DB_PLAN_WITHOUT_STANDBY}, which has none.`,
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(digitalocean.DatabaseCluster, (db, args, report) => {
        if (db.nodeCount > 1 && db.size === DB_PLAN_WITHOUT_STANDBY) {
            report(`Database cluster "${args.name}" asks for ${db.nodeCount} nodes on ${DB_PLAN_WITHOUT_STANDBY}, ` +
                `which DigitalOcean offers only as a single node; pick db-s-1vcpu-2gb or larger.`);
        }
    }),
};

const databaseFirewall: StackValidationPolicy = {
    name: "do-database-firewall",
    description:
        "Every database cluster has a DatabaseFirewall with at least one rule and no rule open to the whole Internet.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const firewalls = args.resources.filter((r) => r.isType(digitalocean.DatabaseFirewall));
        for (const db of args.resources.filter((r) => r.isType(digitalocean.DatabaseCluster))) {
            const own = firewalls.filter((fw) => references(fw, db, "clusterId"));
            if (own.length === 0) {
                report(`Database cluster "${db.name}" has no DatabaseFirewall: without one it accepts connections from anywhere.`, db.urn);
                continue;
            }
            for (const fw of own) {
                const rules = (fw.props.rules ?? []) as { type?: string; value?: string }[];
                if (rules.length === 0) report(`DatabaseFirewall "${fw.name}" has no rules.`, fw.urn);
                for (const rule of rules) {
                    if (rule.type !== "ip_addr") continue;
                    const value = read(() => rule.value);
                    if (value.known && (value.value === "0.0.0.0/0" || value.value === "::/0")) {
                        report(`DatabaseFirewall "${fw.name}" admits ${value.value}, the whole Internet.`, fw.urn);
                    }
                }
            }
        }
    },
};

const prodDatabaseProtected: StackValidationPolicy = {
    name: "do-prod-database-protected",
    description: "In production stacks the database cluster and the application database carry Pulumi's protect option.",
    enforcementLevel: "mandatory",
    configSchema: prodStacksSchema,
    validateStack: (args, report) => {
        if (!isProdStack(args)) return;
        for (const r of args.resources) {
            const kind = r.isType(digitalocean.DatabaseCluster)
                ? "Database cluster"
                : r.isType(digitalocean.DatabaseDb)
                  ? "Database"
                  : undefined;
            if (kind && !r.opts.protect) {
                report(`${kind} "${r.name}" is not protected; production sets protect (config dbProtect: true).`, r.urn);
            }
        }
    },
};

interface AlertDestinations {
    emails?: unknown[];
    slacks?: unknown[];
}

/** How many email addresses and Slack channels an alert sends to; undefined while unknown (preview). */
function destinationCount(value: () => AlertDestinations | AlertDestinations[] | undefined): number | undefined {
    const v = read(value);
    if (!v.known) return undefined;
    const list = Array.isArray(v.value) ? v.value : v.value ? [v.value] : [];
    return list.reduce((n, d) => n + (d.emails?.length ?? 0) + (d.slacks?.length ?? 0), 0);
}

const prodMonitoring: StackValidationPolicy = {
    name: "do-prod-monitoring",
    description:
        "Production stacks are watched: an enabled uptime check with an uptime alert on it, an enabled resource alert, " +
        "and every alert sends to at least one email address or Slack channel (config monitoring).",
    enforcementLevel: "mandatory",
    configSchema: prodStacksSchema,
    validateStack: (args, report) => {
        if (!isProdStack(args)) return;
        const enabled = (r: PolicyResource) => r.props.enabled !== false;
        const checks = args.resources.filter((r) => r.isType(digitalocean.UptimeCheck) && enabled(r));
        const uptimeAlerts = args.resources.filter((r) => r.isType(digitalocean.UptimeAlert));
        const resourceAlerts = args.resources.filter((r) => r.isType(digitalocean.MonitorAlert));
        if (!checks.some((c) => uptimeAlerts.some((a) => references(a, c, "checkId")))) {
            report('Production has no enabled uptime check with an alert on it: set monitoring.enabled true and monitoring.alertEmails (README, "Monitoring").');
        }
        if (!resourceAlerts.some(enabled)) {
            report('Production has no enabled resource alert (nodes, load balancer, database): set monitoring.enabled true (README, "Monitoring").');
        }
        for (const a of uptimeAlerts) {
            if (destinationCount(() => a.props.notifications as AlertDestinations[]) === 0) {
                report(`Uptime alert "${a.name}" sends to no email address and no Slack channel.`, a.urn);
            }
        }
        for (const a of resourceAlerts) {
            if (destinationCount(() => a.props.alerts as AlertDestinations) === 0) {
                report(`Resource alert "${a.name}" sends to no email address and no Slack channel.`, a.urn);
            }
        }
    },
};

const configMapNoCredentials: ResourceValidationPolicy = {
    name: "k8s-configmap-no-credentials",
    description: "ConfigMaps carry no credentials: no password/secret/token-like keys and no URIs with a password.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(k8s.core.v1.ConfigMap, (cm, args, report) => {
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

const noDefaultNamespace: ResourceValidationPolicy = {
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

/** Every policy of the pack, in the order they are reported. */
export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    containerResources,
    imagePinned,
    runAsNonRoot,
    noPrivileged,
    noPrivilegeEscalation,
    ingressTls,
    hpaMinReplicas,
    prodReplicas,
    hpaOwnsReplicas,
    serviceExposure,
    helmChartPinned,
    doksVersionPinned,
    databasePrivateNetwork,
    databaseStandbyPlan,
    databaseFirewall,
    prodDatabaseProtected,
    prodMonitoring,
    configMapNoCredentials,
    noDefaultNamespace,
];

import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "child_process";
import * as path from "path";
import { BROKEN_REGISTRY_LOOKUP, runOffline } from "../offline/run";
import type { Evaluation, Program, Registered } from "../offline/types";
import { resolveOutput } from "../offline/outputs";
import { isSecretInput, unwrapSecrets } from "../offline/secrets";
import { type ConfigOptions, ROOT, SECRET_TEXTS, stackSettings, type StackName } from "./stack-values";

export {
    type ConfigOptions,
    PROJECT,
    ROOT,
    SECRET_TEXTS,
    stackFileConfig,
    stackSettings,
    STACKS,
    type StackName,
    USER_SECRETS,
    USER_VALUES,
    userConfig,
} from "./stack-values";

export const LB_IP = "203.0.113.10";
/** DigitalOcean load balancer ids are UUIDs. */
export const LB_ID = "4de7ac8b-495b-4884-9a69-1050c6793cd6";
/** What the DigitalOcean API answers for the load balancer by name (differs, to tell the paths apart). */
export const LB_IP_BY_NAME = "203.0.113.20";
/** The Gateway's load balancer (Cilium's Service for it), apart from ingress-nginx's. */
export const GATEWAY_LB_IP = "203.0.113.30";
export const GATEWAY_LB_ID = "9f0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f";
/** How traffic reaches the app (ingress.controller), with what the mocks give each path's load balancer. */
export const CONTROLLERS = {
    nginx: { set: {}, lbIp: LB_IP, lbId: LB_ID },
    gateway: { set: { ingress: { controller: "gateway" } }, lbIp: GATEWAY_LB_IP, lbId: GATEWAY_LB_ID },
} as const;
type Controller = keyof typeof CONTROLLERS;
/** Each stack with each controller: the suites that hold for both paths run over these. */
export const STACKS_BY_CONTROLLER = (["dev", "prod"] as const).flatMap((stack) =>
    (Object.keys(CONTROLLERS) as Controller[]).map((controller) => [stack, controller] as const),
);
export const MOCK_IMAGE_DIGEST = `sha256:${"ab12".repeat(16)}`;
export const DOKS_VERSIONS = ["1.37.1-do.0", "1.36.4-do.1", "1.36.3-do.0", "1.35.8-do.2"];

export type { Evaluation, Invocation, Registered } from "../offline/types";

/** A Service status as the DigitalOcean cloud controller writes it. */
export type LoadBalancerIngress = { ip?: string; hostname?: string }[];

/**
 * The cloud's answers for one run. The ingress controller's Service, read after the release, has
 * the status the cloud controller writes: the hostname when the do-loadbalancer-hostname
 * annotation is set, else the load balancer's IP (digitalocean-cloud-controller-manager
 * cloud-controller-manager/do/loadbalancers.go, EnsureLoadBalancer); `ingress` overrides it.
 */
function cloud(o: EvaluateOptions): (type: string, name: string, inputs: Record<string, any>, read?: string) => Record<string, any> {
    let serviceAnnotations: Record<string, string> = {};
    let gateway: Record<string, any> | undefined;
    return (type, name, inputs, read) => {
        if (type === "kubernetes:helm.sh/v3:Release" && inputs.chart === "ingress-nginx") {
            serviceAnnotations = inputs.values?.controller?.service?.annotations ?? {};
        }
        if (type === "kubernetes:gateway.networking.k8s.io/v1:Gateway" && read === undefined) gateway = inputs;
        if (type === "kubernetes:gateway.networking.k8s.io/v1:Gateway" && read !== undefined) {
            // Cilium writes the load balancer's address into the Gateway's status (GatewayStatusAddress).
            const addresses = o.gatewayAddresses ?? [{ type: "IPAddress", value: GATEWAY_LB_IP }];
            return { ...gateway, status: { addresses, conditions: [{ type: "Programmed", status: "True", reason: "Programmed" }] } };
        }
        if (type === "kubernetes:core/v1:Service" && read !== undefined) {
            const [namespace, serviceName] = read.split("/");
            // Cilium's Service for a Gateway carries the Gateway's spec.infrastructure annotations (cilium/cilium#29122).
            const ofGateway = serviceName.startsWith("cilium-gateway-");
            const annotations = ofGateway ? (gateway?.spec?.infrastructure?.annotations ?? {}) : serviceAnnotations;
            const hostname = annotations["service.beta.kubernetes.io/do-loadbalancer-hostname"];
            const ingress = o.loadBalancerIngress ?? (hostname ? [{ hostname }] : [{ ip: ofGateway ? GATEWAY_LB_IP : LB_IP }]);
            return {
                apiVersion: "v1",
                kind: "Service",
                metadata: {
                    name: serviceName,
                    namespace,
                    annotations: { ...annotations, ...(o.loadBalancerIdAnnotation !== null && { "kubernetes.digitalocean.com/load-balancer-id": ofGateway ? GATEWAY_LB_ID : LB_ID }) },
                },
                spec: { type: "LoadBalancer", ports: [{ name: "http", port: 80 }, { name: "https", port: 443 }] },
                status: { loadBalancer: { ingress } },
            };
        }
        if (type === "pulumi:pulumi:StackReference") {
            // The builtin provider's read: the stack's outputs from the backend (pulumi/pulumi
            // pkg/resource/deploy/builtins.go, readStackReference); none before the first up.
            return { name: read, outputs: o.priorOutputs ?? {}, secretOutputNames: [] };
        }
        if (type === "digitalocean:index/containerRegistry:ContainerRegistry" && read !== undefined) {
            // The engine's read of a resource the provider answers empty for: pulumi/pulumi
            // pkg/resource/deploy/step.go, ReadStep.Apply ("resource '%s' does not exist").
            if (o.existingRegistry === false) throw new Error(`resource '${read}' does not exist`);
            return { name: read, endpoint: `registry.digitalocean.com/${read}`, serverUrl: "registry.digitalocean.com", region: "fra1", subscriptionTierSlug: "basic" };
        }
        return { ...computedState(type, name, inputs), ...o.live?.[name] };
    };
}

function computedState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    switch (type) {
        case "digitalocean:index/vpc:Vpc":
            return { ipRange: "10.110.0.0/20", ...inputs };
        case "digitalocean:index/kubernetesCluster:KubernetesCluster": {
            const endpoint = `https://${name}-id.k8s.ondigitalocean.com`;
            return {
                ...inputs,
                endpoint,
                urn: `do:kubernetes:${name}-id`,
                kubeConfigs: [
                    {
                        host: endpoint,
                        clusterCaCertificate: "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMuLi4=",
                        token: SECRET_TEXTS.kubeconfigToken,
                        rawConfig: `apiVersion: v1\nusers:\n- name: do-admin\n  user:\n    token: ${SECRET_TEXTS.kubeconfigToken}\n`,
                        expiresAt: "2026-11-29T10:00:00Z",
                    },
                ],
            };
        }
        case "digitalocean:index/kubernetesNodePool:KubernetesNodePool":
            return { ...inputs, actualNodeCount: inputs.nodeCount, nodes: [] };
        case "digitalocean:index/databaseCluster:DatabaseCluster":
            return {
                ...inputs,
                host: `${inputs.name}-do-user-1.k.db.ondigitalocean.com`,
                privateHost: `private-${inputs.name}-do-user-1.k.db.ondigitalocean.com`,
                port: 25060,
                user: "doadmin",
                password: "AVNS_mockAdminPassword",
            };
        case "digitalocean:index/databaseUser:DatabaseUser":
            return { ...inputs, password: SECRET_TEXTS.dbPassword };
        case "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool":
            return {
                ...inputs,
                privateHost: "private-pool-do-user-1.k.db.ondigitalocean.com",
                port: 25061,
                password: SECRET_TEXTS.dbPassword,
            };
        case "digitalocean:index/containerRegistry:ContainerRegistry":
            return { ...inputs, endpoint: `registry.digitalocean.com/${inputs.name}`, serverUrl: "registry.digitalocean.com" };
        case "digitalocean:index/containerRegistryDockerCredentials:ContainerRegistryDockerCredentials":
            requireRegistryName(name, inputs);
            return {
                ...inputs,
                dockerCredentials: JSON.stringify({ auths: { "registry.digitalocean.com": { auth: SECRET_TEXTS.registryAuth } } }),
            };
        case "kubernetes:helm.sh/v3:Release":
            return { ...inputs, status: { name: inputs.name, namespace: inputs.namespace, status: "deployed" } };
        case "docker-build:index:Image":
            return { ...inputs, digest: MOCK_IMAGE_DIGEST, ref: `${inputs.tags?.[0]}@${MOCK_IMAGE_DIGEST}` };
        case "random:index/randomPassword:RandomPassword":
            return { ...inputs, result: SECRET_TEXTS.djangoSecretKey };
        default:
            // The Kubernetes provider names objects that have no metadata.name: <name>-<suffix>.
            if (type.startsWith("kubernetes:") && inputs.metadata && !inputs.metadata.name) {
                return { ...inputs, metadata: { ...inputs.metadata, name: generatedName(name) } };
            }
            return inputs;
    }
}

/** The provider's check of a required argument, in its words. */
function requireRegistryName(name: string, inputs: Record<string, any>): void {
    if (inputs.registryName === undefined || inputs.registryName === null || inputs.registryName === "") {
        throw new Error(
            `digitalocean:index/containerRegistryDockerCredentials:ContainerRegistryDockerCredentials resource '${name}' ` +
                `has a problem: Missing required argument. The argument "registry_name" is required, but no definition was found.`,
        );
    }
}

/** The name the mocked provider generates for an object without metadata.name. */
export function generatedName(resourceName: string): string {
    return `${resourceName}-${mockSuffix(resourceName)}`;
}

function mockSuffix(name: string): string {
    let h = 0;
    for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return h.toString(36).padStart(8, "0").slice(0, 8);
}

/** A size as GET /v2/sizes lists it, in the provider's field names (GetSizesSize). */
export function apiSize(slug: string, priceMonthly: number, vcpus: number, memory: number, disk: number) {
    return {
        slug,
        priceMonthly,
        priceHourly: Math.round((priceMonthly / 672) * 100000) / 100000,
        vcpus,
        memory,
        disk,
        transfer: vcpus * 2,
        available: true,
        regions: ["ams3", "fra1", "lon1", "nyc1", "sfo3", "sgp1"],
        gpuInfos: [],
    };
}

/** The sizes the stacks use, priced as DigitalOcean's API lists them. */
export const API_SIZES = [apiSize("s-1vcpu-2gb", 12, 1, 2048, 50), apiSize("s-2vcpu-4gb", 24, 2, 4096, 80), apiSize("s-4vcpu-8gb", 48, 4, 8192, 160)];

/** The provider's error when the token may not list sizes (godo's format, wrapped by the provider's data source). */
export const SIZES_FORBIDDEN =
    'Error retrieving sizes: GET https://api.digitalocean.com/v2/sizes?page=1&per_page=200: 403 (request "5b1f6cb1-2c8e-4d8a-9a1c-3f3c1d6e2a10") You are not authorized to perform this operation';

function invokeResult(token: string, args: Record<string, any>, sizes: EvaluateOptions["sizes"] = API_SIZES): Record<string, any> {
    switch (token) {
        case "digitalocean:index/getSizes:getSizes":
            // As a gRPC error reaches the SDK: the message in `details` (@pulumi/pulumi runtime/invoke.js).
            if (sizes === "forbidden") throw Object.assign(new Error(SIZES_FORBIDDEN), { code: 2, details: SIZES_FORBIDDEN });
            return { id: "2026-12-04 00:00:00.000000000 +0000 UTC", sizes };
        case "digitalocean:index/getKubernetesVersions:getKubernetesVersions": {
            const valid = DOKS_VERSIONS.filter((v) => v.startsWith(args.versionPrefix ?? ""));
            return { latestVersion: valid[0] ?? "", validVersions: valid, versionPrefix: args.versionPrefix };
        }
        case "digitalocean:index/getLoadBalancer:getLoadBalancer":
            return { id: args.id ?? LB_ID, name: args.name ?? "django-doks-lb", ip: LB_IP_BY_NAME, status: "active" };
        case "digitalocean:index/getContainerRegistry:getContainerRegistry":
        case "digitalocean:index/getContainerRegistries:getContainerRegistries":
            return BROKEN_REGISTRY_LOOKUP;
        default:
            return args;
    }
}

/** What a run sets on top of the stack (stack-values.ts), and what the cloud answers. */
export interface EvaluateOptions extends ConfigOptions {
    /** The ingress controller Service's status.loadBalancer.ingress, instead of what the cloud controller would write. */
    loadBalancerIngress?: LoadBalancerIngress;
    /** What the DigitalOcean API answers for the load balancer by name, on top of the default answer. */
    loadBalancerByName?: Record<string, unknown>;
    /** Evaluate as the first `pulumi preview` of the stack (nothing exists yet): see `plannedState`. */
    preview?: boolean;
    /** The stack's outputs from its last `pulumi up` (its StackReference to itself); none by default. */
    priorOutputs?: Record<string, unknown>;
    /** What the stack's existing resources hold, by resource name, over their inputs (a stack created with other values). */
    live?: Record<string, Record<string, unknown>>;
    /** false: the registry `registryMode: existing` names does not exist. */
    existingRegistry?: boolean;
    /** null: the cloud controller has not annotated the Service with the load balancer's id. */
    loadBalancerIdAnnotation?: null;
    /** The Gateway's status.addresses, instead of what Cilium writes (its load balancer's IPv4). */
    gatewayAddresses?: { type?: string; value: string }[];
    /** What DigitalOcean's API lists as Droplet sizes (API_SIZES), or "forbidden": a token that may not read them. */
    sizes?: ReturnType<typeof apiSize>[] | "forbidden";
    /**
     * Evaluate as a `pulumi preview` of the stack after its last `pulumi up`: every resource exists
     * and holds what the cloud answers (`live` on top), except the outputs named here, by resource
     * name, which its provider plans as unknown for an update of it.
     */
    previewUpdate?: Record<string, string[]>;
    /** With previewUpdate: the resources, by name, that the update creates (the stack has not had them). */
    creating?: string[];
}

/**
 * What the engine knows of a resource it would create, in the first preview of a stack. A
 * provider whose configuration is unknown (Kubernetes: its kubeconfig needs the cluster's endpoint)
 * is not asked at all, so every output is unknown; the others (DigitalOcean, random, command,
 * docker-build) plan the create from the inputs and leave computed outputs unknown
 * (pulumi/pulumi pkg/resource/plugin/provider_plugin.go, provider.Create with Preview set).
 */
export function plannedState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    if (type.startsWith("kubernetes:")) return {};
    if (type === "digitalocean:index/containerRegistryDockerCredentials:ContainerRegistryDockerCredentials") {
        requireRegistryName(name, inputs);
    }
    return inputs;
}


/**
 * Runs the program for a stack under Pulumi's mocks: the committed stack file, the user's
 * values and secrets, then `set`/`unset`. Returns what it registered, invoked and exported.
 */
export async function evaluate(program: Program, stack: StackName, o: EvaluateOptions = {}): Promise<Evaluation> {
    const { evaluation, error } = await run(program, stack, o);
    if (error !== undefined) throw error;
    return evaluation;
}

/** Runs a program expected to fail; returns the error and what was registered before it. */
export async function evaluateFailure(
    program: Program,
    stack: StackName,
    o: EvaluateOptions = {},
): Promise<{ error: Error; evaluation: Evaluation }> {
    const { evaluation, error } = await run(program, stack, o);
    if (error === undefined) throw new Error("expected the program to fail, but it succeeded");
    return { error: error as Error, evaluation };
}

async function run(
    program: Program,
    stack: StackName,
    o: EvaluateOptions,
): Promise<{ evaluation: Evaluation; error?: unknown }> {
    const answer = cloud(o);
    const unknown = o.previewUpdate ?? {};
    return runOffline(program, {
        ...stackSettings(stack, o),
        preview: o.preview === true || o.previewUpdate !== undefined,
        existing: o.previewUpdate !== undefined,
        creating: o.creating,
        planned: plannedState,
        state: (type, name, inputs, read) => {
            const state = answer(type, name, inputs, read);
            return Object.fromEntries(Object.entries(state).filter(([k]) => !unknown[name]?.includes(k)));
        },
        invoke: (token, args) =>
            token === "digitalocean:index/getLoadBalancer:getLoadBalancer" ? { ...invokeResult(token, args), ...o.loadBalancerByName } : invokeResult(token, args, o.sizes),
    });
}

export const resolve = resolveOutput;
/** Whether an Output's value is known (false in a preview for what the cloud computes on create). */
export const isKnown = async (o: unknown): Promise<boolean> => (await resolveOutput(o)).known !== false;

/** A value as the engine receives it: unknowns as its sentinel (KeepUnknowns). */
export function toWire(v: unknown): unknown {
    if (pulumi.isUnknown(v)) return pulumi.runtime.unknownValue;
    if (Array.isArray(v)) return v.map(toWire);
    if (v && typeof v === "object") {
        return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, toWire(x)]));
    }
    return v;
}

/** Whether a value holds an unknown anywhere (in a preview). */
export const hasUnknown = (v: unknown): boolean => JSON.stringify(toWire(v) ?? null).includes(pulumi.runtime.unknownValue);

/** A registered input as the engine receives it: secret values arrive wrapped. */
export function secretInput<T = any>(input: unknown): { secret: boolean; value: T } {
    if (isSecretInput(input)) return { secret: true, value: input.value as T };
    return { secret: false, value: input as T };
}

/** What the program itself registered (the root Stack is the harness's). */
export function programResources(e: Evaluation): Registered[] {
    return e.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
}

/** Resources of a type the program registers (not the objects it only reads). */
export function ofType(e: Evaluation, type: string): Registered[] {
    return e.resources.filter((r) => r.type === type && r.read === undefined);
}

/** Existing objects of a type the program reads (`Resource.get`). */
export function readsOf(e: Evaluation, type: string): Registered[] {
    return e.resources.filter((r) => r.type === type && r.read !== undefined);
}

export function one(e: Evaluation, type: string, name?: string): Registered {
    const found = ofType(e, type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) {
        throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
    }
    return found[0];
}

export { unwrapSecrets };

/** The secret texts (and their URI-encoded forms) found in a value outside any secret wrapper. */
export function plainTextSecrets(v: unknown): string[] {
    const patterns = Object.values(SECRET_TEXTS).flatMap((s) => [s, encodeURIComponent(s)]);
    const found = new Set<string>();
    const walk = (x: unknown): void => {
        if (isSecretInput(x)) return;
        if (typeof x === "string") patterns.filter((p) => x.includes(p)).forEach((p) => found.add(p));
        else if (Array.isArray(x)) x.forEach(walk);
        else if (x && typeof x === "object") Object.values(x).forEach(walk);
    };
    walk(v);
    return [...found];
}

/** Every Kubernetes object the program registered (not Helm releases, not the provider, not objects it only reads). */
export function kubernetesObjects(e: Evaluation): { resource: Registered; object: any }[] {
    return e.resources
        .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/") && r.read === undefined)
        .map((resource) => ({ resource, object: unwrapSecrets(resource.inputs) }));
}

export interface Verdict {
    name: string;
    kind: string;
    error: string | null;
}

/** The project's schema check, scripts/validate-k8s.mjs (the @kubernetes-models packages are ES modules only). */
export function validateObjects(objects: unknown[]): Verdict[] {
    const out = execFileSync(process.execPath, [path.join(ROOT, "scripts", "validate-k8s.mjs")], {
        input: JSON.stringify(objects),
        cwd: ROOT,
    });
    return JSON.parse(out.toString()) as Verdict[];
}

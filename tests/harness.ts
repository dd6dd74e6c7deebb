import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { Evaluation, isKnownOutput, isSecretInput, Program, Registered, resolveOutput, runOffline, unwrapSecrets } from "../lib/offline";

export const ROOT = path.resolve(__dirname, "..");
export const PROJECT = "django-doks";
export const STACKS = ["dev", "prod"] as const;
export type StackName = (typeof STACKS)[number];

/** What a user sets before the first deploy (kept out of the committed stack files). */
export const USER_VALUES: Record<string, string> = {
    registryName: "acme-django",
    hostname: "app.acme-test.org",
    acmeEmail: "ops@acme-test.org",
    staticContent: JSON.stringify({ repository: "https://github.com/acme/django-doks.git", path: "app/static-site" }),
};

/** Plain texts of every secret the program sees or the mocks hand out. */
export const SECRET_TEXTS = {
    doToken: "dop_v1_test0000000000000000000000000000000000000000000000000000000000",
    dbPassword: "AVNS_mockDbPassword123",
    kubeconfigToken: "doks_mock_short_lived_token",
    registryAuth: Buffer.from("mock-user:mock-registry-token").toString("base64"),
    namecheapPassword: "0123456789abcdef0123456789abcdef",
    appSecret: "sk_live_mockAppSecretValue",
    djangoSecretKey: "mock-django-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
};

/** What a user sets with --secret before the first deploy. */
export const USER_SECRETS: Record<string, string> = {
    namecheapPassword: SECRET_TEXTS.namecheapPassword,
};

export const LB_IP = "203.0.113.10";
/** What the DigitalOcean API answers for the load balancer by name (differs, to tell the paths apart). */
export const LB_IP_BY_NAME = "203.0.113.20";
export const MOCK_IMAGE_DIGEST = `sha256:${"ab12".repeat(16)}`;
export const DOKS_VERSIONS = ["1.37.1-do.0", "1.36.4-do.1", "1.36.3-do.0", "1.35.8-do.2"];

export type { Evaluation, Invocation, Registered } from "../lib/offline";

/** The committed stack file's values, as Pulumi hands them to the program (strings). */
export function stackFileConfig(stack: StackName): Record<string, string> {
    const file = parseYaml(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
        config?: Record<string, unknown>;
    };
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(file.config ?? {})) {
        out[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return out;
}

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
    return (type, name, inputs, read) => {
        if (type === "kubernetes:helm.sh/v3:Release" && inputs.chart === "ingress-nginx") {
            serviceAnnotations = inputs.values?.controller?.service?.annotations ?? {};
        }
        // A release's status is computed on install: unknown in a preview before it.
        if (type === "kubernetes:helm.sh/v3:Release" && o.preview) return inputs;
        if (type === "kubernetes:core/v1:Service" && read !== undefined) {
            const [namespace, serviceName] = read.split("/");
            const hostname = serviceAnnotations["service.beta.kubernetes.io/do-loadbalancer-hostname"];
            const ingress = o.loadBalancerIngress ?? (hostname ? [{ hostname }] : [{ ip: LB_IP }]);
            return {
                apiVersion: "v1",
                kind: "Service",
                metadata: {
                    name: serviceName,
                    namespace,
                    annotations: { ...serviceAnnotations, "kubernetes.digitalocean.com/load-balancer-id": "lb-uuid-1" },
                },
                spec: { type: "LoadBalancer", ports: [{ name: "http", port: 80 }, { name: "https", port: 443 }] },
                status: { loadBalancer: { ingress } },
            };
        }
        return computedState(type, name, inputs);
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

/** The name the mocked provider generates for an object without metadata.name. */
export function generatedName(resourceName: string): string {
    return `${resourceName}-${mockSuffix(resourceName)}`;
}

function mockSuffix(name: string): string {
    let h = 0;
    for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return h.toString(36).padStart(8, "0").slice(0, 8);
}

function invokeResult(token: string, args: Record<string, any>): Record<string, any> {
    switch (token) {
        case "digitalocean:index/getKubernetesVersions:getKubernetesVersions": {
            const valid = DOKS_VERSIONS.filter((v) => v.startsWith(args.versionPrefix ?? ""));
            return { latestVersion: valid[0] ?? "", validVersions: valid, versionPrefix: args.versionPrefix };
        }
        case "digitalocean:index/getLoadBalancer:getLoadBalancer":
            return { name: args.name, ip: LB_IP_BY_NAME, status: "active" };
        case "digitalocean:index/getContainerRegistry:getContainerRegistry":
            return {
                name: args.name,
                endpoint: `registry.digitalocean.com/${args.name}`,
                serverUrl: "registry.digitalocean.com",
                subscriptionTierSlug: "basic",
            };
        default:
            return args;
    }
}

export interface EvaluateOptions {
    /** Values to set on top of the stack file, keys without the project prefix. */
    set?: Record<string, unknown>;
    /** Keys to remove (including the user's values), without the project prefix. */
    unset?: string[];
    /** Leave digitalocean:token unset. */
    withoutToken?: boolean;
    /** Secret values to set on top of USER_SECRETS (keys without the project prefix); undefined removes one. */
    secrets?: Record<string, string | undefined>;
    /** Keys of `set` or `secrets` that are stored in plain text instead of as secrets. */
    plain?: string[];
    /** DIGITALOCEAN_TOKEN / DIGITALOCEAN_ACCESS_TOKEN as the program sees them (unset otherwise). */
    env?: Partial<Record<"DIGITALOCEAN_TOKEN" | "DIGITALOCEAN_ACCESS_TOKEN", string>>;
    /** The ingress controller Service's status.loadBalancer.ingress, instead of what the cloud controller would write. */
    loadBalancerIngress?: LoadBalancerIngress;
    /** What the DigitalOcean API answers for the load balancer by name, on top of the default answer. */
    loadBalancerByName?: Record<string, unknown>;
    /** `pulumi preview` of a stack not deployed yet: what the cloud computes on create is unknown. */
    preview?: boolean;
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
    const values: Record<string, string> = { ...stackFileConfig(stack) };
    for (const [k, v] of Object.entries(USER_VALUES)) values[`${PROJECT}:${k}`] = mergedValue(values[`${PROJECT}:${k}`], v);
    for (const [k, v] of Object.entries(o.set ?? {})) {
        values[`${PROJECT}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    }
    for (const k of o.unset ?? []) delete values[`${PROJECT}:${k}`];
    const secretKeys: string[] = [];
    for (const [k, v] of Object.entries({ ...USER_SECRETS, ...o.secrets })) {
        if (v === undefined) continue;
        values[`${PROJECT}:${k}`] = v;
        if (!o.plain?.includes(k)) secretKeys.push(`${PROJECT}:${k}`);
    }
    if (!o.withoutToken) {
        values["digitalocean:token"] = SECRET_TEXTS.doToken;
        secretKeys.push("digitalocean:token");
    }
    return runOffline(program, {
        project: PROJECT,
        stack,
        config: values,
        secretKeys,
        env: { DIGITALOCEAN_TOKEN: o.env?.DIGITALOCEAN_TOKEN, DIGITALOCEAN_ACCESS_TOKEN: o.env?.DIGITALOCEAN_ACCESS_TOKEN },
        preview: o.preview,
        state: cloud(o),
        invoke: (token, args) =>
            token === "digitalocean:index/getLoadBalancer:getLoadBalancer" ? { ...invokeResult(token, args), ...o.loadBalancerByName } : invokeResult(token, args),
    });
}

/** A user's `pulumi config set --path` on top of an object the stack file already holds. */
function mergedValue(existing: string | undefined, user: string): string {
    if (existing === undefined) return user;
    try {
        const a: unknown = JSON.parse(existing);
        const b: unknown = JSON.parse(user);
        if (a && b && typeof a === "object" && typeof b === "object") return JSON.stringify({ ...a, ...b });
    } catch {
        // not objects: the user's value wins
    }
    return user;
}

export const resolve = resolveOutput;
export const isKnown = isKnownOutput;

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

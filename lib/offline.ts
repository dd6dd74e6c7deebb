import * as pulumi from "@pulumi/pulumi";
import { runInThisContext } from "node:vm";

/** Runs a Pulumi program without an engine, cloud or network, under Pulumi's mocks. */

/** Resource inputs and state: arbitrary JSON, read by path. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Registered {
    /** Position among everything the program registered or invoked. */
    seq: number;
    type: string;
    name: string;
    /** "<type>::<name>": unique, unlike the name alone. */
    key: string;
    /** false for component resources (and the root stack), which the engine does not create. */
    custom: boolean;
    /**
     * Keys of what the engine waits for before creating this resource: dependsOn, the parent,
     * the provider, and the resources behind every Output among its inputs.
     */
    dependencies: string[];
    inputs: Record<string, Json>;
    /** Resource options as the program passed them. */
    opts: {
        protect?: boolean;
        ignoreChanges?: string[];
        dependsOn?: string[];
        parent?: string;
        customTimeouts?: { create?: string; update?: string; delete?: string };
    };
    /** The provider reference the engine received ("<urn>::<id>"), when one was set. */
    provider?: string;
    /** What the engine handed back as the resource's state (in a preview: its planned outputs). */
    outputs: Record<string, Json>;
    /** The id of an existing object the program reads (`Resource.get`); such a record has no inputs. */
    read?: string;
    /** The URN and the dependencies (URNs) the program declared, as the engine receives them. */
    urn?: string;
    dependencyUrns?: string[];
    propertyDependencies?: Record<string, string[]>;
}

export interface Invocation {
    seq: number;
    token: string;
    args: Record<string, Json>;
}

export interface Evaluation {
    resources: Registered[];
    invokes: Invocation[];
    outputs: Record<string, unknown>;
}

export interface OfflineRun {
    project: string;
    stack: string;
    /** Full keys ("project:key") to values as Pulumi hands them over (strings). */
    config: Record<string, string>;
    secretKeys: string[];
    /** Environment variables as the program sees them; undefined removes one. */
    env?: Record<string, string | undefined>;
    /** What the cloud would answer: a resource's state (`read`: the id of an existing object read), a data source's result. */
    state(type: string, name: string, inputs: Record<string, Json>, read?: string): Record<string, Json>;
    invoke(token: string, args: Record<string, Json>): Record<string, Json>;
    /** The id the cloud would assign (default "<name>-id"). */
    id?(type: string, name: string): string;
    /**
     * Run as `pulumi preview` (Pulumi's mocks with dry run on): a resource to be created gets no
     * id, and only the outputs `planned` returns are known (none by default), the rest unknown.
     * Data sources (invokes) and reads still answer through `invoke` and `state`.
     */
    preview?: boolean;
    /** In a preview: the outputs the engine knows for a resource it would create. */
    planned?(type: string, name: string, inputs: Record<string, Json>): Record<string, Json>;
}

/** The parts of the engine's RegisterResourceRequest/Response the runner records. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(f: (deps: { getUrnsList(): string[] }, key: string) => void): void };
}
type RegisterCallback = (err: unknown, res?: { getUrn(): string }) => void;

export type Program = () => Record<string, unknown>;

/**
 * What the DigitalOcean provider answers for `getContainerRegistry` and `getContainerRegistries`
 * today: both read the registry by their own empty id, so every attribute is null
 * (terraform-provider-digitalocean issue #1535; fix PR #1594 unmerged).
 */
export const BROKEN_REGISTRY_LOOKUP: Record<string, Json> = {
    id: null,
    name: null,
    endpoint: null,
    serverUrl: null,
    region: null,
    subscriptionTierSlug: null,
    storageUsageBytes: null,
    createdAt: null,
};

/** Resource.__name: the SDK keeps a resource's name there; options refer to resources. */
const nameOf = (r: unknown): string | undefined => (r as { __name?: string } | undefined)?.__name;
/** Resource.__pulumiType and __name, as a Registered key. */
const keyOf = (r: unknown): string | undefined => {
    const res = r as { __pulumiType?: string; __name?: string } | undefined;
    return res?.__pulumiType && res.__name ? `${res.__pulumiType}::${res.__name}` : undefined;
};

/**
 * The resources behind every Output found in a resource's inputs (the engine waits for them),
 * including those an invoke's Output learns from its own dependsOn once it resolves.
 */
function outputResources(v: unknown, found: Set<string>, pending: Promise<unknown>[], depth = 0): void {
    if (depth > 50 || v === null || typeof v !== "object") return;
    if (pulumi.Output.isInstance(v)) {
        const out = v as unknown as { resources(): Set<unknown>; allResources?: () => Promise<Set<unknown>> };
        const add = (rs: Iterable<unknown>) => {
            for (const r of rs) {
                const k = keyOf(r);
                if (k) found.add(k);
            }
        };
        add(out.resources());
        if (out.allResources) pending.push(out.allResources().then(add, () => undefined));
        return;
    }
    if (pulumi.Resource.isInstance(v)) return;
    for (const x of Array.isArray(v) ? v : Object.values(v)) outputResources(x, found, pending, depth + 1);
}

export async function runOffline(program: Program, run: OfflineRun): Promise<{ evaluation: Evaluation; error?: unknown }> {
    const resources: Registered[] = [];
    const invokes: Invocation[] = [];
    const options = new Map<string, Registered["opts"]>();
    const dependencies = new Map<string, Set<string>>();
    const pendingDependencies: Promise<unknown>[] = [];
    let seq = 0;

    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const key = `${args.type}::${args.name}`;
                // A read (Resource.get) arrives with the id to read; an import with its import id.
                const read = args.id || undefined;
                // A custom resource without an id to read is one the engine would create.
                const planned = run.preview === true && args.custom !== false && read === undefined;
                // The engine cannot read an object whose id is unknown (a preview before it
                // exists): it answers with no outputs, so they stay unknown.
                const outputs = planned
                    ? (run.planned?.(args.type, args.name, args.inputs) ?? {})
                    : read === pulumi.runtime.unknownValue
                      ? {}
                      : run.state(args.type, args.name, args.inputs, read);
                resources.push({
                    seq: seq++,
                    type: args.type,
                    name: args.name,
                    key,
                    custom: args.custom === true,
                    dependencies: [],
                    inputs: args.inputs,
                    provider: args.provider,
                    opts: options.get(`${args.type}::${args.name}`) ?? {},
                    outputs,
                    ...(read !== undefined && { read }),
                });
                if (planned) return { id: "", state: outputs };
                const id = read ?? (run.id ? run.id(args.type, args.name) : `${args.name}-id`);
                return { id, state: outputs };
            },
            call: (args) => {
                invokes.push({ seq: seq++, token: args.token, args: args.inputs });
                return run.invoke(args.token, args.inputs);
            },
        },
        run.project,
        run.stack,
        run.preview === true,
    );
    pulumi.runtime.setAllConfig(run.config, run.secretKeys);
    const links = recordLinks();

    const saved = Object.keys(run.env ?? {}).map((k) => [k, process.env[k]] as const);
    for (const [k, v] of Object.entries(run.env ?? {})) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
    let outputs: Record<string, unknown> = {};
    let error: unknown;
    const rejections = captureRejections();
    try {
        try {
            await pulumi.runtime.runInPulumiStack(async () => {
                pulumi.runtime.registerStackTransformation((t) => {
                    const dependsOn = ([] as unknown[]).concat(t.opts.dependsOn ?? []);
                    options.set(`${t.type}::${t.name}`, {
                        protect: t.opts.protect,
                        ignoreChanges: t.opts.ignoreChanges,
                        customTimeouts: (t.opts as { customTimeouts?: Registered["opts"]["customTimeouts"] }).customTimeouts,
                        parent: nameOf(t.opts.parent),
                        dependsOn: dependsOn.map((r) => nameOf(r) as string),
                    });
                    const deps = new Set<string>();
                    const provider = (t.opts as { provider?: unknown }).provider;
                    for (const r of [...dependsOn, t.opts.parent, provider]) {
                        const k = keyOf(r);
                        if (k) deps.add(k);
                    }
                    outputResources(t.props, deps, pendingDependencies);
                    dependencies.set(`${t.type}::${t.name}`, deps);
                    return undefined;
                });
                try {
                    outputs = program();
                } catch (e) {
                    error = e;
                }
                return outputs;
            });
        } catch (e) {
            // The stack's outputs failed: an apply threw (its own error is found below).
            error ??= e;
        } finally {
            for (const [k, v] of saved) {
                if (v === undefined) delete process.env[k];
                else process.env[k] = v;
            }
        }
        // Let every registration and apply settle before anyone reads the records; the first
        // output that failed says why, without the serialization path around it.
        error = (await failureOf(outputs)) ?? error;
        await Promise.allSettled(pendingDependencies);
        await drain();
    } finally {
        rejections.release();
    }
    for (const r of resources) r.dependencies = [...(dependencies.get(r.key) ?? [])].filter((k) => k !== r.key);
    for (const r of resources) Object.assign(r, links.get(r.key));
    return { evaluation: { resources, invokes, outputs }, error: error ?? rejections.first() };
}

/** Records each registration's URN and declared dependencies, by "<type>::<name>". */
function recordLinks(): Map<string, Pick<Registered, "urn" | "dependencyUrns" | "propertyDependencies">> {
    const links = new Map<string, Pick<Registered, "urn" | "dependencyUrns" | "propertyDependencies">>();
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: RegisterRequest, callback: RegisterCallback): void;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        register(req, (err, res) => {
            if (!err && res) {
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((deps, key) => (propertyDependencies[key] = deps.getUrnsList()));
                links.set(`${req.getType()}::${req.getName()}`, {
                    urn: res.getUrn(),
                    dependencyUrns: req.getDependenciesList(),
                    propertyDependencies,
                });
            }
            callback(err, res);
        });
    return links;
}

/** The error of a failed output: the apply's own, before the SDK wrapped it into serialization errors of the resources that consumed it. */
async function failureOf(outputs: Record<string, unknown>): Promise<unknown> {
    const settled = await Promise.allSettled(Object.values(outputs).map((o) => (pulumi.Output.isInstance(o) ? resolveOutput(o) : o)));
    const failures = settled.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    const wrapped = (e: unknown) => e instanceof Error && e.message.startsWith("error serializing property");
    return failures.find((e) => !wrapped(e)) ?? failures[0];
}

/** Waits until the SDK has no RPC in flight and nothing else is queued. */
async function drain(): Promise<void> {
    const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs;
    await waitForRPCs();
    await new Promise((r) => setImmediate(r));
}

/**
 * A failed apply fails the run, as it fails `pulumi up`: the SDK re-raises every resource
 * operation that failed on it as an unhandled rejection, and the language host reports those
 * (runAsyncResourceOp in @pulumi/pulumi runtime/resource.js). This records them instead, on the
 * real process (Node's main context): under jest `process` is a per-file copy whose listeners
 * Node never calls, and jest's own listener would fail the running test with them.
 */
function captureRejections(): { first(): unknown; release(): void } {
    const real = runInThisContext("process") as NodeJS.Process;
    const others = real.listeners("unhandledRejection");
    const seen: unknown[] = [];
    const record = (e: unknown) => seen.push(e);
    real.removeAllListeners("unhandledRejection");
    real.on("unhandledRejection", record);
    return {
        first: () => seen[0],
        release: () => {
            real.off("unhandledRejection", record);
            for (const l of others) real.on("unhandledRejection", l as (...args: unknown[]) => void);
        },
    };
}

/**
 * Resolves an Output to its value and whether it is secret. In a preview a value the engine does
 * not know yet comes back with `known: false` (its value undefined) instead of never resolving.
 */
export async function resolveOutput<T>(o: pulumi.Output<T> | T): Promise<{ value: T; secret: boolean; known?: false }> {
    if (!pulumi.Output.isInstance(o)) return { value: o as T, secret: false };
    const out = o as pulumi.Output<T>;
    // Output.promise (internal to the SDK) rejects when the Output failed, where apply never runs.
    const value = await (out as unknown as { promise(): Promise<T> }).promise();
    const secret = await pulumi.isSecret(out);
    // The engine's view: unknowns serialize to its sentinel (only during a preview).
    const wire: unknown = await pulumi.runtime.serializeProperty("resolve", out);
    if (JSON.stringify(wire ?? null).includes(pulumi.runtime.unknownValue)) {
        return { value: undefined as T, secret, known: false };
    }
    return { value, secret };
}

function isSecretWrapper(v: unknown): v is { value: unknown } {
    return !!v && typeof v === "object" && (v as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

/** A registered input with every secret wrapper replaced by its value, or by `mask` when given. */
export function unwrapSecrets<T = Json>(v: unknown, mask?: string): T {
    if (isSecretWrapper(v)) return (mask ?? unwrapSecrets(v.value)) as T;
    if (Array.isArray(v)) return v.map((x) => unwrapSecrets(x, mask)) as T;
    if (v && typeof v === "object") {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x, mask)])) as T;
    }
    return v as T;
}

/**
 * A registered input with every secret masked leaf by leaf: an object keeps its keys and a JSON
 * text its shape (a `.dockerconfigjson` stays valid JSON), so masked objects still validate.
 */
export function maskSecrets<T = Json>(v: unknown, mask: string): T {
    if (isSecretWrapper(v)) return maskLeaves(unwrapSecrets(v.value), mask) as T;
    if (Array.isArray(v)) return v.map((x) => maskSecrets(x, mask)) as T;
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskSecrets(x, mask)])) as T;
    return v as T;
}

function maskLeaves(v: unknown, mask: string): unknown {
    if (typeof v === "string") {
        try {
            const parsed: unknown = JSON.parse(v);
            if (parsed !== null && typeof parsed === "object") return JSON.stringify(maskLeaves(parsed, mask));
        } catch {
            // not JSON: the whole text is the secret
        }
        return mask;
    }
    if (Array.isArray(v)) return v.map((x) => maskLeaves(x, mask));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskLeaves(x, mask)]));
    return v === null || v === undefined ? v : mask;
}

/** Whether a registered input is a secret (as the engine receives it). */
export function isSecretInput(v: unknown): v is { value: unknown } {
    return isSecretWrapper(v);
}

/**
 * Custom resources in the order the engine can create them: each after everything it depends on
 * (waiting on a component means waiting on all of its descendants), otherwise in registration order.
 */
export function applyOrder(resources: Registered[]): Registered[] {
    const byKey = new Map(resources.map((r) => [r.key, r]));
    const children = new Map<string, Registered[]>();
    for (const r of resources) {
        const parent = resources.find((p) => p.name === r.opts.parent && !p.custom);
        if (parent) children.set(parent.key, [...(children.get(parent.key) ?? []), r]);
    }
    const descendants = (key: string): Registered[] =>
        (children.get(key) ?? []).flatMap((c) => (c.custom ? [c, ...descendants(c.key)] : descendants(c.key)));
    const waitsFor = (r: Registered): Set<string> => {
        const out = new Set<string>();
        for (const k of r.dependencies) {
            const d = byKey.get(k);
            if (!d) continue;
            if (d.custom) out.add(d.key);
            // A child does not wait for its component parent; dependsOn on a component waits for its children.
            else if (d.name !== r.opts.parent) for (const x of descendants(d.key)) out.add(x.key);
        }
        return out;
    };
    const pending = resources.filter((r) => r.custom).map((r) => ({ r, waits: waitsFor(r) }));
    const done = new Set<string>();
    const order: Registered[] = [];
    while (pending.length > 0) {
        // pending keeps registration order, so the first ready one is the earliest registered.
        let i = pending.findIndex((p) => [...p.waits].every((k) => done.has(k)));
        if (i < 0) i = 0; // a cycle cannot be created either; keep registration order
        const [{ r }] = pending.splice(i, 1);
        done.add(r.key);
        order.push(r);
    }
    return order;
}

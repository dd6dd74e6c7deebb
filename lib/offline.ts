import * as pulumi from "@pulumi/pulumi";

/** Runs a Pulumi program without an engine, cloud or network, under Pulumi's mocks. */

/** Resource inputs and state: arbitrary JSON, read by path. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Registered {
    /** Position among everything the program registered or invoked. */
    seq: number;
    type: string;
    name: string;
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
    /** The URN and the dependencies the program declared, as the engine receives them. */
    urn?: string;
    dependencies?: string[];
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
    /** What the cloud would answer: a resource's state, a data source's result. */
    state(type: string, name: string, inputs: Record<string, Json>): Record<string, Json>;
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

export async function runOffline(program: Program, run: OfflineRun): Promise<{ evaluation: Evaluation; error?: unknown }> {
    const resources: Registered[] = [];
    const invokes: Invocation[] = [];
    const options = new Map<string, Registered["opts"]>();
    let seq = 0;

    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                // A custom resource without an id to read is one the engine would create.
                const planned = run.preview === true && args.custom !== false && !args.id;
                const outputs = planned
                    ? (run.planned?.(args.type, args.name, args.inputs) ?? {})
                    : run.state(args.type, args.name, args.inputs);
                resources.push({
                    seq: seq++,
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    provider: args.provider,
                    opts: options.get(`${args.type}::${args.name}`) ?? {},
                    outputs,
                });
                if (planned) return { id: "", state: outputs };
                const id = run.id ? run.id(args.type, args.name) : `${args.name}-id`;
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
                return undefined;
            });
            try {
                outputs = program();
            } catch (e) {
                error = e;
            }
            return outputs;
        });
    } finally {
        for (const [k, v] of saved) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    }
    // Let every registration and apply settle before anyone reads the records.
    if (error === undefined) await settle(outputs);
    for (const r of resources) Object.assign(r, links.get(`${r.type}::${r.name}`));
    return { evaluation: { resources, invokes, outputs }, error };
}

/** Records each registration's URN and declared dependencies, by "<type>::<name>". */
function recordLinks(): Map<string, Pick<Registered, "urn" | "dependencies" | "propertyDependencies">> {
    const links = new Map<string, Pick<Registered, "urn" | "dependencies" | "propertyDependencies">>();
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
                    dependencies: req.getDependenciesList(),
                    propertyDependencies,
                });
            }
            callback(err, res);
        });
    return links;
}

async function settle(outputs: Record<string, unknown>): Promise<void> {
    await Promise.all(Object.values(outputs).map((o) => (pulumi.Output.isInstance(o) ? resolveOutput(o) : o)));
    await new Promise((r) => setImmediate(r));
}

/**
 * Resolves an Output to its value and whether it is secret. In a preview a value the engine does
 * not know yet comes back with `known: false` (its value undefined) instead of never resolving.
 */
export async function resolveOutput<T>(o: pulumi.Output<T> | T): Promise<{ value: T; secret: boolean; known?: false }> {
    if (!pulumi.Output.isInstance(o)) return { value: o as T, secret: false };
    const out = o as pulumi.Output<T>;
    const secret = await pulumi.isSecret(out);
    // The engine's view: unknowns serialize to its sentinel (only during a preview).
    const wire: unknown = await pulumi.runtime.serializeProperty("resolve", out);
    if (JSON.stringify(wire ?? null).includes(pulumi.runtime.unknownValue)) {
        return { value: undefined as T, secret, known: false };
    }
    const value = await new Promise<T>((r) => out.apply((v) => r(v)));
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

/** Whether a registered input is a secret (as the engine receives it). */
export function isSecretInput(v: unknown): v is { value: unknown } {
    return isSecretWrapper(v);
}

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
}

export type Program = () => Record<string, unknown>;

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
                resources.push({
                    seq: seq++,
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    provider: args.provider,
                    opts: options.get(`${args.type}::${args.name}`) ?? {},
                });
                const id = run.id ? run.id(args.type, args.name) : `${args.name}-id`;
                return { id, state: run.state(args.type, args.name, args.inputs) };
            },
            call: (args) => {
                invokes.push({ seq: seq++, token: args.token, args: args.inputs });
                return run.invoke(args.token, args.inputs);
            },
        },
        run.project,
        run.stack,
        false,
    );
    pulumi.runtime.setAllConfig(run.config, run.secretKeys);

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
    // Let every registration and apply settle before anyone reads the records (or the next run
    // resets the mocks: a failed run still registers its stack's outputs a tick later).
    await settle(error === undefined ? outputs : {});
    return { evaluation: { resources, invokes, outputs }, error };
}

async function settle(outputs: Record<string, unknown>): Promise<void> {
    await Promise.all(Object.values(outputs).map((o) => (pulumi.Output.isInstance(o) ? resolveOutput(o) : o)));
    await new Promise((r) => setImmediate(r));
}

/** Resolves an Output to its value and whether it is secret. */
export async function resolveOutput<T>(o: pulumi.Output<T> | T): Promise<{ value: T; secret: boolean }> {
    if (!pulumi.Output.isInstance(o)) return { value: o as T, secret: false };
    const out = o as pulumi.Output<T>;
    const value = await new Promise<T>((r) => out.apply((v) => r(v)));
    const secret = await pulumi.isSecret(out);
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

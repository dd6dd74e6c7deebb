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
    /** The id of an existing object the program reads (`Resource.get`); such a record has no inputs. */
    read?: string;
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
    /** `pulumi preview` (dry run): outputs the state leaves out are unknown. */
    preview?: boolean;
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
                // A read (Resource.get) arrives with the id to read; an import with its import id.
                const read = args.id || undefined;
                resources.push({
                    seq: seq++,
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    provider: args.provider,
                    opts: options.get(`${args.type}::${args.name}`) ?? {},
                    ...(read !== undefined && { read }),
                });
                const id = read ?? (run.id ? run.id(args.type, args.name) : `${args.name}-id`);
                // The engine cannot read an object whose id is unknown (a preview before it
                // exists): it answers with no outputs, so they stay unknown.
                if (read === pulumi.runtime.unknownValue) return { id, state: {} };
                return { id, state: run.state(args.type, args.name, args.inputs, read) };
            },
            call: (args) => {
                invokes.push({ seq: seq++, token: args.token, args: args.inputs });
                return run.invoke(args.token, args.inputs);
            },
        },
        run.project,
        run.stack,
        run.preview ?? false,
    );
    pulumi.runtime.setAllConfig(run.config, run.secretKeys);

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
        await drain();
    } finally {
        rejections.release();
    }
    return { evaluation: { resources, invokes, outputs }, error: error ?? rejections.first() };
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

/** Resolves an Output to its value and whether it is secret. */
export async function resolveOutput<T>(o: pulumi.Output<T> | T): Promise<{ value: T; secret: boolean }> {
    if (!pulumi.Output.isInstance(o)) return { value: o as T, secret: false };
    const out = o as pulumi.Output<T>;
    // Output.promise (internal to the SDK) rejects when the Output failed, where apply never runs.
    const value = await (out as unknown as { promise(): Promise<T> }).promise();
    const secret = await pulumi.isSecret(out);
    return { value, secret };
}

/** Whether an Output's value is known (false in a preview for what the cloud computes on create). */
export function isKnownOutput(o: unknown): Promise<boolean> {
    if (!pulumi.Output.isInstance(o)) return Promise.resolve(true);
    return (o as unknown as { isKnown: Promise<boolean> }).isKnown;
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

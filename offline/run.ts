import * as pulumi from "@pulumi/pulumi";
import { runInThisContext } from "node:vm";
import { recordDependencies } from "./dependencies";
import { failureOf } from "./outputs";
import type { Evaluation, Invocation, Json, OfflineRun, Program, Registered } from "./types";

// Runs a Pulumi program without an engine, cloud or network, under Pulumi's mocks.

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

/** Runs `program` under Pulumi's mocks, answering as `run` says; records what it registers, reads and invokes. */
export async function runOffline(program: Program, run: OfflineRun): Promise<{ evaluation: Evaluation; error?: unknown }> {
    const resources: Registered[] = [];
    const invokes: Invocation[] = [];
    const options = new Map<string, Registered["opts"]>();
    let seq = 0;

    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const key = `${args.type}::${args.name}`;
                // A read (Resource.get) arrives with the id to read; an import with its import id.
                const read = args.id || undefined;
                // A custom resource without an id to read is one the engine would create (unless the stack exists).
                const toCreate = run.existing !== true || (run.creating ?? []).includes(args.name);
                const planned = run.preview === true && toCreate && args.custom !== false && read === undefined;
                // The engine cannot read an object whose id is unknown (a preview before it
                // exists), nor through a provider whose configuration is unknown (a first preview):
                // it answers with no outputs, so they stay unknown (pulumi/pulumi
                // pkg/resource/plugin/provider_plugin.go, Read: "not fully configured, return an empty bag").
                const outputs = planned
                    ? (run.planned?.(args.type, args.name, args.inputs) ?? {})
                    : read === pulumi.runtime.unknownValue || (read !== undefined && !configured(resources, args.provider))
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
        // What a self-managed backend calls every stack's organization.
        run.organization ?? "organization",
    );
    pulumi.runtime.setAllConfig(run.config, run.secretKeys);
    const declared = recordDependencies();

    const saved = Object.keys(run.env ?? {}).map((k) => [k, process.env[k]] as const);
    for (const [k, v] of Object.entries(run.env ?? {})) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
    let outputs: Record<string, unknown> = {};
    let error: unknown;
    const rejections = captureRejections();
    const stackTraceLimit = Error.stackTraceLimit;
    // The SDK takes a stack trace for every promise it makes (debuggablePromise in
    // runtime/debuggable.js), for leak reports a run under mocks never prints; source-mapped,
    // they were most of an evaluation's time. Errors keep their messages.
    Error.stackTraceLimit = 0;
    try {
        try {
            await pulumi.runtime.runInPulumiStack(async () => {
                pulumi.runtime.registerStackTransformation((t) => {
                    const dependsOn = ([] as unknown[]).concat(t.opts.dependsOn ?? []);
                    options.set(`${t.type}::${t.name}`, {
                        protect: t.opts.protect,
                        ignoreChanges: t.opts.ignoreChanges,
                        deleteBeforeReplace: (t.opts as { deleteBeforeReplace?: boolean }).deleteBeforeReplace,
                        customTimeouts: (t.opts as { customTimeouts?: Registered["opts"]["customTimeouts"] }).customTimeouts,
                        parent: nameOf(t.opts.parent),
                        dependsOn: dependsOn.map((r) => nameOf(r) as string),
                    });
                    return undefined;
                });
                try {
                    outputs = await program();
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
        Error.stackTraceLimit = stackTraceLimit;
        rejections.release();
    }
    declared.fill(resources);
    return { evaluation: { resources, invokes, outputs }, error: error ?? rejections.first() };
}

/** Whether a value holds an unknown, as an input does in a preview. */
function holdsUnknown(v: unknown): boolean {
    if (pulumi.isUnknown(v)) return true;
    if (Array.isArray(v)) return v.some(holdsUnknown);
    if (v !== null && typeof v === "object") return Object.values(v).some(holdsUnknown);
    return false;
}

/**
 * Whether the provider a reference ("<urn>::<id>") names has a known configuration: no explicit
 * provider (a default one, configured from the stack's config), or one registered with known inputs.
 */
function configured(resources: Registered[], ref: string | undefined): boolean {
    if (!ref) return true;
    const urn = ref.slice(0, ref.lastIndexOf("::"));
    const parts = urn.split("::");
    const key = `${parts[parts.length - 2].split("$").pop()}::${parts[parts.length - 1]}`;
    const provider = resources.find((r) => r.key === key);
    return provider === undefined || !holdsUnknown(provider.inputs);
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

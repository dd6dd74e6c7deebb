import * as pulumi from "@pulumi/pulumi";
import { problemLine } from "./config/errors";

/**
 * A key whose change DigitalOcean can only make by replacing a resource that carries a fixed name
 * (the VPC, the cluster, the database, its users, the registry). Pulumi creates a replacement
 * before it deletes the original, so the replacement would collide with it, and the resources
 * that depend on it would go too. Such a resource ignores the key in Pulumi's diff
 * (`ignoreChanges`): its state keeps the value it was created with, which `live` reads back, and
 * a stack whose configuration no longer matches it is refused before anything changes.
 */
export interface LiveCheck {
    /** The config key, without the project prefix. */
    key: string;
    /** The configured value; undefined when the key is unset (the cloud picked the value). */
    configured: string | undefined;
    /** The value the stack's resource has. */
    live: string | undefined;
    /** What the change would replace, and what a rebuild takes. */
    consequence: string;
}

export interface StackId {
    project: string;
    stack: string;
}

/**
 * A change of a key the cloud cannot make in place, on a stack whose resources exist. A RunError:
 * the language host prints it without a stack trace. Its message stays as written: the SDK
 * prefixes `error serializing property "…"` to the message of an error that fails a resource's
 * input, once per resource it reaches, on the same object (@pulumi/pulumi runtime/rpc.js,
 * serializeFilteredProperties).
 */
export class LiveChangeError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "LiveChangeError";
        Object.defineProperty(this, "message", { get: () => message, set: () => undefined, enumerable: false });
    }
}

/** The checks that fail: the configured value differs from the live one. */
export function changedKeys(checks: LiveCheck[]): LiveCheck[] {
    return checks.filter((c) => c.configured !== undefined && c.live !== undefined && c.live !== "" && c.configured !== c.live);
}

/** The refusal, its problems in the config error's line format (problemLine). */
export function refusal(id: StackId, lines: string[]): LiveChangeError {
    return new LiveChangeError(`Refused for stack "${id.stack}" (nothing was changed): these keys cannot change on a stack that exists:\n${lines.join("\n")}`);
}

/** The error for the changed keys. */
export function liveChangeError(id: StackId, changed: LiveCheck[]): LiveChangeError {
    return refusal(
        id,
        changed.map((c) =>
            problemLine(
                `${id.project}:${c.key}`,
                JSON.stringify(c.configured),
                `${JSON.stringify(c.live)}, the value the stack's resources were created with (${c.consequence}). ` +
                    `To keep the stack: pulumi config set --stack ${id.stack} ${c.key} ${c.live}`,
            ),
        ),
    );
}

/** A check as a resource declares it: the live value is the resource's output. */
export interface LiveCheckInput extends Omit<LiveCheck, "live"> {
    live: pulumi.Input<string | undefined>;
}

/**
 * `value`, once every check passed: the resources that take it are registered only then, so a
 * refused change touches nothing after the resource that found it. Unset keys are not checked
 * and not waited for (a computed value is unknown in a preview of a resource to be created).
 */
export function afterLiveChecks<T>(id: StackId, value: pulumi.Output<T>, checks: LiveCheckInput[]): pulumi.Output<T> {
    const active = checks.filter((c) => c.configured !== undefined);
    const lives = pulumi.all(active.map((c) => pulumi.output(c.live)));
    return pulumi.all([value, lives]).apply(([v, live]) => {
        const changed = changedKeys(active.map((c, i) => ({ ...c, live: live[i] })));
        if (changed.length > 0) throw liveChangeError(id, changed);
        return v;
    }) as pulumi.Output<T>;
}

/** A rebuild: what a change of a network or name key takes. */
export const REBUILD = "back up the database, pulumi destroy, change the key, pulumi up, restore";

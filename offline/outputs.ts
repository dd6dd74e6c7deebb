import * as pulumi from "@pulumi/pulumi";

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

/** The error of a failed output: the apply's own, before the SDK wrapped it into serialization errors of the resources that consumed it. */
export async function failureOf(outputs: Record<string, unknown>): Promise<unknown> {
    const settled = await Promise.allSettled(Object.values(outputs).map((o) => (pulumi.Output.isInstance(o) ? resolveOutput(o) : o)));
    const failures = settled.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    const wrapped = (e: unknown) => e instanceof Error && e.message.startsWith("error serializing property");
    return failures.find((e) => !wrapped(e)) ?? failures[0];
}

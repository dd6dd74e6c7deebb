import * as pulumi from "@pulumi/pulumi";
import type { Json } from "./types";

// Secrets among registered inputs: the engine receives them wrapped ({ [specialSigKey]: specialSecretSig, value }).

/** Whether a registered input is a secret (as the engine receives it). */
export function isSecretInput(v: unknown): v is { value: unknown } {
    return !!v && typeof v === "object" && (v as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

/** A registered input with every secret wrapper replaced by its value, or by `mask` when given. */
export function unwrapSecrets<T = Json>(v: unknown, mask?: string): T {
    if (isSecretInput(v)) return (mask ?? unwrapSecrets(v.value)) as T;
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
    if (isSecretInput(v)) return maskLeaves(unwrapSecrets(v.value), mask) as T;
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

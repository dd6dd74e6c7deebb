/** The stacks' config values as Pulumi hands them to the program; no Pulumi SDK needed. */
import * as path from "path";
import { readStackFile } from "../lib/stack-file";

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
    monitoring: JSON.stringify({ alertEmails: ["ops@acme-test.org"] }),
};

/** The committed stack file's values, as Pulumi hands them to the program (strings). */
export function stackFileConfig(stack: StackName): Record<string, string> {
    return readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`)).values;
}

/** The committed stack file with the user's values on top, keys without the project prefix. */
export function userConfig(stack: StackName): Record<string, string> {
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(stackFileConfig(stack))) values[k.replace(`${PROJECT}:`, "")] = v;
    for (const [k, v] of Object.entries(USER_VALUES)) values[k] = mergedValue(values[k], v);
    return values;
}

/** A user's `pulumi config set --path` on top of an object the stack file already holds. */
export function mergedValue(existing: string | undefined, user: string): string {
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

/** An object key's JSON text with one leaf set, as `pulumi config set --path a.b.c` writes it. */
export function withLeaf(text: string | undefined, path: string[], value: unknown): string {
    const root = (text === undefined ? {} : JSON.parse(text)) as Record<string, unknown>;
    let cursor = root;
    for (const p of path.slice(0, -1)) cursor = (cursor[p] ??= {}) as Record<string, unknown>;
    cursor[path[path.length - 1]] = value;
    return JSON.stringify(root);
}

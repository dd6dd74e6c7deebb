/** The stacks' config values as Pulumi hands them to the program; no Pulumi SDK needed. */
import * as path from "path";
import { type PlainSecrets, readConfig, type StackSettings } from "../components/config/read";
import { readStackFile } from "../offline/stack-file";

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

/** Plain texts of every secret the program sees or the mocks hand out. */
export const SECRET_TEXTS = {
    doToken: "dop_v1_test0000000000000000000000000000000000000000000000000000000000",
    dbPassword: "AVNS_mockDbPassword123",
    kubeconfigToken: "doks_mock_short_lived_token",
    registryAuth: Buffer.from("mock-user:mock-registry-token").toString("base64"),
    namecheapPassword: "0123456789abcdef0123456789abcdef",
    appSecret: "sk_live_mockAppSecretValue",
    djangoSecretKey: "mock-django-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    slackWebhook: "https://hooks.slack.com/services/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3",
};

/** What a user sets with --secret before the first deploy. */
export const USER_SECRETS: Record<string, string> = {
    namecheapPassword: SECRET_TEXTS.namecheapPassword,
};

const stackFiles = new Map<StackName, Record<string, string>>();

/** The committed stack file's values, as Pulumi hands them to the program (strings); read once per test file. */
export function stackFileConfig(stack: StackName): Record<string, string> {
    if (!stackFiles.has(stack)) stackFiles.set(stack, readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`)).values);
    return { ...stackFiles.get(stack) };
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

export interface ConfigOptions {
    /** Values to set on top of the stack file, keys without the project prefix. */
    set?: Record<string, unknown>;
    /** Keys to remove (including the user's values), without the project prefix. */
    unset?: string[];
    /** Leave digitalocean:token unset. */
    withoutToken?: boolean;
    /**
     * Secret values to set on top of USER_SECRETS (keys without the project prefix); undefined
     * removes one. A dotted key is a leaf of an object key, as `pulumi config set --secret --path`
     * stores it: the whole object key is then secret.
     */
    secrets?: Record<string, string | undefined>;
    /** Keys of `set` or `secrets` that are stored in plain text instead of as secrets. */
    plain?: string[];
    /** DIGITALOCEAN_TOKEN / DIGITALOCEAN_ACCESS_TOKEN as the program sees them (unset otherwise). */
    env?: Partial<Record<"DIGITALOCEAN_TOKEN" | "DIGITALOCEAN_ACCESS_TOKEN", string>>;
    /** Keys with their namespace ("aws:region") set as plain values. */
    raw?: Record<string, string>;
    /** digitalocean:token stored in plain text. */
    plainToken?: boolean;
    /** The stack's name as the program sees it (the stack file is still `stack`'s). */
    stackName?: string;
}

/** What Pulumi hands the program for a stack: its config values, which keys are secret, its name and environment. */
export function stackSettings(stack: StackName, o: ConfigOptions = {}) {
    const values: Record<string, string> = { ...stackFileConfig(stack) };
    for (const [k, v] of Object.entries(USER_VALUES)) values[`${PROJECT}:${k}`] = mergedValue(values[`${PROJECT}:${k}`], v);
    for (const [k, v] of Object.entries(o.set ?? {})) {
        values[`${PROJECT}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    }
    for (const k of o.unset ?? []) delete values[`${PROJECT}:${k}`];
    const secretKeys: string[] = [];
    for (const [k, v] of Object.entries({ ...USER_SECRETS, ...o.secrets })) {
        if (v === undefined) continue;
        const [root, ...leaf] = k.split(".");
        const key = `${PROJECT}:${root}`;
        values[key] = leaf.length === 0 ? v : withLeaf(values[key], leaf, v);
        if (!o.plain?.includes(k)) secretKeys.push(key);
    }
    if (!o.withoutToken) {
        values["digitalocean:token"] = SECRET_TEXTS.doToken;
        if (!o.plainToken) secretKeys.push("digitalocean:token");
    }
    Object.assign(values, o.raw);
    return {
        project: PROJECT,
        stack: o.stackName ?? stack,
        config: values,
        secretKeys,
        env: { DIGITALOCEAN_TOKEN: o.env?.DIGITALOCEAN_TOKEN, DIGITALOCEAN_ACCESS_TOKEN: o.env?.DIGITALOCEAN_ACCESS_TOKEN },
    };
}


/** The config reader on a stack's values (what the loader does, without the Pulumi SDK). */
export function readStack(stack: StackName, o: ConfigOptions = {}): { settings: StackSettings; secrets: PlainSecrets } {
    const { secretKeys, ...source } = stackSettings(stack, o);
    return readConfig({ ...source, isSecret: (key) => secretKeys.includes(key) });
}

/** The reader's error for a stack's values, if any. */
export function readError(stack: StackName, o: ConfigOptions = {}): Error | undefined {
    try {
        readStack(stack, o);
        return undefined;
    } catch (e) {
        return e as Error;
    }
}

/**
 * The one error format for bad configuration: a ConfigError listing every problem, one line
 * each, `  - <key> = <value>: expected <what is allowed>`.
 */
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { configSchema, unwrapped } from "./schema";
import { isSecretKey, secretLeaves, SECRET_KEYS, TOKEN_KEY } from "./secret-keys";

/** Bad configuration, found before any resource is created. */
export class ConfigError extends Error {
    constructor(
        message: string,
        /** The problem lines, for a caller that gathers several checks into one error. */
        readonly problems: string[] = [],
    ) {
        super(message);
        this.name = "ConfigError";
    }
}

/** The error for a stack's problems (lines made by problemLine). */
export function configError(stack: string, problems: string[]): ConfigError {
    const lines = [`Invalid configuration for stack "${stack}" (nothing was created):`, ...problems, ...footer(stack, problems)];
    return new ConfigError(lines.join("\n"), problems);
}

const DOCS = "docs/configuration.md";

/** The section of docs/configuration.md that describes a key (namespace and dotted path). */
function docsSection(fullKey: string): string {
    if (fullKey === TOKEN_KEY) return "the-digitalocean-token-digitaloceantoken";
    const top = fullKey.slice(fullKey.indexOf(":") + 1).split(".")[0];
    if (["vpcIpRange", "clusterSubnet", "serviceSubnet"].includes(top)) return "networks";
    const schema = configSchema.shape[top as keyof typeof configSchema.shape] as z.ZodType | undefined;
    const inner = schema && unwrapped(schema);
    return inner instanceof z.ZodObject || inner instanceof z.ZodArray ? "structured-keys" : "keys";
}

/**
 * How to set what the lines name: the plain command only for plain keys, --secret for secrets,
 * and the sections of docs/configuration.md that describe them.
 */
function footer(stack: string, problems: string[]): string[] {
    // A misspelt key stands for the key it probably meant.
    const keys = problems
        .map((l) => /did you mean (\S+)\?/.exec(l)?.[1] ?? /^ {2}- (.+?) = /.exec(l)?.[1])
        .filter((k): k is string => k !== undefined && k !== "stack name");
    const lines: string[] = [];
    if (keys.some((k) => !isSecretKey(k))) {
        lines.push(`Set values with: pulumi config set --stack ${stack} <key> <value> (--path for a key inside an object).`);
    }
    if (keys.some(isSecretKey)) {
        const leaves = SECRET_KEYS.filter((k) => k.includes(".")).join(", ");
        lines.push(`Set secrets with: pulumi config set --stack ${stack} --secret <key> <value> (--path for appSecrets.<NAME> and ${leaves}).`);
    }
    const sections = [...new Set(keys.map(docsSection))];
    if (sections.length > 0) lines.push(`What each key takes: ${sections.map((s) => `${DOCS}#${s}`).join(", ")}.`);
    return lines;
}

/** One problem: the key, its value as shown (or why it is not), what is allowed. */
export function problemLine(key: string, shown: string, expected: string): string {
    return `  - ${key} = ${shown}: expected ${expected}`;
}

/** What a line shows for a key the program does not know: its value may be a secret set under a misspelt key. */
export const NOT_SHOWN = "(value not shown)";

/**
 * The candidate nearest to a misspelt word (case aside), if it is at most 3 edits away and
 * fewer edits than the word has letters.
 */
export function nearest(word: string, candidates: string[]): string | undefined {
    if (candidates.length === 0) return undefined;
    const lower = candidates.map((c) => c.toLowerCase());
    const best = closest(word.toLowerCase(), lower);
    const d = distance(word.toLowerCase(), best);
    return d <= 3 && d < word.length ? candidates[lower.indexOf(best)] : undefined;
}

function describeValue(v: unknown, issue: z.core.$ZodIssue): string {
    if (issue.code === "unrecognized_keys") return NOT_SHOWN;
    if (issue.code === "custom" && typeof issue.params?.shown === "string") return issue.params.shown;
    if (v === undefined) {
        // A rule that judged a default (a request against a limit set alone) names the value it judged.
        const judged: unknown = issue.code === "custom" ? issue.params?.judged : undefined;
        return judged === undefined ? "(not set)" : `(not set, default ${JSON.stringify(judged)})`;
    }
    return JSON.stringify(v);
}

function valueAt(raw: Record<string, unknown>, path: PropertyKey[]): unknown {
    let v: unknown = raw;
    for (const p of path) {
        if (v === null || typeof v !== "object") return undefined;
        v = (v as Record<PropertyKey, unknown>)[p];
    }
    return v;
}

const TYPE_NAMES: Record<string, string> = {
    int: "a whole number",
    number: "a number",
    boolean: "true or false",
    string: "a string",
    object: "an object",
};

/** What a list looks like where a stack file or the CLI sets one. */
function listExpected(key: string, value: unknown): string {
    const item = typeof value === "string" && value !== "" ? value : "<item>";
    return `a list: in the stack file, the key, then one indented "- ${item}" line per item (or [${item}] on the key's line); or pulumi config set --path "${key}[0]" ${item}`;
}

/** The keys an object schema at `path` accepts, the secret ones read apart included. */
function keysAt(path: PropertyKey[]): string[] {
    return [...schemaKeysAt(path), ...(path.length === 0 ? SECRET_KEYS.filter((k) => !k.includes(".")) : secretLeaves(path.map(String).join(".")))];
}

function schemaKeysAt(path: PropertyKey[]): string[] {
    let s: z.ZodType = configSchema;
    for (const p of path) {
        const inner = unwrapped(s);
        if (!(inner instanceof z.ZodObject)) return [];
        s = inner.shape[p as string] as z.ZodType;
    }
    const inner = unwrapped(s);
    return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

function unknownKey(path: PropertyKey[], key: string): string {
    const parent = path.map(String).join(".");
    const near = nearest(key, keysAt(path));
    const hint = near === undefined ? "" : `; did you mean ${parent === "" ? near : `${parent}.${near}`}?`;
    return parent === ""
        ? `no such key: it is not one of the project's keys${hint || " (see Pulumi.yaml and docs/configuration.md; a typo?)"}`
        : `no such key: ${parent} takes only ${keysAt(path).join(", ")}${hint}`;
}

function allowedFor(issue: z.core.$ZodIssue, path: PropertyKey[], value: unknown): string {
    switch (issue.code) {
        case "invalid_type": {
            if (issue.expected === "array" && value !== undefined) return listExpected(path.map(String).join("."), value);
            const type = TYPE_NAMES[issue.expected] ?? issue.expected;
            return value === undefined ? `a value (required): ${type}` : type;
        }
        case "invalid_value":
            return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
        case "too_small":
            return `at least ${issue.minimum}`;
        case "too_big":
            return `at most ${issue.maximum}`;
        case "unrecognized_keys":
            return unknownKey(issue.path, String(path[path.length - 1]));
        case "invalid_key":
            // zod reports a record key's own message among the nested issues.
            return issue.issues.map((i) => i.message).join("; ") || issue.message;
        default:
            return issue.message;
    }
}

/** The lines for the schema's issues with the values read (`raw`), keys under the project's namespace. */
export function issueLines(project: string, raw: Record<string, unknown>, issues: z.core.$ZodIssue[]): string[] {
    const lines: string[] = [];
    for (const issue of issues) {
        const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
        for (const path of keys) {
            const value = valueAt(raw, path);
            lines.push(problemLine(`${project}:${path.map(String).join(".")}`, describeValue(value, issue), allowedFor(issue, path, value)));
        }
    }
    return lines;
}

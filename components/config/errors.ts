/**
 * The one error format for bad configuration: a ConfigError listing every problem, one line
 * each, `  - <key> = <value>: expected <what is allowed>`.
 */
import { z } from "zod";
import { configSchema, unwrapped } from "./schema";

/** Bad configuration, found before any resource is created. */
export class ConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

/** The error for a stack's problems (lines made by problemLine). */
export function configError(stack: string, problems: string[]): ConfigError {
    return new ConfigError(
        `Invalid configuration for stack "${stack}" (nothing was created):\n${problems.join("\n")}\n` +
            `Set values with: pulumi config set --stack ${stack} <key> <value> (see README, "Configuration").`,
    );
}

/** One problem: the key, its value as shown (or why it is not), what is allowed. */
export function problemLine(key: string, shown: string, expected: string): string {
    return `  - ${key} = ${shown}: expected ${expected}`;
}

function describeValue(v: unknown): string {
    if (v === undefined) return "(not set)";
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

/** The keys an object schema at `path` accepts. */
function keysAt(path: PropertyKey[]): string[] {
    let s: z.ZodType = configSchema;
    for (const p of path) {
        const inner = unwrapped(s);
        if (!(inner instanceof z.ZodObject)) return [];
        s = inner.shape[p as string] as z.ZodType;
    }
    const inner = unwrapped(s);
    return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

function allowedFor(issue: z.core.$ZodIssue, value: unknown): string {
    switch (issue.code) {
        case "invalid_type": {
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
            return issue.path.length === 0
                ? "no such key: it is not one of the project's keys (see Pulumi.yaml and README; a typo?)"
                : `no such key: ${issue.path.map(String).join(".")} takes only ${keysAt(issue.path).join(", ")}`;
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
            lines.push(problemLine(`${project}:${path.map(String).join(".")}`, describeValue(value), allowedFor(issue, value)));
        }
    }
    return lines;
}

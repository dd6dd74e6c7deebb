import * as fs from "fs";
import * as path from "path";
import { isMap, isScalar, LineCounter, parseDocument, YAMLMap } from "yaml";

/**
 * Reads a stack file (Pulumi.<stack>.yaml) for the offline render and the tests, which read it
 * themselves. Under `pulumi up` the CLI reads it before the program: it reports a syntax error
 * with the line but without the file ("yaml: line 4: could not find expected ':'", pulumi/pulumi#5023)
 * and takes an empty file for an empty config (sdk/go/common/workspace/loaders.go,
 * LoadProjectStackBytes), then stops at the first required key that is missing. Here both
 * are errors that name the file and the line.
 */

export class StackFileError extends Error {
    constructor(file: string, problems: string[]) {
        super(`Invalid stack file ${file} (nothing was created):\n${problems.map((p) => `  - ${file}:${p}`).join("\n")}`);
        this.name = "StackFileError";
    }
}

export interface StackFile {
    /** Full keys ("project:key") to values as Pulumi hands them to the program: strings, or JSON text. */
    values: Record<string, string>;
    /** Keys whose value is, or holds, a `secure:` ciphertext. */
    secure: string[];
    /** Where each key is set (1-based line). */
    lines: Record<string, number>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** `{secure: "v1:..."}`: how the CLI stores a value set with --secret. */
export function isSecure(v: unknown): v is { secure: string } {
    return v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v;
}

/** Whether a value is or holds a secure value (the CLI then treats the whole key as secret). */
export function holdsSecure(v: unknown): boolean {
    if (isSecure(v)) return true;
    if (v !== null && typeof v === "object") return Object.values(v).some(holdsSecure);
    return false;
}

/** A value with each secure leaf replaced by `mask`. */
export function maskSecure(v: Json, mask: string): Json {
    if (isSecure(v)) return mask;
    if (Array.isArray(v)) return v.map((x) => maskSecure(x, mask));
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskSecure(x, mask)]));
    return v;
}

/**
 * `mask` replaces a secure value; `leafMask` a secure leaf inside an object (the one such leaf,
 * monitoring.slackWebhook, is a URL and is checked as one).
 */
export function readStackFile(file: string, mask = "«secret»", leafMask = mask): StackFile {
    const name = path.basename(file);
    const text = fs.readFileSync(file, "utf8");
    const counter = new LineCounter();
    const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
    const at = (offset: number | undefined) => {
        const pos = counter.linePos(offset ?? 0);
        return `${pos.line}:${pos.col}`;
    };
    if (doc.errors.length > 0) {
        throw new StackFileError(
            name,
            doc.errors.map((e) => `${at(e.pos[0])}: ${e.message.split("\n")[0]}`),
        );
    }
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
        throw new StackFileError(name, [`1:1: the file is empty: expected a "config:" mapping of the stack's keys (see README, "Deploy a stack")`]);
    }
    if (!isMap(doc.contents)) {
        throw new StackFileError(name, [`${at(doc.contents.range?.[0])}: expected a mapping with a "config:" key, found ${typeof doc.toJS()}`]);
    }
    const configNode = doc.contents.get("config", true) as unknown;
    const values: Record<string, string> = {};
    const secure: string[] = [];
    const lines: Record<string, number> = {};
    if (configNode === undefined || (isScalar(configNode) && configNode.value === null)) return { values, secure, lines };
    if (!isMap(configNode)) {
        const node = configNode as { range?: [number, number, number] };
        throw new StackFileError(name, [`${at(node.range?.[0])}: expected "config:" to hold a mapping of keys to values`]);
    }
    for (const pair of (configNode as YAMLMap).items) {
        const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
        const value = (pair.value === null ? null : (pair.value as { toJSON(): Json }).toJSON()) as Json;
        lines[key] = counter.linePos((pair.key as { range?: [number] }).range?.[0] ?? 0).line;
        if (holdsSecure(value)) secure.push(key);
        const shown = isSecure(value) ? mask : maskSecure(value, leafMask);
        values[key] = typeof shown === "string" ? shown : JSON.stringify(shown);
    }
    return { values, secure, lines };
}

/**
 * Syntax shared by the config areas, and the shape of a cross-field rule.
 */
import { z } from "zod";

/** A DNS label: lowercase letters, digits and -, at most 63. */
export const dnsLabel = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** An absolute URL path. */
export const urlPath = /^\/[A-Za-z0-9._~\/-]*$/;
/** An environment variable name. */
export const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

const fqdn =
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])$/;

export const hostnameSchema = z
    .string()
    .regex(fqdn, { message: "a fully qualified lowercase domain name such as app.example.org" });

/** Adds a custom issue with the message a rule returned, if any. */
export const rule =
    (check: (v: string) => string | undefined) =>
    (v: string, ctx: z.core.$RefinementCtx<string>) => {
        const problem = check(v);
        if (problem !== undefined) ctx.addIssue(problem);
    };

/** A problem a cross-field rule finds: the key's path, its value, what is expected. */
export type Issue = {
    code: "custom";
    path: PropertyKey[];
    input: unknown;
    message: string;
    /** `judged`: the value the rule judged, shown when the key is not set (a default); `shown`: what to show instead of the value. */
    params?: { judged?: unknown; shown?: string };
};

/** Where a rule reports its problems (a zod refinement context). */
export interface Issues {
    addIssue(issue: Issue): void;
}

/** A rule across keys, run on the parsed values once every key has passed its own checks. */
export type CrossFieldRule<T> = (config: T, ctx: Issues) => void;

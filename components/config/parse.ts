/**
 * From the values Pulumi holds to the parsed configuration, or one ConfigError: the schema, the
 * stack's name, and keys under namespaces nobody reads.
 */
import { z } from "zod";
import { derivedNames, DO_NAME_MAX } from "../naming";
import { configError, issueLines, nearest, NOT_SHOWN, problemLine } from "./errors";
import { dnsLabel } from "./fields";
import { labelValueProblem } from "./rules";
import { configSchema, type ParsedConfig, unwrapped } from "./schema";

/** Keys whose values Pulumi keeps as strings: everything else is parsed as JSON. */
const STRING_KEYS = new Set<string>(
    Object.entries(configSchema.shape)
        .filter(([, s]) => unwrapped(s) instanceof z.ZodString || unwrapped(s) instanceof z.ZodEnum || unwrapped(s) instanceof z.ZodEmail)
        .map(([k]) => k),
);

/**
 * Validates the project's config values (keys without the project prefix; values as Pulumi
 * stores them, strings holding JSON for numbers, booleans and objects).
 * Throws one ConfigError listing every problem.
 */
export function parseConfig(project: string, stack: string, values: Record<string, string>, problems: string[] = []): ParsedConfig {
    const raw: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(values)) {
        if (STRING_KEYS.has(key)) {
            raw[key] = text;
            continue;
        }
        try {
            raw[key] = JSON.parse(text);
        } catch {
            raw[key] = text;
        }
    }
    const result = configSchema.safeParse(raw);
    const lines = [...problems, ...stackNameProblems(project, stack), ...stackUniqueProblems(project, stack, raw)];
    if (result.success && lines.length === 0) return result.data;
    lines.push(...issueLines(project, raw, result.error?.issues ?? []));
    throw configError(stack, lines);
}

/**
 * The stack's name becomes a label value (app.kubernetes.io/instance) and part of every
 * DigitalOcean name the stack derives: refuse one that breaks either.
 */
export function stackNameProblems(project: string, stack: string): string[] {
    const problems: string[] = [];
    const problem = (expected: string) => problems.push(problemLine("stack name", JSON.stringify(stack), expected));
    const label = labelValueProblem(stack);
    if (label) problem(`a name usable as the Kubernetes label value app.kubernetes.io/instance: ${label}`);
    const long = derivedNames({ project, stack }).find((n) => n.length > DO_NAME_MAX);
    if (long) {
        problem(
            `a shorter stack name: the DigitalOcean name ${long} would have ${long.length} characters, at most ${DO_NAME_MAX} are allowed (names are never cut)`,
        );
    }
    return problems;
}

/**
 * A load balancer name another stack of the account could also use would put both stacks behind
 * one load balancer: DigitalOcean's cloud controller adopts an existing load balancer of the same
 * name (cloud-controller-manager/do/loadbalancers.go, retrieveAndAnnotateLoadBalancer), so the
 * name must carry the stack's own.
 */
export function stackUniqueProblems(project: string, stack: string, raw: Record<string, unknown>): string[] {
    const problems: string[] = [];
    // Not resourceName: a stack name too long for it has its own problem line.
    const [base] = derivedNames({ project, stack });
    const lb = raw.loadBalancerName;
    // A name that breaks the syntax has its own problem line.
    if (typeof lb === "string" && dnsLabel.test(lb) && lb !== base && !lb.startsWith(`${base}-`)) {
        problems.push(
            problemLine(
                `${project}:loadBalancerName`,
                JSON.stringify(lb),
                `"${base}" or a name starting with "${base}-": DigitalOcean's cloud controller adopts a load balancer that already has the name, so a name another stack could use would put both behind one load balancer`,
            ),
        );
    }
    return problems;
}

/** Config namespaces the stack reads: the project's, its providers' and Pulumi's own. */
export const PROVIDER_NAMESPACES = ["digitalocean", "kubernetes", "random", "command", "docker-build", "pulumi"];

/**
 * A key under a namespace nobody reads is a mistake the Pulumi CLI lets through (it passes every
 * `namespace:key` to the program), most often a typo of the project's or a provider's name:
 * report it like a misspelt key, with the key it probably meant, and never its value (a token
 * under a misspelt namespace would land in CI logs).
 */
export function namespaceProblems(project: string, keys: string[]): string[] {
    const known = [project, ...PROVIDER_NAMESPACES];
    const problems: string[] = [];
    for (const key of keys) {
        const colon = key.indexOf(":");
        const namespace = colon < 0 ? "" : key.slice(0, colon);
        if (known.includes(namespace)) continue;
        const name = key.slice(colon + 1);
        // The CLI adds the project's namespace to a key set without one (Pulumi docs, Configuration, "Configuration keys").
        if (namespace === "") {
            problems.push(problemLine(key, NOT_SHOWN, `a namespace: the project's keys are written ${project}:${name} in the stack file (pulumi config set ${name} <value> writes that)`));
            continue;
        }
        const near = nearest(namespace, known);
        const hint =
            near === project
                ? `a key of ${project}: did you mean ${project}:${name}?`
                : near !== undefined
                  ? `did you mean ${near}:${name}?`
                  : `a namespace the stack reads (${known.join(", ")})`;
        problems.push(problemLine(key, NOT_SHOWN, `no such namespace "${namespace}": ${hint}`));
    }
    return problems;
}

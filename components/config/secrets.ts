/**
 * The secret keys: read apart from the rest, checked without ever printing their values.
 */
import { RESERVED_ENV } from "./app";
import { configError, problemLine } from "./errors";
import { envName } from "./fields";
import { SECRET_KEYS, type SecretKey, TOKEN_KEY } from "./secret-keys";

export { SECRET_KEYS, type SecretKey, secretLeaves, TOKEN_KEY } from "./secret-keys";

/** A secret key's text as read, and whether Pulumi stored it encrypted. */
export type SecretValues = Partial<Record<SecretKey, { text: string; encrypted: boolean }>>;

/** The one message for a secret stored in plain text (the stack, the render and the tests share it). */
export function plainTextProblem(fullKey: string, setKey: string, stack: string): string {
    return problemLine(fullKey, "(set in plain text)", `a secret: pulumi config set --secret ${setKey} ... (then remove the plain value from Pulumi.${stack}.yaml's history)`);
}

/**
 * Removes the named leaves from an object key's JSON text, so that they are read as secrets and
 * never reach the schema's error messages. Text that is not a JSON object is left as it is.
 */
export function takeLeaves(text: string, leaves: string[]): { rest: string; taken: Record<string, string> } {
    if (leaves.length === 0) return { rest: text, taken: {} };
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return { rest: text, taken: {} };
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) return { rest: text, taken: {} };
    const rest = { ...(value as Record<string, unknown>) };
    const taken: Record<string, string> = {};
    for (const leaf of leaves.filter((l) => l in rest)) {
        const v = rest[leaf];
        taken[leaf] = typeof v === "string" ? v : JSON.stringify(v);
        delete rest[leaf];
    }
    return { rest: JSON.stringify(rest), taken };
}

/** What the secret checks read of the rest of the config. */
export interface SecretContext {
    dns: { provider?: string };
    monitoring: { slackChannel?: string };
    app: { env: Record<string, string> };
}

/**
 * The SecretContext read leniently from the raw values, for when the rest does not parse: each
 * secret problem is still reported with the others (dns.provider defaults to "namecheap", as in
 * the schema; an invalid one asks for no password).
 */
export function secretContextOf(values: Record<string, string>): SecretContext {
    const object = (key: string): Record<string, unknown> => {
        try {
            const v: unknown = JSON.parse(values[key] ?? "{}");
            return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
        } catch {
            return {};
        }
    };
    const text = (v: unknown) => (typeof v === "string" ? v : undefined);
    const env = object("app").env;
    return {
        dns: { provider: text(object("dns").provider ?? "namecheap") },
        monitoring: { slackChannel: text(object("monitoring").slackChannel) },
        app: { env: env !== null && typeof env === "object" && !Array.isArray(env) ? (env as Record<string, string>) : {} },
    };
}

/**
 * Checks the secret keys without ever printing their values: set when needed, set with
 * --secret, and (appSecrets) an object of variable names that do not clash.
 */
export function checkSecrets(
    project: string,
    stack: string,
    parsed: SecretContext,
    secrets: SecretValues,
): { namecheapPassword?: string; appSecrets: Record<string, string>; slackWebhook?: string } {
    const problems: string[] = [];
    const problem = (key: string, state: string, expected: string) => problems.push(problemLine(`${project}:${key}`, state, expected));
    for (const key of SECRET_KEYS) {
        const s = secrets[key];
        // An empty plain value holds no secret: it counts as not set.
        if (s && !s.encrypted && s.text !== "") {
            problems.push(plainTextProblem(`${project}:${key}`, key.includes(".") ? `--path ${key}` : key, stack));
        }
    }
    const webhook = secrets["monitoring.slackWebhook"]?.text;
    const channel = parsed.monitoring.slackChannel;
    if (webhook !== undefined && !/^https:\/\/\S+$/.test(webhook)) {
        problem("monitoring.slackWebhook", "(secret, not shown)", "a Slack incoming webhook URL (https://hooks.slack.com/services/...)");
    }
    if (webhook !== undefined && channel === undefined) {
        problem("monitoring.slackChannel", "(not set)", "a value (required with monitoring.slackWebhook): the channel the webhook posts to, e.g. \"#ops-alerts\"");
    }
    if (webhook === undefined && channel !== undefined) {
        problem("monitoring.slackWebhook", "(not set)", 'a value (required with monitoring.slackChannel): pulumi config set --secret --path monitoring.slackWebhook <webhook URL>');
    }
    const password = secrets.namecheapPassword?.text;
    if (parsed.dns.provider === "namecheap" && !password) {
        problem(
            "namecheapPassword",
            "(not set)",
            'a value (required with dns.provider "namecheap"): the Dynamic DNS password from Namecheap, set with "pulumi config set --secret namecheapPassword <password>"',
        );
    }
    let appSecrets: Record<string, string> = {};
    const text = secrets.appSecrets?.text;
    if (text !== undefined) {
        let value: unknown;
        try {
            value = JSON.parse(text);
        } catch {
            // not JSON: refused below, as value is undefined
        }
        if (value === null || typeof value !== "object" || Array.isArray(value) || Object.values(value).some((v) => typeof v !== "string")) {
            problem("appSecrets", "(secret, not shown)", 'an object of string values, set with "pulumi config set --secret --path appSecrets.NAME <value>"');
        } else {
            appSecrets = value as Record<string, string>;
            for (const name of Object.keys(appSecrets)) {
                if (!envName.test(name)) problem(`appSecrets.${name}`, "(secret, not shown)", "an environment variable name: letters, digits, _");
                else if (RESERVED_ENV.includes(name)) problem(`appSecrets.${name}`, "(secret, not shown)", `a variable other than ${RESERVED_ENV.join(", ")}: the stack sets those itself`);
                else if (name in parsed.app.env) problem(`appSecrets.${name}`, "(secret, not shown)", `a name that app.env does not also set`);
            }
        }
    }
    if (problems.length > 0) throw configError(stack, problems);
    return { namecheapPassword: password, appSecrets, slackWebhook: webhook };
}

/** Picks the DigitalOcean token from the provider's config or its environment variables. */
export function resolveDoToken(stack: string, configured: string | undefined, env: NodeJS.ProcessEnv): string {
    const token = configured || env.DIGITALOCEAN_TOKEN || env.DIGITALOCEAN_ACCESS_TOKEN;
    if (token) return token;
    throw configError(stack, [
        problemLine(
            TOKEN_KEY,
            "(not set)",
            `a value (required): a DigitalOcean API token, ` +
                `set with "pulumi config set --secret digitalocean:token <token>" or the DIGITALOCEAN_TOKEN environment variable`,
        ),
    ]);
}

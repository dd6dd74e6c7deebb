/**
 * Reading the stack's configuration from what Pulumi hands the program: every key's text and
 * which keys were stored encrypted. No Pulumi SDK here; load.ts wraps the secrets.
 */
import { resourceName } from "../naming";
import { namecheapDomain } from "./dns";
import { runtimeUserName } from "./rules";
import { namespaceProblems, parseConfig } from "./parse";
import type { ParsedConfig } from "./schema";
import { ConfigError, configError } from "./errors";
import { checkSecrets, plainTextProblem, secretContextOf, resolveDoToken, SECRET_KEYS, secretLeaves, type SecretKey, type SecretValues, takeLeaves, TOKEN_KEY } from "./secrets";

/** What Pulumi hands the program. */
export interface ConfigSource {
    project: string;
    stack: string;
    /** Every config key ("<namespace>:<name>") with its text, secrets decrypted. */
    config: Record<string, string>;
    /** Whether the key was stored with --secret. */
    isSecret: (key: string) => boolean;
    /** The program's environment (DIGITALOCEAN_TOKEN, DIGITALOCEAN_ACCESS_TOKEN). */
    env: NodeJS.ProcessEnv;
}

/** The configuration without its secrets. */
export interface StackSettings extends ParsedConfig {
    project: string;
    stack: string;
    /** The configured name, or <project>-<stack>. */
    loadBalancerName: string;
    /** The web pods' database role: <dbUser>_web. */
    dbRuntimeUser: string;
    /** hostname first, then extraHostnames. */
    hostnames: string[];
    /** The Namecheap domain holding every host name (dns.provider "namecheap"). */
    dnsDomain?: string;
    /**
     * How traffic reaches the app, decided here from ingress.controller and nowhere else: through
     * ingress-nginx, through DOKS's Gateway, or both while a live stack moves (keepNginx). `serving`
     * is the path DNS points at, the certificate is solved through and the alerts watch.
     */
    entrypoints: { nginx: boolean; gateway: boolean; serving: "nginx" | "gateway" };
}

/** The secrets in plain text, for load.ts to wrap as Pulumi secrets at once. */
export interface PlainSecrets {
    /** DigitalOcean API token: digitalocean:token, or the environment's. */
    doToken: string;
    /** Namecheap Dynamic DNS password (dns.provider "namecheap"). */
    namecheapPassword?: string;
    /** The app's secret environment variables. */
    appSecrets: Record<string, string>;
    /** The Slack incoming webhook (monitoring.slackWebhook). */
    slackWebhook?: string;
}

/** Reads and validates the whole stack configuration; throws a ConfigError naming every problem. */
export function readConfig(source: ConfigSource): { settings: StackSettings; secrets: PlainSecrets } {
    const { project, stack, config, isSecret } = source;
    const prefix = `${project}:`;
    const values: Record<string, string> = {};
    const secrets: SecretValues = {};
    const all = Object.entries(config);
    const namespaces = namespaceProblems(project, Object.keys(config));
    // An empty plain value holds no secret: it counts as not set.
    if (config[TOKEN_KEY] && !isSecret(TOKEN_KEY)) namespaces.push(plainTextProblem(TOKEN_KEY, TOKEN_KEY, stack));
    for (const [key, value] of all) {
        if (!key.startsWith(prefix)) continue;
        const name = key.slice(prefix.length);
        if ((SECRET_KEYS as readonly string[]).includes(name)) {
            secrets[name as SecretKey] = { text: value, encrypted: isSecret(key) };
            continue;
        }
        const { rest, taken } = takeLeaves(value, secretLeaves(name));
        // `--path` with --secret marks the whole object key secret: that is how a leaf arrives encrypted.
        for (const [leaf, text] of Object.entries(taken)) secrets[`${name}.${leaf}` as SecretKey] = { text, encrypted: isSecret(key) };
        values[name] = rest;
    }
    // Every problem at once: the keys, the secrets and the token.
    const problems: string[] = [];
    const collect = <T>(check: () => T): T | undefined => {
        try {
            return check();
        } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            problems.push(...e.problems);
            return undefined;
        }
    };
    const parsed = collect(() => parseConfig(project, stack, values, namespaces));
    const checked = collect(() => checkSecrets(project, stack, parsed ?? secretContextOf(values), secrets));
    const doToken = collect(() => resolveDoToken(stack, config[TOKEN_KEY], source.env));
    if (parsed === undefined || checked === undefined || doToken === undefined) throw configError(stack, problems);
    return {
        settings: {
            ...parsed,
            project,
            stack,
            loadBalancerName: parsed.loadBalancerName ?? resourceName({ project, stack }),
            dbRuntimeUser: runtimeUserName(parsed.dbUser),
            hostnames: [parsed.hostname, ...parsed.extraHostnames],
            dnsDomain: parsed.dns.provider === "namecheap" ? namecheapDomain(parsed) : undefined,
            entrypoints: {
                nginx: parsed.ingress.controller === "nginx" || parsed.ingress.keepNginx,
                gateway: parsed.ingress.controller === "gateway",
                serving: parsed.ingress.controller,
            },
        },
        secrets: { doToken, ...checked },
    };
}

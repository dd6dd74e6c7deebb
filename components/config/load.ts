/**
 * The loader: the only place that reads Pulumi config.
 */
import * as pulumi from "@pulumi/pulumi";
import { resourceName } from "../naming";
import { namecheapDomain } from "./dns";
import { namespaceProblems, parseConfig } from "./parse";
import type { ParsedConfig } from "./schema";
import { checkSecrets, plainTextProblem, resolveDoToken, SECRET_KEYS, type SecretKey, type SecretValues, takeLeaves, TOKEN_KEY } from "./secrets";

/** The parsed configuration with the stack's names, derived values and secrets. */
export interface StackConfig extends ParsedConfig {
    project: string;
    stack: string;
    /** The configured name, or <project>-<stack>. */
    loadBalancerName: string;
    /** DigitalOcean API token: the provider's credential, reused for the cluster's kubeconfig. */
    doToken: pulumi.Output<string>;
    /** hostname first, then extraHostnames. */
    hostnames: string[];
    /** The Namecheap domain holding every host name (dns.provider "namecheap"). */
    dnsDomain?: string;
    /** Namecheap Dynamic DNS password (dns.provider "namecheap"). */
    namecheapPassword?: pulumi.Output<string>;
    /** The app's secret environment variables. */
    appSecrets: pulumi.Output<Record<string, string>>;
    monitoring: ParsedConfig["monitoring"] & {
        /** The Slack incoming webhook (secret), set together with slackChannel. */
        slackWebhook?: pulumi.Output<string>;
    };
}

/** Whether Pulumi decrypted the key from a secure value (the SDK exports this untyped). */
function isConfigSecret(key: string): boolean {
    const check = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    return check === undefined ? true : check(key);
}

/** Reads and validates the whole stack configuration. The only place that reads config. */
export function loadConfig(): StackConfig {
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const prefix = `${project}:`;
    const values: Record<string, string> = {};
    const secrets: SecretValues = {};
    const all = Object.entries(pulumi.runtime.allConfig());
    const namespaces = namespaceProblems(
        project,
        all.map(([key, value]) => ({ key, value, secret: isConfigSecret(key) })),
    );
    if (all.some(([key]) => key === TOKEN_KEY) && !isConfigSecret(TOKEN_KEY)) {
        namespaces.push(plainTextProblem(TOKEN_KEY, TOKEN_KEY, stack));
    }
    for (const [key, value] of all) {
        if (!key.startsWith(prefix)) continue;
        const name = key.slice(prefix.length);
        if ((SECRET_KEYS as readonly string[]).includes(name)) {
            secrets[name as SecretKey] = { text: value, encrypted: isConfigSecret(key) };
            continue;
        }
        const leaves = SECRET_KEYS.filter((k) => k.startsWith(`${name}.`));
        const { rest, taken } = takeLeaves(value, leaves.map((k) => k.slice(name.length + 1)));
        // `--path` with --secret marks the whole object key secret: that is how a leaf arrives encrypted.
        for (const [leaf, text] of Object.entries(taken)) secrets[`${name}.${leaf}` as SecretKey] = { text, encrypted: isConfigSecret(key) };
        values[name] = rest;
    }
    const parsed = parseConfig(project, stack, values, namespaces);
    const checked = checkSecrets(project, stack, parsed, secrets);
    const doToken = resolveDoToken(stack, new pulumi.Config("digitalocean").getSecret("token"), process.env);
    const loadBalancerName = parsed.loadBalancerName ?? resourceName({ project, stack });
    const dnsDomain = parsed.dns.provider === "namecheap" ? namecheapDomain(parsed) : undefined;
    return {
        ...parsed,
        project,
        stack,
        loadBalancerName,
        doToken,
        hostnames: [parsed.hostname, ...parsed.extraHostnames],
        dnsDomain,
        namecheapPassword: checked.namecheapPassword === undefined ? undefined : pulumi.secret(checked.namecheapPassword),
        appSecrets: pulumi.secret(checked.appSecrets),
        monitoring: {
            ...parsed.monitoring,
            slackWebhook: checked.slackWebhook === undefined ? undefined : pulumi.secret(checked.slackWebhook),
        },
    };
}

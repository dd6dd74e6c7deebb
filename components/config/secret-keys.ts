/**
 * Which config keys are secrets: shared by the secret checks (secrets.ts) and the error format
 * (errors.ts), which tells how a secret is set.
 */

/**
 * Config keys read as Pulumi secrets, never parsed or printed with the rest. A dotted key is a
 * leaf of an object key (`pulumi config set --secret --path monitoring.slackWebhook ...`).
 */
export const SECRET_KEYS = ["namecheapPassword", "appSecrets", "monitoring.slackWebhook"] as const;

export type SecretKey = (typeof SECRET_KEYS)[number];

/** The provider's token is a secret too. */
export const TOKEN_KEY = "digitalocean:token";

/** The secret leaves of an object key, by their names in it: "monitoring" → ["slackWebhook"]. */
export function secretLeaves(objectKey: string): string[] {
    return SECRET_KEYS.map((k) => k.split("."))
        .filter(([object, leaf]) => object === objectKey && leaf)
        .map(([, leaf]) => leaf);
}

/** Whether a key as an error names it (namespace and dotted path) is, or lies in, a secret. */
export function isSecretKey(fullKey: string): boolean {
    if (fullKey === TOKEN_KEY) return true;
    const name = fullKey.slice(fullKey.indexOf(":") + 1);
    return SECRET_KEYS.some((k) => name === k || name.startsWith(`${k}.`));
}

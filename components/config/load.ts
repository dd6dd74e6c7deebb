/**
 * The loader: the only place that reads Pulumi config. Each secret becomes a Pulumi secret here.
 */
import * as pulumi from "@pulumi/pulumi";
import { readConfig, type StackSettings } from "./read";

/** The stack's configuration, secrets as Pulumi secrets. */
export interface StackConfig extends StackSettings {
    /** DigitalOcean API token: the provider's credential, reused for the cluster's kubeconfig. */
    doToken: pulumi.Output<string>;
    /** Namecheap Dynamic DNS password (dns.provider "namecheap"). */
    namecheapPassword?: pulumi.Output<string>;
    /** The app's secret environment variables. */
    appSecrets: pulumi.Output<Record<string, string>>;
    monitoring: StackSettings["monitoring"] & {
        /** The Slack incoming webhook (secret), set together with slackChannel. */
        slackWebhook?: pulumi.Output<string>;
    };
}

/** The SDK's own check of PULUMI_CONFIG_SECRET_KEYS, which it exports untyped. */
export function configSecretCheck(runtime: object = pulumi.runtime): (key: string) => boolean {
    const check = (runtime as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
    if (typeof check !== "function") {
        throw new Error(
            "@pulumi/pulumi has no runtime.isConfigSecret, so plain-text secrets cannot be told from encrypted ones: install the version package-lock.json pins",
        );
    }
    return check;
}

const secretOrNone = (text: string | undefined) => (text === undefined ? undefined : pulumi.secret(text));

/** Reads and validates the whole stack configuration. The only place that reads config. */
export function loadConfig(): StackConfig {
    const { settings, secrets } = readConfig({
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        config: pulumi.runtime.allConfig(),
        isSecret: configSecretCheck(),
        env: process.env,
    });
    return {
        ...settings,
        doToken: pulumi.secret(secrets.doToken),
        namecheapPassword: secretOrNone(secrets.namecheapPassword),
        appSecrets: pulumi.secret(secrets.appSecrets),
        monitoring: { ...settings.monitoring, slackWebhook: secretOrNone(secrets.slackWebhook) },
    };
}

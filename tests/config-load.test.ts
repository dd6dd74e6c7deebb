/** The loader: the reader (config-read.test.ts) on what the Pulumi SDK hands the program, secrets wrapped. */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadConfig, type StackConfig } from "../components/config";
import { configSecretCheck } from "../components/config/load";
import { runOffline } from "../offline/run";
import { type ConfigOptions, resolve, SECRET_TEXTS, stackSettings, type StackName } from "./harness";

async function load(stack: StackName, o: ConfigOptions = {}): Promise<{ config?: StackConfig; error?: unknown }> {
    let config: StackConfig | undefined;
    const { error } = await runOffline(
        () => {
            config = loadConfig();
            return {};
        },
        { ...stackSettings(stack, o), state: () => ({}), invoke: () => ({}) },
    );
    return { config, error };
}

test("each secret is a Pulumi secret; what is not set stays unset", async () => {
    const { config } = await load("prod", {
        set: { monitoring: { alertEmails: ["ops@acme-test.org"], slackChannel: "#ops" } },
        secrets: { appSecrets: JSON.stringify({ STRIPE_KEY: SECRET_TEXTS.appSecret }), "monitoring.slackWebhook": SECRET_TEXTS.slackWebhook },
    });
    const secrets = { doToken: config!.doToken, namecheapPassword: config!.namecheapPassword, appSecrets: config!.appSecrets, slackWebhook: config!.monitoring.slackWebhook };
    const resolved = Object.fromEntries(await Promise.all(Object.entries(secrets).map(async ([k, v]) => [k, await resolve<unknown>(v)])));
    expect(resolved).toEqual({
        doToken: { secret: true, value: SECRET_TEXTS.doToken },
        namecheapPassword: { secret: true, value: SECRET_TEXTS.namecheapPassword },
        appSecrets: { secret: true, value: { STRIPE_KEY: SECRET_TEXTS.appSecret } },
        slackWebhook: { secret: true, value: SECRET_TEXTS.slackWebhook },
    });
    expect(config).toMatchObject({ stack: "prod", hostnames: ["app.acme-test.org"], monitoring: { slackChannel: "#ops" } });

    const { config: dev } = await load("dev", { set: { dns: { provider: "none" } }, secrets: { namecheapPassword: undefined } });
    expect(dev!.namecheapPassword).toBeUndefined();
    expect(dev!.monitoring.slackWebhook).toBeUndefined();
});

test("the SDK's secret keys decide what is plain text", async () => {
    const cases: [ConfigOptions, string][] = [
        [{ plain: ["namecheapPassword"] }, "django-doks:namecheapPassword"],
        [{ plainToken: true }, "digitalocean:token"],
    ];
    for (const [o, key] of cases) {
        const { error } = await load("dev", o);
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as Error).message).toContain(`${key} = (set in plain text)`);
    }
    expect((await load("dev")).error).toBeUndefined();
});

test("an SDK without runtime.isConfigSecret is refused, not read as all-secret", () => {
    expect(configSecretCheck(pulumi.runtime)("django-doks:x")).toBe(false);
    expect(() => configSecretCheck({})).toThrow("@pulumi/pulumi has no runtime.isConfigSecret");
});

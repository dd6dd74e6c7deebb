/**
 * The config cases through the loader alone: the same messages as through the whole program
 * (config.test.ts, semantic.test.ts), in milliseconds per case.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, SECRET_KEYS } from "../components/config";
import { helmReleaseNameProblem, parseQuantity, requestAboveLimit } from "../components/config/rules";
import { CERT_MANAGER, INGRESS_CONTROLLER, METRICS_SERVER } from "../components/platform/charts";
import { BAD, JUST_INSIDE, ROWS } from "./config-cases";
import { loadConfigError, PROJECT, ROOT, SECRET_TEXTS, STACKS } from "./harness";

/** The message's line for `key`. */
function lineFor(error: Error | undefined, key: string): string | undefined {
    const full = key.includes(":") || key === "stack name" ? key : `${PROJECT}:${key}`;
    return error?.message.split("\n").find((l) => l.startsWith(`  - ${full} = `));
}

describe("the loader refuses each bad value with the program's message", () => {
    test.each([...BAD.map((c) => [c.title, c] as const), ...Object.entries(ROWS)])("%s", async (_title, c) => {
        const error = await loadConfigError(c.stack, c);
        expect(error).toBeInstanceOf(ConfigError);
        expect(error!.message).toContain(`stack "${("stackName" in c && c.stackName) || c.stack}"`);
        const line = lineFor(error, c.key);
        expect(line).toBeDefined();
        expect(line).toContain(` = ${c.shown}: expected `);
        expect(line).toContain(c.allowed);
    });
});

test("the secret keys, which the schema does not declare, are named in Pulumi.yaml's comment", () => {
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
    for (const k of SECRET_KEYS) expect(text).toContain(k);
});

describe("the loader accepts", () => {
    test.each(STACKS)("the committed %s stack", async (stack) => {
        expect(await loadConfigError(stack)).toBeUndefined();
    });

    test.each(JUST_INSIDE)("%s", async (_title, o) => {
        expect(await loadConfigError(o.stack, o)).toBeUndefined();
    });
});

describe("quantities", () => {
    test.each([
        ["500m", "0.5", 0],
        ["1Gi", "1073741824", 0],
        ["1G", "1Gi", -1],
        ["1.5Gi", "1536Mi", 0],
        ["1e3", "1k", 0],
        ["100u", "1m", -1],
        [".5", "500m", 0],
    ])("%s against %s", (a, b, sign) => {
        expect(requestAboveLimit(a, b)).toBe(sign > 0);
        expect(requestAboveLimit(b, a)).toBe(sign < 0);
    });

    test.each(["", "1.2.3", "5 cores", "1KiB", "-1", "1Ki2", "e3"])("%j is not a quantity", (q) => {
        expect(parseQuantity(q)).toBeUndefined();
    });
});

test("the Helm release names are ones Helm accepts", () => {
    for (const spec of [INGRESS_CONTROLLER, CERT_MANAGER, METRICS_SERVER]) expect(helmReleaseNameProblem(spec.release)).toBeUndefined();
    expect(helmReleaseNameProblem("r".repeat(54))).toBe("at most 53 characters");
});

describe("secret keys through the loader", () => {
    const notShown = "(secret, not shown)";

    test.each([
        ["an array", "[]"],
        ["null", "null"],
        ["a string", '"x"'],
        ["not JSON", "{"],
        ["a number value", '{"A": 1}'],
    ])("appSecrets as %s is refused", async (_title, text) => {
        const e = await loadConfigError("dev", { secrets: { appSecrets: text } });
        expect(e).toBeInstanceOf(ConfigError);
        expect(lineFor(e, "appSecrets")).toBe(`  - ${PROJECT}:appSecrets = ${notShown}: expected an object of string values, set with "pulumi config set --secret --path appSecrets.NAME <value>"`);
    });

    test("appSecrets names: bad, reserved, or also in app.env", async () => {
        const e = await loadConfigError("dev", {
            set: { app: { env: { SHARED: "x" } } },
            secrets: { appSecrets: JSON.stringify({ "1A": "a", PORT: "b", SHARED: "c", FINE: "d" }) },
        });
        expect(lineFor(e, "appSecrets.1A")).toBe(`  - ${PROJECT}:appSecrets.1A = ${notShown}: expected an environment variable name: letters, digits, _`);
        expect(lineFor(e, "appSecrets.PORT")).toContain("expected a variable other than DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, PORT, GUNICORN_WORKERS: the stack sets those itself");
        expect(lineFor(e, "appSecrets.SHARED")).toBe(`  - ${PROJECT}:appSecrets.SHARED = ${notShown}: expected a name that app.env does not also set`);
        expect(lineFor(e, "appSecrets.FINE")).toBeUndefined();
    });

    test("valid appSecrets pass", async () => {
        expect(await loadConfigError("dev", { secrets: { appSecrets: JSON.stringify({ STRIPE_KEY: "x", OTHER: "" }) } })).toBeUndefined();
    });

    test("the Slack webhook: its URL, and the channel with it", async () => {
        const monitoring = (extra: object) => ({ monitoring: { alertEmails: ["ops@acme-test.org"], ...extra } });
        const bad = await loadConfigError("dev", { set: monitoring({ slackChannel: "#ops" }), secrets: { "monitoring.slackWebhook": "http://hooks.slack.com/x" } });
        expect(lineFor(bad, "monitoring.slackWebhook")).toContain("expected a Slack incoming webhook URL (https://hooks.slack.com/services/...)");
        const spaced = await loadConfigError("dev", { set: monitoring({ slackChannel: "#ops" }), secrets: { "monitoring.slackWebhook": `${SECRET_TEXTS.slackWebhook} x` } });
        expect(lineFor(spaced, "monitoring.slackWebhook")).toContain("expected a Slack incoming webhook URL");
        const noChannel = await loadConfigError("dev", { set: monitoring({}), secrets: { "monitoring.slackWebhook": SECRET_TEXTS.slackWebhook } });
        expect(lineFor(noChannel, "monitoring.slackChannel")).toContain('expected a value (required with monitoring.slackWebhook): the channel the webhook posts to, e.g. "#ops-alerts"');
        const noWebhook = await loadConfigError("dev", { set: monitoring({ slackChannel: "#ops" }) });
        expect(lineFor(noWebhook, "monitoring.slackWebhook")).toContain("expected a value (required with monitoring.slackChannel)");
        expect(await loadConfigError("dev", { set: monitoring({ slackChannel: "#ops" }), secrets: { "monitoring.slackWebhook": SECRET_TEXTS.slackWebhook } })).toBeUndefined();
    });

    test("the Namecheap password is required with dns.provider namecheap only", async () => {
        const missing = await loadConfigError("dev", { secrets: { namecheapPassword: undefined } });
        expect(lineFor(missing, "namecheapPassword")).toContain('expected a value (required with dns.provider "namecheap")');
        expect(await loadConfigError("dev", { set: { dns: { provider: "none" } }, secrets: { namecheapPassword: undefined } })).toBeUndefined();
    });

    test("the token from DIGITALOCEAN_ACCESS_TOKEN when DIGITALOCEAN_TOKEN is unset", async () => {
        expect(await loadConfigError("dev", { withoutToken: true, env: { DIGITALOCEAN_ACCESS_TOKEN: SECRET_TEXTS.doToken } })).toBeUndefined();
        const none = await loadConfigError("dev", { withoutToken: true });
        expect(none?.message).toContain("a value (required): a DigitalOcean API token, ");
    });
});

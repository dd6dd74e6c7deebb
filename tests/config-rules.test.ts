/**
 * The rule functions (components/config/rules.ts) on their own, and the secret keys' checks
 * (appSecrets, the Slack webhook, the Namecheap password) through the loader: exact messages.
 */
import { ConfigError } from "../components/config";
import {
    acmeContactProblem,
    cronScheduleProblem,
    helmReleaseNameProblem,
    labelValueProblem,
    parseQuantity,
    requestAboveLimit,
} from "../components/config/rules";
import { loadConfigError, PROJECT, SECRET_TEXTS } from "./harness";

describe("quantities", () => {
    test.each([
        ["1n", "1e-9"],
        ["1u", "1e-6"],
        ["2k", "2000"],
        ["3M", "3e6"],
        ["4G", "4e9"],
        ["5T", "5e12"],
        ["6P", "6e15"],
        ["7E", "7e18"],
        ["10", "1e1"],
        ["1Ki", "1024"],
        ["1Mi", "1024Ki"],
        ["1Ti", "1024Gi"],
        ["1Pi", "1024Ti"],
        ["1Ei", "1024Pi"],
        ["0.25", "250m"],
        ["12.5", "12500m"],
        ["+1", "1"],
    ])("%s equals %s: neither is above the other", (a, b) => {
        expect(requestAboveLimit(a, b)).toBe(false);
        expect(requestAboveLimit(b, a)).toBe(false);
    });

    test("above and below", () => {
        expect(requestAboveLimit("2", "1")).toBe(true);
        expect(requestAboveLimit("1", "2")).toBe(false);
        expect(requestAboveLimit("1001m", "1")).toBe(true);
        expect(requestAboveLimit("1Ei", "1E")).toBe(true);
        expect(requestAboveLimit("1n", "0")).toBe(true);
    });

    test.each(["12", ".25", "1.", "0"])("%j is a quantity", (q) => {
        expect(parseQuantity(q)).toBeDefined();
    });

    test.each([".x", "1.2.", "1 ", " 1", "1Gi ", "10 k", ".5.5"])("%j is not a quantity", (q) => {
        expect(parseQuantity(q)).toBeUndefined();
    });
});

describe("CronJob schedules", () => {
    test.each(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", " @daily ", "0  3 * * *", "0 0 * jan-dec sun-sat", "0 0 ? FEB,MAR,APR,MAY,JUN,JUL,AUG,SEP,OCT,NOV ?", "0 0 * * mon,tue,wed,thu,fri,sat", "0 0 * * 6", "0 0 1 * ?"])(
        "%j is accepted",
        (s) => {
            expect(cronScheduleProblem(s)).toBeUndefined();
        },
    );

    test.each([
        ["@every 5m", "five cron fields or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly"],
        ["0 0 * * 1x", 'a valid day of week field: "1x" is not a number or a name (Kubernetes uses the standard 5-field cron syntax)'],
        ["x0 0 * * *", 'a valid minute field: "x0" is not a number (Kubernetes uses the standard 5-field cron syntax)'],
        ["0 0 * jan ?x", 'a valid day of week field: "?x" is not a number or a name (Kubernetes uses the standard 5-field cron syntax)'],
        ["0 ? * * *", 'a valid hour field: "?" is not a number (Kubernetes uses the standard 5-field cron syntax)'],
        ["0 0 * mon *", 'a valid month field: "mon" is not a number or a name (Kubernetes uses the standard 5-field cron syntax)'],
        ["0 0 * * jan", 'a valid day of week field: "jan" is not a number or a name (Kubernetes uses the standard 5-field cron syntax)'],
        ["0 0 * * 16", "a day of week from 0 to 6 (Sunday is 0; Kubernetes refuses 16)"],
        ["0 0 * * 1-7", "a day of week from 0 to 6 (Sunday is 0; Kubernetes refuses 7)"],
    ])("%j is refused", (s, message) => {
        expect(cronScheduleProblem(s)).toBe(message);
    });
});

describe("Let's Encrypt contacts", () => {
    const refused = "an address Let's Encrypt accepts as a contact";
    test.each([
        ["ops@example.net", `${refused}: it refuses @example.net`],
        ["ops@example.com", `${refused}: it refuses @example.com`],
        ["ops@acme.test", `${refused}: acme.test does not end in a public top-level domain`],
        ["ops@10.0.0.1", `${refused}: 10.0.0.1 does not end in a public top-level domain`],
        ["ops@acme.blogspot.com", undefined],
        ["ops@co.uk", `${refused}: co.uk is a public suffix, not a domain`],
        ["ops@a.b.c.d.e.f.g.h.i.acme.org", `${refused}: a.b.c.d.e.f.g.h.i.acme.org has more than 10 labels`],
        ["ops@a.b.c.d.e.f.g.h.acme.org", undefined],
        ["ops@ab--cd.acme.org", `${refused}: ab--cd.acme.org has a label in the reserved "??--" form`],
        ["ops@xn--bcher-kva.de", undefined],
        ["ops@ab-c.acme.org", undefined],
        ["ops@abc--d.acme.org", undefined],
    ])("%s", (email, expected) => {
        expect(acmeContactProblem(email)).toBe(expected);
    });
});

describe("names and labels", () => {
    test.each([
        ["a".repeat(63), undefined],
        ["a".repeat(64), "at most 63 characters (it is 64)"],
        ["", undefined],
        ["a", undefined],
        ["a-b.c_d", undefined],
        ["-a", 'letters, digits, "-", "_" and ".", starting and ending with a letter or digit'],
        ["a-", 'letters, digits, "-", "_" and ".", starting and ending with a letter or digit'],
    ])("label value %j", (value, expected) => {
        expect(labelValueProblem(value)).toBe(expected);
    });

    test.each([
        ["r".repeat(53), undefined],
        ["ingress-nginx.v2", undefined],
        ["a", undefined],
        ["Release", "a DNS-1123 subdomain"],
        ["a-", "a DNS-1123 subdomain"],
        ["-a", "a DNS-1123 subdomain"],
        ["a.-b", "a DNS-1123 subdomain"],
        ["a.b-", "a DNS-1123 subdomain"],
    ])("Helm release name %j", (name, expected) => {
        expect(helmReleaseNameProblem(name)).toBe(expected);
    });
});

describe("secret keys through the loader", () => {
    const line = (e: Error | undefined, key: string) => e?.message.split("\n").find((l) => l.startsWith(`  - ${PROJECT}:${key} = `));
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
        expect(line(e, "appSecrets")).toBe(`  - ${PROJECT}:appSecrets = ${notShown}: expected an object of string values, set with "pulumi config set --secret --path appSecrets.NAME <value>"`);
    });

    test("appSecrets names: bad, reserved, or also in app.env", async () => {
        const e = await loadConfigError("dev", {
            set: { app: { env: { SHARED: "x" } } },
            secrets: { appSecrets: JSON.stringify({ "1A": "a", PORT: "b", SHARED: "c", FINE: "d" }) },
        });
        expect(line(e, "appSecrets.1A")).toBe(`  - ${PROJECT}:appSecrets.1A = ${notShown}: expected an environment variable name: letters, digits, _`);
        expect(line(e, "appSecrets.PORT")).toContain("expected a variable other than DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, PORT, GUNICORN_WORKERS: the stack sets those itself");
        expect(line(e, "appSecrets.SHARED")).toBe(`  - ${PROJECT}:appSecrets.SHARED = ${notShown}: expected a name that app.env does not also set`);
        expect(line(e, "appSecrets.FINE")).toBeUndefined();
    });

    test("valid appSecrets pass", async () => {
        expect(await loadConfigError("dev", { secrets: { appSecrets: JSON.stringify({ STRIPE_KEY: "x", OTHER: "" }) } })).toBeUndefined();
    });

    test("the Slack webhook: its URL, and the channel with it", async () => {
        const monitoring = (extra: object) => ({ monitoring: { alertEmails: ["ops@acme-test.org"], ...extra } });
        const bad = await loadConfigError("dev", { set: monitoring({ slackChannel: "#ops" }), secrets: { "monitoring.slackWebhook": "http://hooks.slack.com/x" } });
        expect(line(bad, "monitoring.slackWebhook")).toContain("expected a Slack incoming webhook URL (https://hooks.slack.com/services/...)");
        const spaced = await loadConfigError("dev", { set: monitoring({ slackChannel: "#ops" }), secrets: { "monitoring.slackWebhook": `${SECRET_TEXTS.slackWebhook} x` } });
        expect(line(spaced, "monitoring.slackWebhook")).toContain("expected a Slack incoming webhook URL");
        const noChannel = await loadConfigError("dev", { set: monitoring({}), secrets: { "monitoring.slackWebhook": SECRET_TEXTS.slackWebhook } });
        expect(line(noChannel, "monitoring.slackChannel")).toContain('expected a value (required with monitoring.slackWebhook): the channel the webhook posts to, e.g. "#ops-alerts"');
        const noWebhook = await loadConfigError("dev", { set: monitoring({ slackChannel: "#ops" }) });
        expect(line(noWebhook, "monitoring.slackWebhook")).toContain("expected a value (required with monitoring.slackChannel)");
        expect(await loadConfigError("dev", { set: monitoring({ slackChannel: "#ops" }), secrets: { "monitoring.slackWebhook": SECRET_TEXTS.slackWebhook } })).toBeUndefined();
    });

    test("the Namecheap password is required with dns.provider namecheap only", async () => {
        const missing = await loadConfigError("dev", { secrets: { namecheapPassword: undefined } });
        expect(line(missing, "namecheapPassword")).toContain('expected a value (required with dns.provider "namecheap")');
        expect(await loadConfigError("dev", { set: { dns: { provider: "none" } }, secrets: { namecheapPassword: undefined } })).toBeUndefined();
    });

    test("the token from DIGITALOCEAN_ACCESS_TOKEN when DIGITALOCEAN_TOKEN is unset", async () => {
        expect(await loadConfigError("dev", { withoutToken: true, env: { DIGITALOCEAN_ACCESS_TOKEN: SECRET_TEXTS.doToken } })).toBeUndefined();
        const none = await loadConfigError("dev", { withoutToken: true });
        expect(none?.message).toContain("a value (required): a DigitalOcean API token, ");
    });
});

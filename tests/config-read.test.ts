/**
 * The config cases through the reader alone (the loader without the Pulumi SDK): the same
 * messages as through the whole program (semantic.test.ts), in a millisecond per case.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../components/config/errors";
import { namespaceProblems, PROVIDER_NAMESPACES } from "../components/config/parse";
import { SECRET_KEYS } from "../components/config/secrets";
import { helmReleaseNameProblem, parseQuantity, requestAboveLimit } from "../components/config/rules";
import { CERT_MANAGER, INGRESS_CONTROLLER, METRICS_SERVER } from "../components/platform/charts";
import { BAD, JUST_INSIDE, ROWS } from "./config-cases";
import { PROJECT, readError, readStack, ROOT, SECRET_TEXTS, STACKS } from "./stack-values";

/** The message's line for `key`. */
function lineFor(error: Error | undefined, key: string): string | undefined {
    const full = key.includes(":") || key === "stack name" ? key : `${PROJECT}:${key}`;
    return error?.message.split("\n").find((l) => l.startsWith(`  - ${full} = `));
}

describe("the reader refuses each bad value with the program's message", () => {
    test.each([...BAD.map((c) => [c.title, c] as const), ...Object.entries(ROWS)])("%s", (_title, c) => {
        const error = readError(c.stack, c);
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

describe("the reader accepts", () => {
    test.each(STACKS)("the committed %s stack", (stack) => {
        expect(readError(stack)).toBeUndefined();
    });

    test.each(JUST_INSIDE)("%s", (_title, o) => {
        expect(readError(o.stack, o)).toBeUndefined();
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

describe("secret keys through the reader", () => {
    const notShown = "(secret, not shown)";

    test.each([
        ["an array", "[]"],
        ["null", "null"],
        ["a string", '"x"'],
        ["not JSON", "{"],
        ["a number value", '{"A": 1}'],
        ["a number among strings", '{"A": "x", "B": 1}'],
    ])("appSecrets as %s is refused", (_title, text) => {
        const e = readError("dev", { secrets: { appSecrets: text } });
        expect(e).toBeInstanceOf(ConfigError);
        expect(lineFor(e, "appSecrets")).toBe(`  - ${PROJECT}:appSecrets = ${notShown}: expected an object of string values, set with "pulumi config set --secret --path appSecrets.NAME <value>"`);
    });

    test("appSecrets names: bad, reserved, or also in app.env", () => {
        const e = readError("dev", {
            set: { app: { env: { SHARED: "x" } } },
            secrets: { appSecrets: JSON.stringify({ "1A": "a", PORT: "b", SHARED: "c", FINE: "d" }) },
        });
        expect(lineFor(e, "appSecrets.1A")).toBe(`  - ${PROJECT}:appSecrets.1A = ${notShown}: expected an environment variable name: letters, digits, _`);
        expect(lineFor(e, "appSecrets.PORT")).toContain("expected a variable other than DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, PORT, GUNICORN_WORKERS: the stack sets those itself");
        expect(lineFor(e, "appSecrets.SHARED")).toBe(`  - ${PROJECT}:appSecrets.SHARED = ${notShown}: expected a name that app.env does not also set`);
        expect(lineFor(e, "appSecrets.FINE")).toBeUndefined();
    });

    test("valid appSecrets pass", () => {
        expect(readError("dev", { secrets: { appSecrets: JSON.stringify({ STRIPE_KEY: "x", OTHER: "" }) } })).toBeUndefined();
    });

    test("the Slack webhook: its URL, and the channel with it", () => {
        const monitoring = (extra: object) => ({ monitoring: { alertEmails: ["ops@acme-test.org"], ...extra } });
        for (const url of ["http://hooks.slack.com/x", "xhttps://hooks.slack.com/x"]) {
            const bad = readError("dev", { set: monitoring({ slackChannel: "#ops" }), secrets: { "monitoring.slackWebhook": url } });
            expect(lineFor(bad, "monitoring.slackWebhook")).toContain("expected a Slack incoming webhook URL (https://hooks.slack.com/services/...)");
        }
        const spaced = readError("dev", { set: monitoring({ slackChannel: "#ops" }), secrets: { "monitoring.slackWebhook": `${SECRET_TEXTS.slackWebhook} x` } });
        expect(lineFor(spaced, "monitoring.slackWebhook")).toContain("expected a Slack incoming webhook URL");
        const noChannel = readError("dev", { set: monitoring({}), secrets: { "monitoring.slackWebhook": SECRET_TEXTS.slackWebhook } });
        expect(lineFor(noChannel, "monitoring.slackChannel")).toContain('expected a value (required with monitoring.slackWebhook): the channel the webhook posts to, e.g. "#ops-alerts"');
        const noWebhook = readError("dev", { set: monitoring({ slackChannel: "#ops" }) });
        expect(lineFor(noWebhook, "monitoring.slackWebhook")).toContain("expected a value (required with monitoring.slackChannel)");
        expect(readError("dev", { set: monitoring({ slackChannel: "#ops" }), secrets: { "monitoring.slackWebhook": SECRET_TEXTS.slackWebhook } })).toBeUndefined();
    });

    test("the Namecheap password is required with dns.provider namecheap only", () => {
        const missing = readError("dev", { secrets: { namecheapPassword: undefined } });
        expect(lineFor(missing, "namecheapPassword")).toContain('expected a value (required with dns.provider "namecheap")');
        expect(readError("dev", { set: { dns: { provider: "none" } }, secrets: { namecheapPassword: undefined } })).toBeUndefined();
    });

    test("the token from DIGITALOCEAN_ACCESS_TOKEN when DIGITALOCEAN_TOKEN is unset", () => {
        expect(readError("dev", { withoutToken: true, env: { DIGITALOCEAN_ACCESS_TOKEN: SECRET_TEXTS.doToken } })).toBeUndefined();
        const none = readError("dev", { withoutToken: true });
        expect(none?.message).toContain("a value (required): a DigitalOcean API token, ");
    });
});

describe("what the reader returns", () => {
    test("the derived names: the load balancer's, the host names in order, the Namecheap domain", () => {
        const { settings } = readStack("dev", { set: { extraHostnames: ["www.acme-test.org", "acme-test.org"] } });
        expect(settings).toMatchObject({ project: PROJECT, stack: "dev", loadBalancerName: `${PROJECT}-dev`, dnsDomain: "acme-test.org" });
        expect(settings.hostnames).toEqual(["app.acme-test.org", "www.acme-test.org", "acme-test.org"]);
        expect(readStack("prod", { stackName: "prod-eu", set: { loadBalancerName: `${PROJECT}-prod-eu-edge`, dns: { domain: "acme-test.org" } } }).settings).toMatchObject({
            stack: "prod-eu",
            loadBalancerName: `${PROJECT}-prod-eu-edge`,
            dnsDomain: "acme-test.org",
        });
    });

    test('no Namecheap domain with dns.provider "none"', () => {
        const { settings, secrets } = readStack("dev", { set: { dns: { provider: "none" } }, secrets: { namecheapPassword: undefined } });
        expect(settings.dnsDomain).toBeUndefined();
        expect(secrets.namecheapPassword).toBeUndefined();
    });

    test("the secrets, apart from the settings", () => {
        const { settings, secrets } = readStack("prod", {
            set: { monitoring: { alertEmails: ["ops@acme-test.org"], slackChannel: "#ops" } },
            secrets: { appSecrets: JSON.stringify({ STRIPE_KEY: SECRET_TEXTS.appSecret }), "monitoring.slackWebhook": SECRET_TEXTS.slackWebhook },
        });
        expect(secrets).toEqual({
            doToken: SECRET_TEXTS.doToken,
            namecheapPassword: SECRET_TEXTS.namecheapPassword,
            appSecrets: { STRIPE_KEY: SECRET_TEXTS.appSecret },
            slackWebhook: SECRET_TEXTS.slackWebhook,
        });
        expect(settings.monitoring.slackChannel).toBe("#ops");
        for (const text of Object.values(SECRET_TEXTS)) expect(JSON.stringify(settings)).not.toContain(text);
        expect(readStack("dev").secrets).toEqual({ doToken: SECRET_TEXTS.doToken, namecheapPassword: SECRET_TEXTS.namecheapPassword, appSecrets: {} });
    });

    test.each([
        ["the config's token first", { DIGITALOCEAN_TOKEN: "from-env" }, false, SECRET_TEXTS.doToken],
        ["then DIGITALOCEAN_TOKEN", { DIGITALOCEAN_TOKEN: "a", DIGITALOCEAN_ACCESS_TOKEN: "b" }, true, "a"],
        ["then DIGITALOCEAN_ACCESS_TOKEN, when DIGITALOCEAN_TOKEN is empty", { DIGITALOCEAN_TOKEN: "", DIGITALOCEAN_ACCESS_TOKEN: "b" }, true, "b"],
    ])("the DigitalOcean token: %s", (_title, env, withoutToken, token) => {
        expect(readStack("dev", { env, withoutToken }).secrets.doToken).toBe(token);
    });

    test.each([null, [], 5])("monitoring as %j is refused, not emptied of its secret leaf", (value) => {
        expect(lineFor(readError("dev", { set: { monitoring: value } }), "monitoring")).toBe(`  - ${PROJECT}:monitoring = ${JSON.stringify(value)}: expected an object`);
    });

    test("a secret in plain text: the command that stores it encrypted", () => {
        expect(lineFor(readError("dev", { plain: ["namecheapPassword"] }), "namecheapPassword")).toBe(
            `  - ${PROJECT}:namecheapPassword = (set in plain text): expected a secret: pulumi config set --secret namecheapPassword ... (then remove the plain value from Pulumi.dev.yaml's history)`,
        );
    });

    test("a secret leaf's name under another object key is an unknown key, not a secret", () => {
        const e = readError("dev", { set: { app: { slackWebhook: "x" } } });
        expect(lineFor(e, "app.slackWebhook")).toContain("no such key: app takes only");
    });
});

test("the whole error, as pulumi up prints it", () => {
    const e = readError("dev", { set: { nodeCount: 0 } });
    expect(e).toBeInstanceOf(ConfigError);
    expect(e!.name).toBe("ConfigError");
    expect(e!.message).toBe(
        [
            'Invalid configuration for stack "dev" (nothing was created):',
            `  - ${PROJECT}:nodeCount = 0: expected at least 1`,
            "Set values with: pulumi config set --stack dev <key> <value> (--path for a key inside an object).",
            "What each key takes: docs/configuration.md#keys.",
        ].join("\n"),
    );
});

describe("config namespaces", () => {
    const keys = (...names: string[]) => names;

    test("the providers' namespaces are read", () => {
        expect(PROVIDER_NAMESPACES).toEqual(["digitalocean", "kubernetes", "random", "command", "docker-build", "pulumi"]);
        expect(namespaceProblems(PROJECT, keys("digitalocean:token", "kubernetes:kubeconfig", "random:x", "command:x", "docker-build:x", "pulumi:tags"))).toEqual([]);
    });

    test.each([
        ["dango-do:hostname", 'no such namespace "dango-do": a key of django-doks: did you mean django-doks:hostname?'],
        ["ango-do:hostname", 'no such namespace "ango-do": a namespace the stack reads (django-doks, digitalocean, kubernetes, random, command, docker-build, pulumi)'],
        ["digitaloean:token", 'no such namespace "digitaloean": did you mean digitalocean:token?'],
        ["kubernets:context", 'no such namespace "kubernets": did you mean kubernetes:context?'],
        ["hostname", "a namespace: the project's keys are written django-doks:hostname in the stack file (pulumi config set hostname <value> writes that)"],
    ])("%s: did-you-mean up to 3 edits from a namespace the stack reads, the value never shown", (key, expected) => {
        expect(namespaceProblems(PROJECT, keys(key))).toEqual([`  - ${key} = (value not shown): expected ${expected}`]);
    });
});

describe("messages that say what to do", () => {
    /** The message's problem lines. */
    const problemLines = (e: Error | undefined) => e?.message.split("\n").filter((l) => l.startsWith("  - ")) ?? [];
    /** The lines after the problems. */
    const footer = (e: Error | undefined) => e?.message.split("\n").slice(1).filter((l) => !l.startsWith("  - ")) ?? [];
    const PLAIN = "Set values with: pulumi config set --stack dev <key> <value> (--path for a key inside an object).";
    const SECRET = "Set secrets with: pulumi config set --stack dev --secret <key> <value> (--path for appSecrets.<NAME> and monitoring.slackWebhook).";
    const APP_KEYS = "image, minReplicas, maxReplicas, autoscaling, cpuUtilization, memoryUtilization, resources, env, gunicornWorkers, probes, migrateCommand, routes, egress";

    test.each([
        ["a project key", { nodeCont: 3 }, `  - ${PROJECT}:nodeCont = (value not shown): expected no such key: it is not one of the project's keys; did you mean nodeCount?`],
        ["a key in an object", { app: { resorces: { requests: { cpu: "1" } } } }, `  - ${PROJECT}:app.resorces = (value not shown): expected no such key: app takes only ${APP_KEYS}; did you mean app.resources?`],
        ["a key two objects deep", { app: { probes: { liveness: "/healthz", readiness: "/readyz", startup: "/healthz", ready: "/readyz" } } }, `  - ${PROJECT}:app.probes.ready = (value not shown): expected no such key: app.probes takes only liveness, readiness, startup`],
        ["a key nothing is near", { zzzz: 1 }, `  - ${PROJECT}:zzzz = (value not shown): expected no such key: it is not one of the project's keys (see Pulumi.yaml and docs/configuration.md; a typo?)`],
    ])("a misspelt key (%s) gets the nearest key, never its value", (_title, set, line) => {
        expect(problemLines(readError("dev", { set }))).toEqual([line]);
    });

    test("a misspelt secret key is matched against the secret keys, its value hidden, and the footer says --secret", () => {
        const e = readError("dev", { set: { namecheapPasword: SECRET_TEXTS.namecheapPassword } });
        expect(problemLines(e)).toEqual([`  - ${PROJECT}:namecheapPasword = (value not shown): expected no such key: it is not one of the project's keys; did you mean namecheapPassword?`]);
        expect(footer(e)).toEqual([SECRET, "What each key takes: docs/configuration.md#keys."]);
        expect(e?.message).not.toContain(SECRET_TEXTS.namecheapPassword);
    });

    test("a token under a misspelt namespace is never shown, and the namespace it meant is", () => {
        const e = readError("dev", { raw: { "digitaloean:token": SECRET_TEXTS.doToken } });
        expect(problemLines(e)).toEqual(['  - digitaloean:token = (value not shown): expected no such namespace "digitaloean": did you mean digitalocean:token?']);
        expect(footer(e)).toEqual([SECRET, "What each key takes: docs/configuration.md#the-digitalocean-token-digitaloceantoken."]);
        expect(e?.message).not.toContain(SECRET_TEXTS.doToken);
    });

    test("a project key without the project's namespace is told how project keys are written", () => {
        expect(problemLines(readError("prod", { raw: { nodeCount: "4" } }))).toEqual([
            `  - nodeCount = (value not shown): expected a namespace: the project's keys are written ${PROJECT}:nodeCount in the stack file (pulumi config set nodeCount <value> writes that)`,
        ]);
    });

    test("an empty plain Namecheap password is one problem: not set", () => {
        const e = readError("dev", { secrets: { namecheapPassword: "" }, plain: ["namecheapPassword"] });
        expect(problemLines(e)).toEqual([
            `  - ${PROJECT}:namecheapPassword = (not set): expected a value (required with dns.provider "namecheap"): the Dynamic DNS password from Namecheap, set with "pulumi config set --secret namecheapPassword <password>"`,
        ]);
        expect(readError("dev", { set: { dns: { provider: "none" } }, secrets: { namecheapPassword: "" }, plain: ["namecheapPassword"] })).toBeUndefined();
    });

    test("an empty plain token is not set: the environment's is taken", () => {
        expect(readStack("dev", { withoutToken: true, raw: { "digitalocean:token": "" }, env: { DIGITALOCEAN_TOKEN: SECRET_TEXTS.doToken } }).secrets.doToken).toBe(SECRET_TEXTS.doToken);
        expect(problemLines(readError("dev", { withoutToken: true, raw: { "digitalocean:token": "" } }))).toEqual([
            '  - digitalocean:token = (not set): expected a value (required): a DigitalOcean API token, set with "pulumi config set --secret digitalocean:token <token>" or the DIGITALOCEAN_TOKEN environment variable',
        ]);
    });

    test.each([
        ["an empty hostname", { hostname: "" }, `  - ${PROJECT}:hostname = "": expected a fully qualified lowercase domain name such as app.example.org`],
        ["a URL as hostname", { hostname: "https://app.acme-test.org" }, `  - ${PROJECT}:hostname = "https://app.acme-test.org": expected a fully qualified lowercase domain name such as app.example.org`],
    ])("%s is reported alone, without the Namecheap domain it leaves unknown", (_title, set, line) => {
        expect(problemLines(readError("prod", { set }))).toEqual([line]);
    });

    test("a host outside the domain is still reported beside a bad hostname when dns.domain is set", () => {
        expect(problemLines(readError("dev", { set: { hostname: "", dns: { domain: "acme-test.org" }, extraHostnames: ["www.other-site.net"] } }))).toEqual([
            `  - ${PROJECT}:hostname = "": expected a fully qualified lowercase domain name such as app.example.org`,
            `  - ${PROJECT}:dns.domain = "acme-test.org": expected a domain that contains every host name (www.other-site.net is outside it); use dns.provider "none" for hosts elsewhere`,
        ]);
    });

    test("a single host name where a list belongs says what a list looks like", () => {
        expect(problemLines(readError("dev", { set: { extraHostnames: "www.acme-test.org" } }))).toEqual([
            `  - ${PROJECT}:extraHostnames = "www.acme-test.org": expected a list: in the stack file, the key, then one indented "- www.acme-test.org" line per item (or [www.acme-test.org] on the key's line); or pulumi config set --path "extraHostnames[0]" www.acme-test.org`,
        ]);
    });

    test("CPU and memory as numbers, as Kubernetes takes them, kept as text", () => {
        const { settings } = readStack("dev", { set: { app: { resources: { requests: { cpu: 0.25, memory: 268435456 }, limits: { cpu: 1, memory: "512Mi" } } } } });
        expect(settings.app.resources).toEqual({ requests: { cpu: "0.25", memory: "268435456" }, limits: { cpu: "1", memory: "512Mi" } });
        expect(problemLines(readError("dev", { set: { app: { resources: { requests: { cpu: 2 } } } } }))).toEqual([
            `  - ${PROJECT}:app.resources.requests.cpu = 2: expected at most the cpu limit (500m): Kubernetes refuses a request above its limit`,
        ]);
        expect(problemLines(readError("dev", { set: { app: { resources: { limits: { cpu: -1 } } } } }))).toEqual([
            `  - ${PROJECT}:app.resources.limits.cpu = -1: expected a CPU quantity such as "500m"`,
        ]);
    });

    test("a partial app.resources is merged with the defaults, then checked", () => {
        const { settings } = readStack("prod", { set: { app: { resources: { requests: { cpu: "300m" } } } } });
        expect(settings.app.resources).toEqual({ requests: { cpu: "300m", memory: "200Mi" }, limits: { cpu: "500m", memory: "512Mi" } });
        expect(problemLines(readError("prod", { set: { app: { resources: { limits: { memory: "100Mi" } } } } }))).toEqual([
            `  - ${PROJECT}:app.resources.requests.memory = (not set, default "200Mi"): expected at most the memory limit (100Mi): Kubernetes refuses a request above its limit`,
        ]);
        expect(problemLines(readError("prod", { set: { app: { resources: { requests: "300m" } } } }))).toEqual([
            `  - ${PROJECT}:app.resources.requests = "300m": expected an object`,
        ]);
    });

    test("the footer: a plain-text secret alone gets the --secret command only", () => {
        const e = readError("dev", { plain: ["namecheapPassword"] });
        expect(footer(e)).toEqual([SECRET, "What each key takes: docs/configuration.md#keys."]);
    });

    test("the footer: plain keys and secrets, each with its command, and the sections that describe them", () => {
        const e = readError("dev", { set: { nodeCount: 0, app: { minReplicas: 0 }, vpcIpRange: "8.8.8.0/24" }, plainToken: true });
        expect(footer(e)).toEqual([
            PLAIN,
            SECRET,
            "What each key takes: docs/configuration.md#the-digitalocean-token-digitaloceantoken, docs/configuration.md#networks, docs/configuration.md#keys, docs/configuration.md#structured-keys.",
        ]);
    });

    test("the footer: a stack name problem alone names no key", () => {
        expect(footer(readError("dev", { stackName: "dev." }))).toEqual([]);
    });
});

describe("the static site's repository: a public https URL", () => {
    const line = (e: Error | undefined) => lineFor(e, "staticContent.repository");
    const repository = (url: string, extra: object = {}) => ({ set: { staticContent: { repository: url }, ...extra } });
    const PUBLIC_HTTPS = "a public https git URL such as https://github.com/acme/site.git";

    test.each(["git@github.com:acme/site.git", "ssh://git@github.com/acme/site.git", "SSH://github.com/acme/site.git"])("%s: no SSH", (url) => {
        expect(line(readError("dev", repository(url)))).toBe(`  - ${PROJECT}:staticContent.repository = ${JSON.stringify(url)}: expected ${PUBLIC_HTTPS}, not SSH: the sync pods have no SSH key`);
    });

    test.each(["https://x-access-token:ghp_0123456789@github.com/acme/site.git", "https://ghp_0123456789@github.com/acme/site.git"])("credentials in the URL are refused and never shown", (url) => {
        const e = readError("dev", repository(url));
        expect(line(e)).toBe(
            `  - ${PROJECT}:staticContent.repository = (not shown: it holds credentials): expected ${PUBLIC_HTTPS}, without credentials: the sync pods use none, so the repository must be public, and a token in the URL would be stored in plain text in their spec`,
        );
        expect(e?.message).not.toContain("ghp_0123456789");
    });

    test("plain http", () => {
        expect(line(readError("dev", repository("http://github.com/acme/site.git")))).toBe(
            `  - ${PROJECT}:staticContent.repository = "http://github.com/acme/site.git": expected ${PUBLIC_HTTPS}: git over plain http can be altered on the way`,
        );
    });

    test("a port other than 443 with restricted egress; open egress reaches it", () => {
        const url = "https://git.acme-test.org:8443/site.git";
        expect(line(readError("dev", repository(url)))).toBe(
            `  - ${PROJECT}:staticContent.repository = "${url}": expected a repository on port 443, or app.egress "open": with restricted egress the sync pods reach port 443 alone, not 8443`,
        );
        expect(readError("dev", repository(url, { app: { egress: "open" } }))).toBeUndefined();
        expect(readError("dev", repository("https://git.acme-test.org:443/site.git"))).toBeUndefined();
    });
});

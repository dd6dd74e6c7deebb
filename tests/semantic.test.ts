import program from "../index";
import { ConfigError } from "../components/config";
import { evaluate, evaluateFailure, PROJECT, programResources, resolve, SECRET_TEXTS, secretInput } from "./harness";
import { BAD, JUST_INSIDE, ROWS } from "./config-cases";

describe("values the cloud would refuse are config errors before anything is created", () => {
    test.each(Object.entries(ROWS))("%s", async (_title, row) => {
        const { error, evaluation } = await evaluateFailure(program, row.stack, row);
        expect(error).toBeInstanceOf(ConfigError);
        const key = row.key.includes(":") || row.key === "stack name" ? row.key : `${PROJECT}:${row.key}`;
        const line = error.message.split("\n").find((l) => l.startsWith(`  - ${key} = `));
        expect(line).toBe(line && `  - ${key} = ${row.shown}: expected ${line.split(": expected ")[1]}`);
        expect(line).toContain(row.allowed);
        expect(programResources(evaluation)).toEqual([]);
        expect(evaluation.invokes).toEqual([]);
    });

});

describe("values just inside the same rules pass", () => {
    test.each(JUST_INSIDE)("%s", async (_title, o) => {
        await expect(evaluate(program, o.stack, o)).resolves.toBeDefined();
    });
});

describe("invalid configuration stops the program before any resource", () => {
    test.each(BAD.map((c) => [c.title, c] as const))("%s", async (_title, c) => {
        const { error, evaluation } = await evaluateFailure(program, c.stack, c);
        expect(error).toBeInstanceOf(ConfigError);
        const key = c.key.includes(":") ? c.key : `${PROJECT}:${c.key}`;
        expect(error.message).toContain(`stack "${c.stack}"`);
        const line = error.message.split("\n").find((l) => l.includes(`- ${key} = `));
        expect(line).toBeDefined();
        expect(line).toContain(`${key} = ${c.shown}: expected `);
        expect(line).toContain(c.allowed);
        expect(programResources(evaluation)).toEqual([]);
        expect(evaluation.invokes).toEqual([]);
    });

    test("there are at least 20 distinct cases", () => {
        expect(new Set(BAD.map((c) => `${c.key}|${c.shown}`)).size).toBeGreaterThanOrEqual(20);
    });

    test("errors about secret keys never show their values", async () => {
        const { error } = await evaluateFailure(program, "dev", {
            secrets: { appSecrets: JSON.stringify({ SECRET_KEY: "hunter2-value", "bad name": "other-value" }), namecheapPassword: "plain-pass" },
            plain: ["namecheapPassword"],
        });
        expect(error.message).toContain(`${PROJECT}:appSecrets.SECRET_KEY = (secret, not shown)`);
        expect(error.message).toContain(`${PROJECT}:appSecrets.bad name = (secret, not shown)`);
        expect(error.message).toContain(`${PROJECT}:namecheapPassword = (set in plain text)`);
        for (const v of ["hunter2-value", "other-value", "plain-pass"]) expect(error.message).not.toContain(v);
    });

    test("errors in the monitoring object never show the Slack webhook beside them", async () => {
        for (const plain of [[], ["monitoring.slackWebhook"]]) {
            const { error } = await evaluateFailure(program, "dev", {
                // A whole-object problem (a wrong type) and a leaf problem next to the webhook.
                set: { monitoring: { alertEmails: "ops@acme-test.org", slackChannel: "#ops", nodes: { cpuPercent: 0 } } },
                secrets: { "monitoring.slackWebhook": SECRET_TEXTS.slackWebhook },
                plain,
            });
            expect(error.message).toContain(`${PROJECT}:monitoring.alertEmails = "ops@acme-test.org": expected `);
            expect(error.message).toContain(`${PROJECT}:monitoring.nodes.cpuPercent = 0: expected at least 1`);
            expect(error.message).not.toContain("hooks.slack.com");
        }
    });

    test("every problem is reported at once", async () => {
        const { error } = await evaluateFailure(program, "dev", { set: { nodeCount: 0, region: "mars1", acmeEmail: "x" } });
        for (const key of ["nodeCount", "region", "acmeEmail"]) expect(error.message).toContain(`${PROJECT}:${key} = `);
    });
});

describe("valid configuration through the program", () => {
    test("a Kubernetes minor outside a pinned chart's range, explicitly accepted, evaluates", async () => {
        const e = await evaluate(program, "prod", { set: { kubernetesVersionPrefix: "1.36", acceptUnsupportedKubernetesVersion: "1.36" } });
        expect(e.invokes.find((i) => i.token.endsWith("getKubernetesVersions"))?.args.versionPrefix).toBe("1.36.");
    });

    test("the token may come from DIGITALOCEAN_TOKEN, and stays secret", async () => {
        const e = await evaluate(program, "dev", { withoutToken: true, env: { DIGITALOCEAN_TOKEN: SECRET_TEXTS.doToken } });
        const provider = e.resources.find((r) => r.type === "pulumi:providers:kubernetes");
        const kubeconfigInput = secretInput(provider?.inputs.kubeconfig);
        expect(kubeconfigInput.secret).toBe(true);
        expect(kubeconfigInput.value).toContain(SECRET_TEXTS.doToken);
        const kubeconfig = await resolve(e.outputs.kubeconfig);
        expect(kubeconfig.secret).toBe(true);
    });
});

import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify } from "yaml";
import program from "../index";
import { applyOrder } from "../offline/apply-order";
import type { Registered } from "../offline/types";
import { resolveOutput } from "../offline/outputs";
import { maskSecrets } from "../offline/secrets";
import { objectFile, render, renderReport, RENDER_USAGE } from "../scripts/render";
import { evaluateOffline, SECRET_MASK } from "../scripts/render-stack";
import { evaluateFailure, ROOT, SECRET_TEXTS, validateObjects } from "./harness";
import { COMPLETED_DEV, committedStackFile } from "./stack-file-texts";

const SUFFIX = "«suffix»";

describe.each(["dev", "prod"])("npm run render -- %s", (stack) => {
    let dir: string;
    let files: string[];
    let objects: Map<string, { kind: string; metadata: { name?: string; namespace?: string }; [k: string]: unknown }>;
    beforeAll(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
        files = (await render(stack, dir)).files;
        objects = new Map(files.filter((f) => f.endsWith(".yaml")).map((f) => [f, parseYaml(read(f))]));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const read = (f: string) => fs.readFileSync(path.join(dir, stack, f), "utf8");
    const yamls = () => files.filter((f) => f.endsWith(".yaml"));

    test("every written YAML file validates, unmodified, with the project's schema check", () => {
        expect(yamls().length).toBeGreaterThanOrEqual(30);
        const verdicts = validateObjects(yamls().map((f) => parseYaml(read(f))));
        expect(verdicts.filter((v) => v.error !== null)).toEqual([]);
        const kinds = new Set([...objects.values()].map((o) => o.kind));
        for (const k of ["Namespace", "Secret", "Deployment", "Ingress", "HorizontalPodAutoscaler", "CronJob", "ClusterIssuer", "NetworkPolicy"]) expect(kinds).toContain(k);
    });

    test("every object carries its metadata.name; references to auto-named ones use the same text", () => {
        const names = [...objects.values()].map((o) => o.metadata.name);
        expect(names.every((n) => typeof n === "string" && n.length > 0)).toBe(true);
        const autoNamed = names.filter((n) => n!.endsWith(`-${SUFFIX}`));
        expect(autoNamed).toEqual(expect.arrayContaining(["app-config-«suffix»", "app-secret-«suffix»", "app-migration-secret-«suffix»", "app-static-server-«suffix»"]));
        // Every «suffix» anywhere is the name of an object the render wrote.
        for (const f of yamls()) {
            for (const m of read(f).matchAll(/[a-z0-9-]+-«suffix»/g)) expect(autoNamed).toContain(m[0]);
        }
        const web = [...objects.values()].find((o) => o.kind === "Deployment" && o.metadata.name === "web") as unknown as {
            spec: { template: { spec: { containers: { envFrom: { configMapRef?: { name: string }; secretRef?: { name: string } }[] }[] } } };
        };
        expect(web.spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: "app-config-«suffix»" } }, { secretRef: { name: "app-secret-«suffix»" } }]);
    });

    test("masked Secrets keep their keys, each value masked, and a .dockerconfigjson stays JSON", () => {
        const secrets = [...objects.values()].filter((o) => o.kind === "Secret") as unknown as { metadata: { name: string }; stringData: Record<string, string> }[];
        const app = secrets.find((s) => s.metadata.name === "app-secret-«suffix»")!;
        expect(app.stringData).toEqual({ DATABASE_URL: SECRET_MASK, SECRET_KEY: SECRET_MASK });
        const pull = secrets.find((s) => s.metadata.name === "registry")!;
        expect(JSON.parse(pull.stringData[".dockerconfigjson"])).toEqual({ auths: { "registry.digitalocean.com": { auth: SECRET_MASK } } });
        expect(secrets.find((s) => s.metadata.name === "app-migration-secret-«suffix»")!.stringData).toEqual({ DATABASE_URL: SECRET_MASK });
    });

    test("plan.md shows every input, option and Helm value in full, and how the registry is had", async () => {
        const plan = read("plan.md");
        const { evaluation } = await evaluateOffline(stack);
        const mask = (r: Registered) => maskSecrets(r.inputs, SECRET_MASK);
        for (const r of evaluation.resources.filter((x) => x.custom && x.read === undefined && !(x.type.startsWith("kubernetes:") && !x.type.startsWith("kubernetes:helm.sh/")))) {
            const shown = r.type === "kubernetes:helm.sh/v3:Release" ? (mask(r) as { values: unknown }).values : mask(r);
            expect(plan).toContain(stringify(shown, { lineWidth: 0 }).trimEnd());
        }
        expect(plan).toMatch(/### \d+\. platform-ingress-nginx/);
        expect(plan).toContain("chart `oci://quay.io/jetstack/charts/cert-manager`, namespace `cert-manager`.");
        expect(plan).toContain("chart `ingress-nginx` from https://kubernetes.github.io/ingress-nginx, namespace `ingress-nginx`.");
        expect(plan).toContain("dependsOn: platform-cert-manager");
        expect(plan).toContain(`loadBalancerIp: "«load balancer IP: known after deploy»"`);
        expect(plan).toMatch(/\| \*\*Total\*\* \| +\| +\| \*\*\d+\.\d\d\*\* \|/);
        expect(plan).toContain("example values stand in for what this stack does not set yet");
        if (stack === "dev") {
            expect(plan).toContain("Created by this stack: `example-registry`");
        } else {
            expect(plan).toContain("Read by name, not created: `example-registry`");
            expect(plan).toContain("| 02 | registry-existing | `digitalocean:index/containerRegistry:ContainerRegistry` | `example-registry` | – |");
            expect(plan).toMatch(/database \(`digitalocean:index\/databaseCluster:DatabaseCluster`\)\n\nWaits for: \d+ network\. Options: protect\./);
            expect(plan).toMatch(/cluster-workers \(`digitalocean:index\/kubernetesNodePool:KubernetesNodePool`\)\n\nWaits for: \d+ cluster\. Options: ignoreChanges: nodeCount\./);
        }
    });

    test("an object the program reads waits for what it depends on and for its provider", () => {
        expect(read("plan.md")).toMatch(
            /\| \d+ \| platform-ingress-controller \| `kubernetes:core\/v1:Service` \| `ingress-nginx\/ingress-nginx-controller` \| \d+ cluster-k8s, \d+ platform-ingress-nginx \|/,
        );
    });

    test("numbers follow the apply order: everything a resource waits for has a smaller number", () => {
        const rows = read("plan.md")
            .split("## Container registry")[0]
            .split("\n")
            .filter((l) => /^\| \d+ \|/.test(l))
            .map((l) => l.split(" | "));
        expect(rows.length).toBeGreaterThan(40);
        rows.forEach((cells, i) => {
            const n = Number(cells[0].slice(2));
            expect(n).toBe(i + 1);
            const waits = cells[3] === "–" ? [] : cells[3].split(", ").map(Number);
            for (const w of waits) expect(w).toBeLessThan(n);
        });
        // The files carry the same numbers.
        for (const f of yamls()) expect(read("plan.md")).toContain(`](${f})`);
    });

    test("nothing rendered holds a secret or a mock value from the tests", () => {
        for (const f of files) {
            const text = read(f);
            for (const s of Object.values(SECRET_TEXTS)) expect(text).not.toContain(s);
            expect(text).not.toContain("203.0.113.10");
        }
    });
});

describe("the render refuses what pulumi up refuses", () => {
    let root: string;
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "render-root-"));
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
    const withStackFile = (text: string) => fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), text);
    const committed = () => fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");

    test("a secret in plain text in the stack file, with the program's own message", async () => {
        withStackFile(`${committed()}  django-doks:namecheapPassword: plain-password\n`);
        const rendered = render("dev", path.join(root, "out"), root);
        await expect(rendered).rejects.toThrow("django-doks:namecheapPassword = (set in plain text): expected a secret");
        const { error } = await evaluateFailure(program, "dev", { plain: ["namecheapPassword"] });
        await expect(rendered).rejects.toThrow(error.message);
        expect(fs.existsSync(path.join(root, "out"))).toBe(false);
    });

    test("a secure value stays a secret: the render runs and masks it", async () => {
        withStackFile(`${committed()}  django-doks:namecheapPassword:\n    secure: v1:AAAAAAAAAAAAAAAA:BBBB\n`);
        const { files } = await render("dev", path.join(root, "out"), root);
        expect(files).toContain("plan.md");
        expect(fs.readFileSync(path.join(root, "out", "dev", "plan.md"), "utf8")).not.toContain("namecheapPassword (secret)");
    });

    test.each([
        ["an empty file", "", "Pulumi.dev.yaml:1:1: the file is empty"],
        ["a file of comments only", "# nothing yet\n", "Pulumi.dev.yaml:1:1: the file is empty"],
        ["a syntax error", "config:\n  django-doks:region: fra1\n  django-doks:nodeCount 3\n", "Pulumi.dev.yaml:3:3: "],
        ["config that is not a mapping", "config:\n  - fra1\n", "Pulumi.dev.yaml:2:3: expected \"config:\" to hold a mapping"],
    ])("%s names the file and the line", async (_title, text, message) => {
        withStackFile(text);
        await expect(render("dev", path.join(root, "out"), root)).rejects.toThrow(message);
        expect(fs.existsSync(path.join(root, "out"))).toBe(false);
    });

    test("an unknown stack is refused with the stacks that exist", async () => {
        await expect(render("staging", os.tmpdir())).rejects.toThrow("no stack file Pulumi.staging.yaml");
    });
});

describe("apply order", () => {
    const res = (name: string, o: Partial<Registered> = {}): Registered => ({
        seq: 0,
        type: o.custom === false ? "test:index:Component" : "test:index:Thing",
        name,
        key: `${o.custom === false ? "test:index:Component" : "test:index:Thing"}::${name}`,
        custom: true,
        dependencies: [],
        inputs: {},
        outputs: {},
        opts: {},
        ...o,
    });

    test("a resource registered before what it waits for comes after it", () => {
        const order = applyOrder([res("b", { dependencies: ["test:index:Thing::a"] }), res("a"), res("c")]);
        expect(order.map((r) => r.name)).toEqual(["a", "b", "c"]);
    });

    test("waiting on a component waits for everything in it, not for the component itself", () => {
        const order = applyOrder([
            res("x", { dependencies: ["test:index:Component::comp"] }),
            res("comp", { custom: false }),
            res("inner", { opts: { parent: "comp" }, dependencies: ["test:index:Component::comp", "test:index:Thing::late"] }),
            res("late"),
        ]);
        expect(order.map((r) => r.name)).toEqual(["late", "inner", "x"]);
    });
});

describe("what the render says, and files a reviewer can diff", () => {
    let root: string;
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "render-say-"));
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
    /** Renders a stack file text into its own folder; returns each file's text by path. */
    const renderText = async (text: string, name: string) => {
        const stackRoot = path.join(root, name);
        fs.mkdirSync(stackRoot);
        fs.writeFileSync(path.join(stackRoot, "Pulumi.dev.yaml"), text);
        const rendered = await render("dev", path.join(stackRoot, "out"), stackRoot, {});
        const texts = new Map(rendered.files.map((f) => [f, fs.readFileSync(path.join(stackRoot, "out", "dev", f), "utf8")]));
        return { rendered, texts };
    };
    const changedFiles = (a: Map<string, string>, b: Map<string, string>) =>
        [...new Set([...a.keys(), ...b.keys()])].filter((f) => f.startsWith("kubernetes/") && a.get(f) !== b.get(f)).sort();

    test("an incomplete stack is said first and loudly: the example values and what pulumi up would refuse", async () => {
        const { rendered } = await renderText(committedStackFile("dev"), "committed");
        const report = renderReport("dev", rendered).split("\n");
        expect(report[0]).toBe("NOT READY FOR `pulumi up`: Pulumi.dev.yaml is incomplete, so this render is not what `pulumi up` would do.");
        expect(report[1]).toBe(
            "Example values stand in for: registryName, hostname, acmeEmail, staticContent, monitoring.alertEmails, namecheapPassword (secret), digitalocean:token (secret).",
        );
        expect(report).toContain("`pulumi up` would refuse the stack file as it is:");
        expect(report).toContain("  - django-doks:registryName = (not set): expected a value (required): a string");
        expect(report.at(-2)).toMatch(/^wrote out\/dev\/plan\.md and \d+ Kubernetes objects under out\/dev\/kubernetes\/$/);
        expect(report.at(-1)).toMatch(/^Estimated monthly cost: \$\d+\.\d\d \(USD, DigitalOcean list prices; node prices from the offline price table of \d{4}-\d\d-\d\d/);
    });

    test("a complete stack renders without the warning; with dns.provider none no Namecheap password stands in", async () => {
        const complete = await renderText(COMPLETED_DEV, "complete");
        expect(complete.rendered).toMatchObject({ examples: [], refusal: undefined });
        expect(renderReport("dev", complete.rendered)).not.toContain("NOT READY");
        const none = await renderText(`${committedStackFile("dev")}  django-doks:dns:\n    provider: none\n`, "none");
        expect(none.rendered.examples).not.toContain("namecheapPassword (secret)");
        expect(none.rendered.refusal).not.toContain("namecheapPassword");
        expect(none.texts.get("plan.md")).not.toContain("namecheapPassword");
    });

    test("files are named by namespace, kind and name; a change to one object changes one file, monitoring none", async () => {
        const base = await renderText(COMPLETED_DEV, "base");
        expect([...base.texts.keys()]).toEqual(expect.arrayContaining([
            "kubernetes/_cluster/namespace-ingress-nginx.yaml",
            "kubernetes/_cluster/clusterissuer-letsencrypt-staging.yaml",
            "kubernetes/django/deployment-web.yaml",
            "kubernetes/django/horizontalpodautoscaler-web.yaml",
            "kubernetes/django/configmap-app-config-suffix.yaml",
        ]));
        for (const f of base.rendered.files.filter((x) => x.endsWith(".yaml"))) expect(objectFile(parseYaml(base.texts.get(f)!))).toBe(f);
        const maxReplicas = await renderText(`${COMPLETED_DEV}  django-doks:app:\n    maxReplicas: 5\n`, "max-replicas");
        expect(changedFiles(base.texts, maxReplicas.texts)).toEqual(["kubernetes/django/horizontalpodautoscaler-web.yaml"]);
        const noMonitoring = await renderText(COMPLETED_DEV.replace("    enabled: true\n    alertEmails:\n      - ops@acme-test.org\n", "    enabled: false\n"), "no-monitoring");
        expect(changedFiles(base.texts, noMonitoring.texts)).toEqual([]);
        expect(noMonitoring.texts.get("plan.md")).not.toEqual(base.texts.get("plan.md"));
    });

    test("plan.md opens with the cost: notes on the lines no resource creates, a maximum only with autoscaling", async () => {
        const { texts } = await renderText(COMPLETED_DEV, "cost");
        const plan = texts.get("plan.md")!;
        expect(plan.indexOf("## Estimated monthly cost")).toBeLessThan(plan.indexOf("## Apply order"));
        expect(plan).toMatch(/\| Load balancer node \| 1 \| 12\.00 \| 12\.00 \| not a resource of the plan: DOKS's cloud controller creates it/);
        expect(plan).toMatch(/\| Block storage \(GiB\) \| \d+ \| 0\.10 \| [\d.]+ \| not a resource of the plan: DOKS's CSI driver provisions the volume/);
        expect(plan).not.toContain("autoscaling maximum");
        const autoscaled = await renderText(`${COMPLETED_DEV}  django-doks:nodeAutoscale:\n    minNodes: 3\n    maxNodes: 5\n`, "autoscaled");
        expect(autoscaled.texts.get("plan.md")).toMatch(/\| At the node autoscaling maximum \| +\| +\| \d+\.\d\d \|/);
    });

    test("a node size outside the table still gives a total, naming the unpriced line", async () => {
        const { rendered, texts } = await renderText(COMPLETED_DEV.replace("django-doks:nodeSize: s-2vcpu-4gb", "django-doks:nodeSize: s-2vcpu-4gb-intel"), "intel");
        expect(rendered.cost.unpriced).toEqual([]);
        const unknown = await renderText(COMPLETED_DEV.replace("django-doks:nodeSize: s-2vcpu-4gb", "django-doks:nodeSize: s-3vcpu-6gb"), "unknown");
        expect(unknown.rendered.cost.unpriced.map((u) => u.item)).toEqual(["DOKS node s-3vcpu-6gb (workers)"]);
        expect(renderReport("dev", unknown.rendered)).toMatch(/Estimated monthly cost: \$\d+\.\d\d \(partial\).*Partial: without DOKS node s-3vcpu-6gb \(workers\) x 3 \(no price for node size "s-3vcpu-6gb"/);
        expect(unknown.texts.get("plan.md")).toContain("| **Total (partial)** |");
        expect(texts.get("plan.md")).toContain("| DOKS node s-2vcpu-4gb-intel (workers) | 3 | 28.00 | 84.00 |");
    });

    test("with the Gateway: its objects rendered and valid, the plan and the cost say so", async () => {
        const { rendered, texts } = await renderText(`${COMPLETED_DEV}  django-doks:ingress:\n    controller: gateway\n`, "gateway");
        const files = [...texts.keys()];
        expect(files).toEqual(expect.arrayContaining([
            "kubernetes/gateway/gateway-web.yaml",
            "kubernetes/django/httproute-web-app-acme-test-org.yaml",
            "kubernetes/django/httproute-https-redirect.yaml",
            "kubernetes/django/referencegrant-gateway-tls.yaml",
            "kubernetes/django/certificate-web-gateway.yaml",
            "kubernetes/django/ciliumnetworkpolicy-web-from-gateway.yaml",
        ]));
        expect(files.filter((f) => f.includes("ingress"))).toEqual([]);
        const yamlFiles = files.filter((f) => f.endsWith(".yaml"));
        expect(validateObjects(yamlFiles.map((f) => parseYaml(texts.get(f)!))).filter((v) => v.error !== null)).toEqual([]);
        const plan = texts.get("plan.md")!;
        expect(plan).toContain("`kubernetes:gateway.networking.k8s.io/v1:Gateway`");
        expect(plan).not.toContain("chart `ingress-nginx`");
        expect(rendered.cost.lines.find((l) => l.item === "Load balancer node")).toMatchObject({ quantity: 1, note: expect.stringContaining("for the Gateway") });
    });

    test("--help prints the usage", () => {
        const r = spawnSync("node", ["-r", "ts-node/register/transpile-only", "scripts/render.ts", "--help"], { cwd: ROOT, encoding: "utf8" });
        expect(r.status).toBe(0);
        expect(r.stdout.trim()).toBe(RENDER_USAGE);
    });
});


describe("the README's cost figures", () => {
    test("are what the program computes for the committed stack files", async () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const estimates: Record<string, { totalUsd: number; maxUsd?: number }> = {};
        for (const stack of ["dev", "prod"]) {
            const { evaluation } = await evaluateOffline(stack);
            const cost = (await resolveOutput(evaluation.outputs.estimatedMonthlyCostUsd)).value as { totalUsd: number; maxUsd?: number };
            estimates[stack] = cost;
            const row = `| \`${stack}\` | $${cost.totalUsd.toFixed(2)}${cost.maxUsd === undefined ? "" : `, up to $${cost.maxUsd.toFixed(2)} with the worker pool at its autoscaling maximum`} |`;
            expect(readme).toContain(row);
        }
        expect(readme).toContain(`| both | $${(estimates.dev.totalUsd + estimates.prod.totalUsd).toFixed(2)} |`);
        // On the README's first screen: before the Contents.
        expect(readme.indexOf("**What it costs**")).toBeLessThan(readme.indexOf("## Contents"));
    });
});

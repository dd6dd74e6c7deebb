/**
 * npm run render -- <stack>
 * Evaluates the program offline (no credentials, no network) and writes out/<stack>/: every
 * Kubernetes object as YAML and plan.md (DigitalOcean resources, Helm releases, outputs, cost).
 * Values only the cloud knows are shown as «placeholders».
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml, stringify } from "yaml";
import { Evaluation, Json, Registered, resolveOutput, runOffline, unwrapSecrets } from "../lib/offline";
import program from "../index";

export const ROOT = path.resolve(__dirname, "..");
const PROJECT = "django-doks";
export const SECRET_MASK = "«secret»";
const known = (what: string) => `«${what}: known after deploy»`;

/** Example values for what a newcomer has not set yet (reported in plan.md). */
export const EXAMPLE_VALUES: Record<string, string> = {
    registryName: "example-registry",
    hostname: "app.example.org",
    acmeEmail: "ops@example.org",
    staticContent: JSON.stringify({ repository: "https://github.com/example/django-doks.git", path: "app/static-site" }),
};
const SECRET_KEYS = ["namecheapPassword", "digitalocean:token"];

function stackConfig(stack: string): { config: Record<string, string>; examples: string[] } {
    const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`no stack file Pulumi.${stack}.yaml (stacks: dev, prod)`);
    const raw = (parseYaml(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> }).config ?? {};
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) {
        const encrypted = v !== null && typeof v === "object" && "secure" in (v as object);
        if (encrypted) continue;
        config[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    const examples: string[] = [];
    for (const [k, v] of Object.entries(EXAMPLE_VALUES)) {
        const key = `${PROJECT}:${k}`;
        if (config[key] === undefined) {
            config[key] = v;
            examples.push(k);
        } else if (k === "staticContent" && !JSON.parse(config[key]).repository) {
            config[key] = JSON.stringify({ ...JSON.parse(v), ...JSON.parse(config[key]) });
            examples.push("staticContent.repository");
        }
    }
    for (const k of SECRET_KEYS) config[k.includes(":") ? k : `${PROJECT}:${k}`] = SECRET_MASK;
    return { config, examples };
}

function cloudState(type: string, name: string, inputs: Record<string, Json>, read?: string): Record<string, Json> {
    if (read !== undefined && type === "kubernetes:core/v1:Service") {
        // The ingress controller's Service, read after the release: its status names the load balancer.
        return { metadata: { name: read.split("/")[1], namespace: read.split("/")[0] }, status: { loadBalancer: { ingress: [{ ip: known("load balancer IP") }] } } };
    }
    switch (type) {
        case "digitalocean:index/vpc:Vpc":
            return { ipRange: known("VPC IP range"), ...inputs };
        case "digitalocean:index/kubernetesCluster:KubernetesCluster":
            return {
                ...inputs,
                endpoint: known("cluster endpoint"),
                kubeConfigs: [{ host: known("cluster endpoint"), clusterCaCertificate: known("cluster CA"), token: SECRET_MASK, rawConfig: SECRET_MASK }],
            };
        case "digitalocean:index/databaseCluster:DatabaseCluster":
            return { ...inputs, host: known("database host"), privateHost: known("database private host"), port: 25060, user: "doadmin", password: SECRET_MASK };
        case "digitalocean:index/databaseUser:DatabaseUser":
            return { ...inputs, password: SECRET_MASK };
        case "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool":
            return { ...inputs, privateHost: known("pool private host"), port: 25061, password: SECRET_MASK };
        case "digitalocean:index/containerRegistry:ContainerRegistry":
            return { ...inputs, endpoint: `registry.digitalocean.com/${inputs.name}`, serverUrl: "registry.digitalocean.com" };
        case "digitalocean:index/containerRegistryDockerCredentials:ContainerRegistryDockerCredentials":
            return { ...inputs, dockerCredentials: JSON.stringify({ auths: { "registry.digitalocean.com": { auth: Buffer.from("user:secret").toString("base64") } } }) };
        case "kubernetes:helm.sh/v3:Release":
            return { ...inputs, status: { name: inputs.name, namespace: inputs.namespace, status: "deployed" } };
        case "docker-build:index:Image":
            return { ...inputs, digest: known("image digest") };
        case "random:index/randomPassword:RandomPassword":
            return { ...inputs, result: SECRET_MASK };
        default:
            if (type.startsWith("kubernetes:") && inputs.metadata && !inputs.metadata.name) {
                return { ...inputs, metadata: { ...inputs.metadata, name: `${name}-«suffix»` } };
            }
            return inputs;
    }
}

function cloudInvoke(token: string, args: Record<string, Json>): Record<string, Json> {
    switch (token) {
        case "digitalocean:index/getKubernetesVersions:getKubernetesVersions":
            return { latestVersion: `${args.versionPrefix}«newest patch»`, validVersions: [], versionPrefix: args.versionPrefix };
        case "digitalocean:index/getLoadBalancer:getLoadBalancer":
            return { name: args.name, ip: known("load balancer IP") };
        case "digitalocean:index/getContainerRegistry:getContainerRegistry":
            return { name: args.name, endpoint: `registry.digitalocean.com/${args.name}`, serverUrl: "registry.digitalocean.com" };
        default:
            return args;
    }
}

export async function evaluateOffline(stack: string): Promise<{ evaluation: Evaluation; examples: string[] }> {
    const { config, examples } = stackConfig(stack);
    const { evaluation, error } = await runOffline(program, {
        project: PROJECT,
        stack,
        config,
        secretKeys: Object.keys(config).filter((k) => SECRET_KEYS.some((s) => k.endsWith(s))),
        env: { DIGITALOCEAN_TOKEN: undefined, DIGITALOCEAN_ACCESS_TOKEN: undefined },
        state: cloudState,
        invoke: cloudInvoke,
        id: (_type, name) => `«${name} id»`,
    });
    if (error !== undefined) throw error;
    return { evaluation, examples };
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, "-").toLowerCase();
const masked = (r: Registered) => unwrapSecrets<Record<string, Json>>(r.inputs, SECRET_MASK);

function table(rows: string[][]): string {
    const [head, ...body] = rows;
    return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...body.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/** Writes out/<stack>/ and returns the files written, relative to it. */
export async function render(stack: string, outRoot = path.join(ROOT, "out")): Promise<string[]> {
    const { evaluation, examples } = await evaluateOffline(stack);
    const dir = path.join(outRoot, stack);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, "kubernetes"), { recursive: true });
    const written: string[] = [];

    const resources = evaluation.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
    const k8sObjects = resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/") && r.read === undefined);
    k8sObjects.forEach((r, i) => {
        const o = masked(r);
        const file = path.join("kubernetes", `${String(i + 1).padStart(2, "0")}-${slug(o.kind)}-${slug(o.metadata?.name ?? r.name)}.yaml`);
        fs.writeFileSync(path.join(dir, file), stringify(o));
        written.push(file);
    });

    const outputs: Record<string, unknown> = {};
    for (const [k, o] of Object.entries(evaluation.outputs)) {
        const { value, secret } = await resolveOutput(o);
        outputs[k] = secret ? SECRET_MASK : value;
    }
    const cost = outputs.estimatedMonthlyCostUsd as { totalUsd?: number; maxUsd?: number; lines?: { item: string; quantity: number; unitUsd: number; usd: number }[]; unavailable?: string };
    const cloud = resources.filter((r) => !r.type.startsWith("kubernetes:") || r.type.startsWith("kubernetes:helm.sh/"));
    const releases = resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    const others = cloud.filter(
        (r) => !releases.includes(r) && !r.type.startsWith("pulumi:providers:") && !r.type.startsWith(`${PROJECT}:`),
    );

    const plan = [
        `# Plan for stack \`${stack}\` (offline render)`,
        "",
        "Rendered by `npm run render` under Pulumi's mocks: no credentials, no cloud. Values shown as",
        "«…: known after deploy» come from the cloud; «secret» marks a secret; «suffix» a generated name suffix.",
        examples.length ? `\nExample values stand in for what this stack does not set yet: ${examples.map((e) => `\`${e}\``).join(", ")}.` : "",
        "",
        "## DigitalOcean and other resources",
        "",
        table([
            ["Type", "Name", "Inputs"],
            ...others.map((r) => [`\`${r.type}\``, r.name, `\`${JSON.stringify(masked(r)).replace(/\|/g, "\\|").slice(0, 300)}\``]),
        ]),
        "",
        "## Helm releases",
        "",
        ...releases.flatMap((r) => {
            const v = masked(r);
            return [`### ${v.name} ${v.version}`, "", `Chart \`${v.chart}\`${v.repositoryOpts?.repo ? ` from ${v.repositoryOpts.repo}` : ""}, namespace \`${v.namespace}\`.`, "", "```yaml", stringify(v.values ?? {}).trimEnd(), "```", ""];
        }),
        "## Kubernetes objects",
        "",
        `${k8sObjects.length} objects, one file each under \`kubernetes/\`.`,
        "",
        "## Outputs",
        "",
        "```yaml",
        stringify(outputs).trimEnd(),
        "```",
        "",
        "## Estimated monthly cost (USD, DigitalOcean list prices)",
        "",
        cost?.lines
            ? table([["Item", "Quantity", "Unit", "USD"], ...cost.lines.map((l) => [l.item, String(l.quantity), l.unitUsd.toFixed(2), l.usd.toFixed(2)]), ["**Total**", "", "", `**${cost.totalUsd?.toFixed(2)}**`], ["At the node autoscaling maximum", "", "", (cost.maxUsd ?? 0).toFixed(2)]])
            : `Unavailable: ${cost?.unavailable}`,
        "",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "plan.md"), plan);
    written.push("plan.md");
    return written;
}

if (require.main === module) {
    const stack = process.argv[2];
    if (!stack) {
        console.error("usage: npm run render -- <stack>   (dev or prod)");
        process.exit(2);
    }
    render(stack).then(
        (files) => console.log(`wrote ${files.length} files to out/${stack}/ (plan.md and kubernetes/*.yaml)`),
        (e: Error) => {
            console.error(e.message);
            process.exit(1);
        },
    );
}

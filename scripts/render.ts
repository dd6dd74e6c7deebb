/**
 * npm run render -- <stack>
 * Evaluates the program offline (no credentials, no network) and writes out/<stack>/: every
 * Kubernetes object as YAML and plan.md (DigitalOcean resources, Helm releases, outputs, cost).
 * Values only the cloud knows are shown as «placeholders».
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { applyOrder, BROKEN_REGISTRY_LOOKUP, Evaluation, Json, maskSecrets, Registered, resolveOutput, runOffline } from "../lib/offline";
import { readStackFile } from "../lib/stack-file";
import program from "../index";

export const ROOT = path.resolve(__dirname, "..");
const PROJECT = "django-doks";
export const SECRET_MASK = "«secret»";
const known = (what: string) => `«${what}: known after deploy»`;
/** The name the Kubernetes provider gives an object without metadata.name: <resource name>-<random suffix>. */
export const autoName = (resourceName: string) => `${resourceName}-«suffix»`;

/** Example values for what a newcomer has not set yet (reported in plan.md). */
export const EXAMPLE_VALUES: Record<string, string> = {
    registryName: "example-registry",
    hostname: "app.example.org",
    // Let's Encrypt refuses contacts @example.org, so the stack refuses it too.
    acmeEmail: "ops@your-domain.org",
    staticContent: JSON.stringify({ repository: "https://github.com/example/django-doks.git", path: "app/static-site" }),
    monitoring: JSON.stringify({ alertEmails: ["ops@your-domain.org"] }),
};
/** Secrets a newcomer has not set yet stand in as masked secrets, as if set with --secret. */
const STAND_IN_SECRETS = [`${PROJECT}:namecheapPassword`, "digitalocean:token"];

/**
 * The stack file as `pulumi up` hands it to the program: secure values stay secrets (masked, as
 * the render cannot decrypt them) and anything else stays plain, so a secret key stored in plain
 * text is refused by the program with the same message as under `pulumi up`.
 */
function stackConfig(stack: string, root: string): { config: Record<string, string>; secretKeys: string[]; examples: string[] } {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`no stack file Pulumi.${stack}.yaml (stacks: dev, prod)`);
    const { values, secure } = readStackFile(file, SECRET_MASK, `https://${SECRET_MASK}`);
    const config: Record<string, string> = { ...values };
    const secretKeys = [...secure];
    const examples: string[] = [];
    for (const [k, v] of Object.entries(EXAMPLE_VALUES)) {
        const key = `${PROJECT}:${k}`;
        if (config[key] === undefined) {
            config[key] = v;
            examples.push(k);
        } else if (k === "staticContent" && !JSON.parse(config[key]).repository) {
            config[key] = JSON.stringify({ ...JSON.parse(v), ...JSON.parse(config[key]) });
            examples.push("staticContent.repository");
        } else if (k === "monitoring" && JSON.parse(config[key]).enabled !== false && !JSON.parse(config[key]).alertEmails) {
            config[key] = JSON.stringify({ ...JSON.parse(v), ...JSON.parse(config[key]) });
            examples.push("monitoring.alertEmails");
        }
    }
    for (const key of STAND_IN_SECRETS.filter((k) => config[k] === undefined)) {
        config[key] = SECRET_MASK;
        secretKeys.push(key);
        examples.push(`${key.replace(`${PROJECT}:`, "")} (secret)`);
    }
    return { config, secretKeys, examples };
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
                return { ...inputs, metadata: { ...inputs.metadata, name: autoName(name) } };
            }
            return inputs;
    }
}

function cloudInvoke(token: string, args: Record<string, Json>): Record<string, Json> {
    switch (token) {
        case "digitalocean:index/getKubernetesVersions:getKubernetesVersions":
            return { latestVersion: `${args.versionPrefix}«newest patch»`, validVersions: [], versionPrefix: args.versionPrefix };
        case "digitalocean:index/getLoadBalancer:getLoadBalancer":
            return { id: known("load balancer id"), name: args.name, ip: known("load balancer IP") };
        case "digitalocean:index/getContainerRegistry:getContainerRegistry":
        case "digitalocean:index/getContainerRegistries:getContainerRegistries":
            return BROKEN_REGISTRY_LOOKUP;
        default:
            return args;
    }
}

/** Runs the program offline on the stack file Pulumi.<stack>.yaml in `root`. */
export async function evaluateOffline(stack: string, root = ROOT): Promise<{ evaluation: Evaluation; examples: string[] }> {
    const { config, secretKeys, examples } = stackConfig(stack, root);
    const { evaluation, error } = await runOffline(program, {
        project: PROJECT,
        stack,
        config,
        secretKeys,
        env: { DIGITALOCEAN_TOKEN: undefined, DIGITALOCEAN_ACCESS_TOKEN: undefined },
        state: cloudState,
        invoke: cloudInvoke,
        id: (_type, name) => `«${name} id»`,
    });
    if (error !== undefined) throw error;
    return { evaluation, examples };
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, "-").replace(/-{2,}/g, "-").replace(/^-+|-+$/g, "").toLowerCase();
const masked = (r: Registered) => maskSecrets<Record<string, Json>>(r.inputs, SECRET_MASK);
const isKubernetesObject = (r: Registered) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/") && r.read === undefined;
const cell = (s: string) => s.replace(/\|/g, "\\|");

/** A Kubernetes object as `pulumi up` applies it: secrets masked, auto-named objects with their name. */
export function renderedObject(r: Registered): Json {
    const o = masked(r);
    if (o.metadata && !o.metadata.name) o.metadata = { name: autoName(r.name), ...o.metadata };
    return o;
}

function table(rows: string[][]): string {
    const [head, ...body] = rows;
    return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...body.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/** protect, ignoreChanges, dependsOn and timeouts, as set on the resource. */
function optionsOf(r: Registered): string[] {
    const o = r.opts;
    return [
        o.protect ? "protect" : "",
        o.ignoreChanges?.length ? `ignoreChanges: ${o.ignoreChanges.join(", ")}` : "",
        o.dependsOn?.length ? `dependsOn: ${o.dependsOn.join(", ")}` : "",
        o.customTimeouts ? `customTimeouts: ${Object.entries(o.customTimeouts).map(([k, v]) => `${k} ${v}`).join(", ")}` : "",
    ].filter((x) => x !== "");
}

const yamlBlock = (v: unknown) => ["```yaml", stringify(v, { lineWidth: 0 }).trimEnd(), "```"];

/** Writes out/<stack>/ and returns the files written, relative to it. */
export async function render(stack: string, outRoot = path.join(ROOT, "out"), root = ROOT): Promise<string[]> {
    const { evaluation, examples } = await evaluateOffline(stack, root);
    const dir = path.join(outRoot, stack);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, "kubernetes"), { recursive: true });
    const written: string[] = [];

    const order = applyOrder(evaluation.resources);
    const width = String(order.length).length < 2 ? 2 : String(order.length).length;
    const number = new Map(order.map((r, i) => [r.key, String(i + 1).padStart(width, "0")]));
    /** What a resource waits for, by apply number (components are not numbered: the plan lists their resources). */
    const waitsFor = (r: Registered) => r.dependencies.filter((k) => number.has(k)).sort((a, b) => Number(number.get(a)) - Number(number.get(b)));
    const label = (key: string) => {
        const r = evaluation.resources.find((x) => x.key === key);
        return r && number.has(key) ? `${number.get(key)} ${r.name}` : (r?.name ?? key);
    };

    const files = new Map<string, string>();
    for (const r of order.filter(isKubernetesObject)) {
        const o = renderedObject(r);
        const file = path.join("kubernetes", `${number.get(r.key)}-${slug(o.kind)}-${slug(o.metadata?.name ?? r.name)}.yaml`);
        fs.writeFileSync(path.join(dir, file), stringify(o, { lineWidth: 0 }));
        files.set(r.key, file);
        written.push(file);
    }

    const outputs: Record<string, unknown> = {};
    for (const [k, o] of Object.entries(evaluation.outputs)) {
        const { value, secret } = await resolveOutput(o);
        outputs[k] = secret ? SECRET_MASK : value;
    }
    const cost = outputs.estimatedMonthlyCostUsd as { totalUsd?: number; maxUsd?: number; lines?: { item: string; quantity: number; unitUsd: number; usd: number }[]; unavailable?: string };
    const releases = order.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    const reads = order.filter((r) => r.read !== undefined);
    const others = order.filter((r) => !isKubernetesObject(r) && !releases.includes(r) && !reads.includes(r));
    const registry = evaluation.resources.find((r) => r.type === "digitalocean:index/containerRegistry:ContainerRegistry");
    const pullCredentials = evaluation.resources.find(
        (r) => r.type === "digitalocean:index/containerRegistryDockerCredentials:ContainerRegistryDockerCredentials" && r.inputs.write === false,
    );
    const heading = (r: Registered) => `### ${number.get(r.key)}. ${r.name} (\`${r.type}\`)`;
    const details = (r: Registered) => {
        const waits = waitsFor(r).map(label);
        const opts = optionsOf(r);
        return [
            `Waits for: ${waits.length ? waits.join(", ") : "nothing"}.${opts.length ? ` Options: ${opts.join("; ")}.` : ""}`,
            "",
        ];
    };

    const plan = [
        `# Plan for stack \`${stack}\` (offline render)`,
        "",
        "Rendered by `npm run render` under Pulumi's mocks: no credentials, no cloud. Values shown as",
        "«…: known after deploy» come from the cloud; «secret» marks a secret; «suffix» a generated name suffix.",
        "Nothing below is shortened.",
        examples.length ? `\nExample values stand in for what this stack does not set yet: ${examples.map((e) => `\`${e}\``).join(", ")}.` : "",
        "",
        "## Apply order",
        "",
        "What `pulumi up` creates, numbered so that each resource comes after everything it waits for: its",
        "`dependsOn`, its provider, and the resources whose outputs it takes as inputs. Kubernetes files carry the same number.",
        "",
        table([
            ["#", "Name", "Type", "Waits for", "Options"],
            ...order.map((r) => [
                number.get(r.key) ?? "",
                files.has(r.key) ? `[${r.name}](${files.get(r.key)})` : r.name,
                `\`${r.type}\``,
                waitsFor(r).map((k) => number.get(k)).join(", ") || "–",
                cell(optionsOf(r).join("; ") || "–"),
            ]),
        ]),
        "",
        "## Container registry",
        "",
        registry
            ? `Created by this stack: \`${registry.inputs.name}\` (\`registryMode: create\`); \`pulumi destroy\` deletes it, images included.`
            : `Referenced by name, not created: \`${pullCredentials?.inputs.registryName}\` (\`registryMode: existing\`); another stack owns it. This stack creates only its pull credentials, which fail at \`pulumi up\` if no registry has that name.`,
        "",
        "## Looked up (data sources, not created)",
        "",
        table([["Data source", "Arguments"], ...evaluation.invokes.map((i) => [`\`${i.token}\``, `\`${cell(JSON.stringify(i.args))}\``])]),
        "",
        ...(reads.length
            ? [
                  "Existing objects read (`.get`), in apply order:",
                  "",
                  table([["#", "Name", "Type", "Id", "Waits for"], ...reads.map((r) => [number.get(r.key) ?? "", r.name, `\`${r.type}\``, `\`${r.read}\``, cell(waitsFor(r).map(label).join(", ") || "–")])]),
                  "",
              ]
            : []),
        "## DigitalOcean and other resources",
        "",
        ...others.flatMap((r) => [heading(r), "", ...details(r), ...yamlBlock(masked(r)), ""]),
        "",
        "## Helm releases",
        "",
        ...releases.flatMap((r) => {
            const v = masked(r);
            return [
                heading(r),
                "",
                `\`${v.name}\` ${v.version}: chart \`${v.chart}\`${v.repositoryOpts?.repo ? ` from ${v.repositoryOpts.repo}` : ""}, namespace \`${v.namespace}\`.`,
                ...details(r),
                "Values:",
                "",
                ...yamlBlock(v.values ?? {}),
                "",
            ];
        }),
        "## Kubernetes objects",
        "",
        `${files.size} objects, one file each under \`kubernetes/\`, named \`<number>-<kind>-<name>.yaml\` in apply order.`,
        "",
        table([
            ["#", "Object", "Waits for", "Options"],
            ...order.filter(isKubernetesObject).map((r) => [
                number.get(r.key) ?? "",
                `[${path.basename(files.get(r.key) ?? "")}](${files.get(r.key)})`,
                cell(waitsFor(r).map(label).join(", ") || "–"),
                cell(optionsOf(r).join("; ") || "–"),
            ]),
        ]),
        "",
        "## Outputs",
        "",
        ...yamlBlock(outputs),
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

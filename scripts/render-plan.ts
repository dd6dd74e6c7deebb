import { stringify } from "yaml";
import type { CostEstimate } from "../components/cost";
import type { Evaluation, Json, Registered } from "../offline/types";
import { maskSecrets } from "../offline/secrets";
import { SECRET_MASK } from "./render-stack";

// plan.md of `npm run render`: the apply order, every resource's inputs and options, the Helm
// values, the outputs and the cost.

/** What plan.md is made of. */
export interface PlanArgs {
    stack: string;
    evaluation: Evaluation;
    /** Keys the render filled with example values. */
    examples: string[];
    /** Custom resources in apply order (offline/apply-order.ts). */
    order: Registered[];
    /** Each Kubernetes object's file, relative to the stack's folder, by resource key. */
    files: Map<string, string>;
    /** The stack's outputs, secrets masked. */
    outputs: Record<string, unknown>;
}

/** A resource's inputs with every secret masked. */
export const masked = (r: Registered) => maskSecrets<Record<string, Json>>(r.inputs, SECRET_MASK);
/** Whether a resource is a Kubernetes object the program creates (not a Helm release, not a read). */
export const isKubernetesObject = (r: Registered) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/") && r.read === undefined;
const cell = (s: string) => s.replace(/\|/g, "\\|");

/** Apply numbers by resource key, zero-padded to a common width (at least 2). */
export function applyNumbers(order: Registered[]): Map<string, string> {
    const width = String(order.length).length < 2 ? 2 : String(order.length).length;
    return new Map(order.map((r, i) => [r.key, String(i + 1).padStart(width, "0")]));
}

function table(rows: string[][]): string {
    const [head, ...body] = rows;
    return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...body.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/** protect, ignoreChanges, deleteBeforeReplace, dependsOn and timeouts, as set on the resource. */
function optionsOf(r: Registered): string[] {
    const o = r.opts;
    return [
        o.protect ? "protect" : "",
        o.ignoreChanges?.length ? `ignoreChanges: ${o.ignoreChanges.join(", ")}` : "",
        o.deleteBeforeReplace ? "deleteBeforeReplace" : "",
        o.dependsOn?.length ? `dependsOn: ${o.dependsOn.join(", ")}` : "",
        o.customTimeouts ? `customTimeouts: ${Object.entries(o.customTimeouts).map(([k, v]) => `${k} ${v}`).join(", ")}` : "",
    ].filter((x) => x !== "");
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** The estimate in one sentence, for the console and the top of plan.md. */
export function costSentence(cost: CostEstimate): string {
    const max = cost.maxUsd === undefined ? "" : `, up to ${usd(cost.maxUsd)} with the worker pool at its autoscaling maximum`;
    const partial = cost.unpriced.length
        ? ` Partial: without ${cost.unpriced.map((u) => `${u.item} x ${u.quantity} (${u.reason})`).join("; ")}.`
        : "";
    return `Estimated monthly cost: ${usd(cost.totalUsd)}${cost.unpriced.length ? " (partial)" : ""}${max} (USD, DigitalOcean list prices; node prices from ${cost.nodePrices}).${partial}`;
}

/** The estimate's table: every line, the unpriced ones, the total and (with autoscaling) the maximum. */
export function costTable(cost: CostEstimate): string {
    return table([
        ["Item", "Quantity", "Unit", "USD", "Note"],
        ...cost.lines.map((l) => [l.item, String(l.quantity), l.unitUsd.toFixed(2), l.usd.toFixed(2), cell(l.note ?? "")]),
        ...cost.unpriced.map((u) => [u.item, String(u.quantity), "–", "**not priced**", cell(u.reason)]),
        [cost.unpriced.length ? "**Total (partial)**" : "**Total**", "", "", `**${cost.totalUsd.toFixed(2)}**`, ""],
        ...(cost.maxUsd === undefined ? [] : [["At the node autoscaling maximum", "", "", cost.maxUsd.toFixed(2), ""]]),
    ]);
}

const yamlBlock = (v: unknown) => ["```yaml", stringify(v, { lineWidth: 0 }).trimEnd(), "```"];

/** The text of plan.md. */
export function planMarkdown({ stack, evaluation, examples, order, files, outputs }: PlanArgs): string {
    const number = applyNumbers(order);
    /** What a resource waits for, by apply number (components are not numbered: the plan lists their resources). */
    const waitsFor = (r: Registered) => r.dependencies.filter((k) => number.has(k)).sort((a, b) => Number(number.get(a)) - Number(number.get(b)));
    const label = (key: string) => {
        const r = evaluation.resources.find((x) => x.key === key);
        return r && number.has(key) ? `${number.get(key)} ${r.name}` : (r?.name ?? key);
    };
    const cost = outputs.estimatedMonthlyCostUsd as CostEstimate;
    const releases = order.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    const reads = order.filter((r) => r.read !== undefined);
    const others = order.filter((r) => !isKubernetesObject(r) && !releases.includes(r) && !reads.includes(r));
    const registry = evaluation.resources.find((r) => r.type === "digitalocean:index/containerRegistry:ContainerRegistry" && r.read === undefined);
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

    return [
        `# Plan for stack \`${stack}\` (offline render)`,
        "",
        "Rendered by `npm run render` under Pulumi's mocks: no credentials, no cloud. Values shown as",
        "«…: known after deploy» come from the cloud; «secret» marks a secret; «suffix» a generated name suffix.",
        "Nothing below is shortened.",
        examples.length
            ? `\n**Not ready for \`pulumi up\`:** example values stand in for what this stack does not set yet: ${examples.map((e) => `\`${e}\``).join(", ")}. \`npm run check -- ${stack}\` lists what \`pulumi up\` would refuse.`
            : "",
        "",
        "## Estimated monthly cost",
        "",
        costSentence(cost),
        "",
        costTable(cost),
        "",
        "## Apply order",
        "",
        "What `pulumi up` creates, numbered so that each resource comes after everything it waits for: its",
        "`dependsOn`, its provider, and the resources whose outputs it takes as inputs. Kubernetes objects link to their files.",
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
            : `Read by name, not created: \`${pullCredentials?.inputs.registryName}\` (\`registryMode: existing\`); another stack owns it. This stack creates only its pull credentials; \`pulumi preview\` fails with "resource '${pullCredentials?.inputs.registryName}' does not exist" if no registry has that name.`,
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
        `${files.size} objects, one file each, named by what the object is: \`kubernetes/<namespace>/<kind>-<name>.yaml\`, and \`kubernetes/_cluster/<kind>-<name>.yaml\` for cluster-wide kinds. A config change rewrites only the files of the objects it changes. Listed in apply order:`,
        "",
        table([
            ["#", "Object", "Waits for", "Options"],
            ...order.filter(isKubernetesObject).map((r) => [
                number.get(r.key) ?? "",
                `[${(files.get(r.key) ?? "").replace(/^kubernetes\//, "")}](${files.get(r.key)})`,
                cell(waitsFor(r).map(label).join(", ") || "–"),
                cell(optionsOf(r).join("; ") || "–"),
            ]),
        ]),
        "",
        "## Outputs",
        "",
        ...yamlBlock(outputs),
        "",
    ].join("\n");
}

/**
 * npm run render -- <stack>
 * Evaluates the program offline (no credentials, no network) and writes out/<stack>/: the
 * Kubernetes objects the program creates (not the Helm charts' own objects), one YAML file each,
 * and plan.md (cost, apply order, DigitalOcean resources, Helm releases and their values,
 * outputs). Values only the cloud knows are shown as «placeholders». An incomplete stack is
 * rendered with example values, and said so first.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import type { CostEstimate } from "../components/cost";
import { applyOrder } from "../offline/apply-order";
import type { Json, Registered } from "../offline/types";
import { resolveOutput } from "../offline/outputs";
import { checkStack } from "./check";
import { costSentence, isKubernetesObject, masked, planMarkdown } from "./render-plan";
import { autoName, evaluateOffline, ROOT, SECRET_MASK } from "./render-stack";

const slug = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, "-").replace(/-{2,}/g, "-").replace(/^-+|-+$/g, "").toLowerCase();

/** A Kubernetes object as `pulumi up` applies it: secrets masked, auto-named objects with their name. */
export function renderedObject(r: Registered): Json {
    const o = masked(r);
    if (o.metadata && !o.metadata.name) o.metadata = { name: autoName(r.name), ...o.metadata };
    return o;
}

/** Where an object's YAML goes: by namespace (or _cluster, which no namespace can be named), kind and name. */
export function objectFile(o: Json): string {
    const folder = o.metadata?.namespace ? slug(o.metadata.namespace) : "_cluster";
    return path.join("kubernetes", folder, `${slug(o.kind)}-${slug(o.metadata?.name ?? "")}.yaml`);
}

export interface Rendered {
    /** The files written, relative to out/<stack>/. */
    files: string[];
    /** Keys example values stand in for (empty when the stack is complete). */
    examples: string[];
    /** Why `pulumi up` would refuse the stack file as it is, or undefined when it would pass. */
    refusal?: string;
    cost: CostEstimate;
}

/** Writes out/<stack>/ and says what it wrote, what stood in, and what it costs. */
export async function render(stack: string, outRoot = path.join(ROOT, "out"), root = ROOT, env: NodeJS.ProcessEnv = process.env): Promise<Rendered> {
    const check = checkStack(stack, root, env);
    const { evaluation, examples } = await evaluateOffline(stack, root);
    const dir = path.join(outRoot, stack);
    fs.rmSync(dir, { recursive: true, force: true });
    const written: string[] = [];

    const order = applyOrder(evaluation.resources);
    const files = new Map<string, string>();
    const owners = new Map<string, string>();
    for (const r of order.filter(isKubernetesObject)) {
        const o = renderedObject(r);
        const file = objectFile(o);
        if (owners.has(file)) throw new Error(`${owners.get(file)} and ${r.name} would both be written to ${file}`);
        owners.set(file, r.name);
        fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), stringify(o, { lineWidth: 0 }));
        files.set(r.key, file);
        written.push(file);
    }

    const outputs: Record<string, unknown> = {};
    for (const [k, o] of Object.entries(evaluation.outputs)) {
        const { value, secret } = await resolveOutput(o);
        outputs[k] = secret ? SECRET_MASK : value;
    }
    fs.writeFileSync(path.join(dir, "plan.md"), planMarkdown({ stack, evaluation, examples, order, files, outputs }));
    written.push("plan.md");
    return { files: written, examples, refusal: check.ready ? undefined : check.report, cost: outputs.estimatedMonthlyCostUsd as CostEstimate };
}

/** What the console shows after a render: an incomplete stack first and loudly, then the files and the cost. */
export function renderReport(stack: string, r: Rendered): string {
    const lines: string[] = [];
    if (r.examples.length || r.refusal) {
        lines.push(
            `NOT READY FOR \`pulumi up\`: Pulumi.${stack}.yaml is incomplete, so this render is not what \`pulumi up\` would do.`,
            ...(r.examples.length ? [`Example values stand in for: ${r.examples.join(", ")}.`] : []),
            ...(r.refusal ? ["`pulumi up` would refuse the stack file as it is:", ...r.refusal.split("\n").slice(1)] : []),
            "",
        );
    }
    const objects = r.files.filter((f) => f.endsWith(".yaml")).length;
    lines.push(`wrote out/${stack}/plan.md and ${objects} Kubernetes objects under out/${stack}/kubernetes/`, costSentence(r.cost));
    return lines.join("\n");
}

export const RENDER_USAGE = [
    "usage: npm run render -- <stack>",
    "  Writes out/<stack>/ offline, without credentials: plan.md (cost, apply order, every resource's inputs, Helm values, outputs)",
    "  and the Kubernetes objects the program creates (not the Helm charts' own objects), one YAML file each.",
    "  Keys the stack does not set yet are filled with example values, and said so first.",
].join("\n");

if (require.main === module) {
    const stack = process.argv[2];
    if (!stack || stack === "--help" || stack === "-h") {
        console.log(RENDER_USAGE);
        process.exit(stack ? 0 : 2);
    }
    render(stack).then(
        (r) => console.log(renderReport(stack, r)),
        (e: Error) => {
            console.error(e.message);
            process.exit(1);
        },
    );
}

/**
 * npm run render -- <stack>
 * Evaluates the program offline (no credentials, no network) and writes out/<stack>/: every
 * Kubernetes object as YAML and plan.md (DigitalOcean resources, Helm releases, outputs, cost).
 * Values only the cloud knows are shown as «placeholders».
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { applyOrder } from "../offline/apply-order";
import type { Json, Registered } from "../offline/types";
import { resolveOutput } from "../offline/outputs";
import { applyNumbers, isKubernetesObject, masked, planMarkdown } from "./render-plan";
import { autoName, evaluateOffline, ROOT, SECRET_MASK } from "./render-stack";

const slug = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, "-").replace(/-{2,}/g, "-").replace(/^-+|-+$/g, "").toLowerCase();

/** A Kubernetes object as `pulumi up` applies it: secrets masked, auto-named objects with their name. */
export function renderedObject(r: Registered): Json {
    const o = masked(r);
    if (o.metadata && !o.metadata.name) o.metadata = { name: autoName(r.name), ...o.metadata };
    return o;
}

/** Writes out/<stack>/ and returns the files written, relative to it. */
export async function render(stack: string, outRoot = path.join(ROOT, "out"), root = ROOT): Promise<string[]> {
    const { evaluation, examples } = await evaluateOffline(stack, root);
    const dir = path.join(outRoot, stack);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, "kubernetes"), { recursive: true });
    const written: string[] = [];

    const order = applyOrder(evaluation.resources);
    const number = applyNumbers(order);
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
    fs.writeFileSync(path.join(dir, "plan.md"), planMarkdown({ stack, evaluation, examples, order, files, outputs }));
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

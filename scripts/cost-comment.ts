/**
 * The cost section of a stack's PR preview comment: the estimated monthly cost before (the PR's
 * base) and after (its head), with the lines that change.
 *
 * node -r ts-node/register/transpile-only scripts/cost-comment.ts <stack> <base.json> <head.json> [<comment body file>]
 * prints the comment body with the section appended (an earlier one replaced), or the section alone.
 */
import * as fs from "fs";
import type { CostLine } from "../components/cost";
import type { CostAnswer } from "./cost";

export const costMarker = (stack: string) => `<!-- django-doks: cost ${stack} -->`;

const usd = (n: number) => `$${n.toFixed(2)}`;
const signed = (n: number) => (n === 0 ? "±$0.00" : `${n > 0 ? "+" : "−"}$${Math.abs(n).toFixed(2)}`);
const cents = (n: number) => Math.round(n * 100) / 100;
const known = (c: CostAnswer): c is Exclude<CostAnswer, { unavailable: string }> => !("unavailable" in c);
const oneLine = (s: string) => s.split("\n")[0];

/** The section for one stack. */
export function costSection(stack: string, before: CostAnswer, after: CostAnswer): string {
    const out = [costMarker(stack), `#### Estimated monthly cost of \`${stack}\` (USD, DigitalOcean list prices)`, ""];
    const total = (c: CostAnswer) => (known(c) ? `${usd(c.totalUsd)}${c.unpriced.length ? " (partial)" : ""}` : "not available");
    const max = (c: CostAnswer) => (known(c) && c.maxUsd !== undefined ? usd(c.maxUsd) : "–");
    const change = (a?: number, b?: number) => (a === undefined || b === undefined ? "–" : signed(cents(b - a)));
    out.push("| | Before (base) | After (this pull request) | Change |", "|---|---|---|---|");
    out.push(`| **Total** | ${total(before)} | ${total(after)} | ${known(before) && known(after) ? `**${signed(cents(after.totalUsd - before.totalUsd))}**` : "–"} |`);
    if ((known(before) && before.maxUsd !== undefined) || (known(after) && after.maxUsd !== undefined)) {
        out.push(`| At the node autoscaling maximum | ${max(before)} | ${max(after)} | ${change(known(before) ? before.maxUsd : undefined, known(after) ? after.maxUsd : undefined)} |`);
    }
    out.push("");
    if (known(before) && known(after)) {
        const byItem = (lines: CostLine[]) => new Map(lines.map((l) => [l.item, l]));
        const a = byItem(before.lines);
        const b = byItem(after.lines);
        const items = [...new Set([...a.keys(), ...b.keys()])].filter((i) => a.get(i)?.usd !== b.get(i)?.usd || a.get(i)?.quantity !== b.get(i)?.quantity);
        if (items.length === 0) {
            out.push("No line of the estimate changes.");
        } else {
            const cell = (l?: CostLine) => (l ? `${l.quantity} x ${usd(l.unitUsd)} = ${usd(l.usd)}` : "–");
            out.push("| Line | Before | After | Change |", "|---|---|---|---|");
            for (const i of items) out.push(`| ${i} | ${cell(a.get(i))} | ${cell(b.get(i))} | ${signed(cents((b.get(i)?.usd ?? 0) - (a.get(i)?.usd ?? 0)))} |`);
        }
        for (const u of after.unpriced) out.push("", `Not priced after the change: ${u.item} x ${u.quantity} (${u.reason}).`);
    }
    for (const [when, c] of [["before", before], ["after", after]] as const) {
        if (!known(c)) out.push("", `No estimate ${when} the change: ${oneLine(c.unavailable)}`);
    }
    out.push("", "The program's own estimate of each commit's stack file, computed offline (`npm run cost`); the preview's `estimatedMonthlyCostUsd` output prices nodes from DigitalOcean's API.");
    return out.join("\n");
}

/** The comment body with the stack's cost section at its end, an earlier one replaced. */
export function withCostSection(body: string, stack: string, section: string): string {
    const at = body.indexOf(costMarker(stack));
    const rest = (at === -1 ? body : body.slice(0, at)).trimEnd();
    return rest ? `${rest}\n\n${section}\n` : `${section}\n`;
}

if (require.main === module) {
    const [stack, baseFile, headFile, bodyFile] = process.argv.slice(2);
    if (!stack || !baseFile || !headFile) {
        console.error("usage: cost-comment.ts <stack> <base.json> <head.json> [<comment body file>]");
        process.exit(2);
    }
    const read = (f: string): CostAnswer => {
        try {
            return JSON.parse(fs.readFileSync(f, "utf8")) as CostAnswer;
        } catch (e) {
            return { unavailable: `no estimate: ${(e as Error).message}` };
        }
    };
    const section = costSection(stack, read(baseFile), read(headFile));
    process.stdout.write(withCostSection(bodyFile ? fs.readFileSync(bodyFile, "utf8") : "", stack, section));
}

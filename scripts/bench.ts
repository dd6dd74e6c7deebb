/**
 * npm run bench: evaluates each stack's program under Pulumi mocks, RUNS times, each in a fresh
 * Node process (so module loading and transpiling count, as they do in `pulumi up`), and prints
 * the median wall time per stack.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { STACKS } from "../tests/harness";

const RUNS = 5;
const root = path.resolve(__dirname, "..");

interface Run {
    total: number;
    load: number;
}

function once(stack: string): Run {
    const out = execFileSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(__dirname, "bench-once.ts"), stack],
        { cwd: root, encoding: "utf8" },
    );
    const read = (key: string) => Number(new RegExp(`^${key}=(\\d+(\\.\\d+)?)$`, "m").exec(out)?.[1]);
    const run = { total: read("ms"), load: read("loadMs") };
    if (!Number.isFinite(run.total) || !Number.isFinite(run.load)) {
        throw new Error(`bench-once printed no timing for ${stack}:\n${out}`);
    }
    return run;
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
}

for (const stack of STACKS) {
    const runs = Array.from({ length: RUNS }, () => once(stack));
    const totals = runs.map((r) => r.total);
    const evals = runs.map((r) => r.total - r.load);
    console.log(
        `${stack}: median ${median(totals).toFixed(0)} ms over ${RUNS} runs ` +
            `(load + evaluate; of it evaluate ${median(evals).toFixed(0)} ms; runs: ${totals.map((t) => t.toFixed(0)).join(", ")} ms)`,
    );
}

/**
 * npm run cost -- <stack>
 * The stack's estimated monthly cost as JSON: the program's own estimate, evaluated offline as
 * `npm run render` does (node prices from the offline table). On a stack file the program
 * refuses, {"unavailable": "<why>"}. The PR preview runs it on the base and the head of a PR.
 */
import type { CostEstimate } from "../components/cost";
import { resolveOutput } from "../offline/outputs";
import { evaluateOffline, ROOT } from "./render-stack";

export type CostAnswer = CostEstimate | { unavailable: string };

export async function stackCost(stack: string, root = ROOT): Promise<CostAnswer> {
    try {
        const { evaluation } = await evaluateOffline(stack, root);
        return (await resolveOutput(evaluation.outputs.estimatedMonthlyCostUsd)).value as CostEstimate;
    } catch (e) {
        return { unavailable: (e as Error).message };
    }
}

if (require.main === module) {
    const stack = process.argv[2];
    if (!stack || stack.startsWith("-")) {
        console.log("usage: npm run cost -- <stack>   (prints the stack's estimated monthly cost as JSON)");
        process.exit(stack ? 0 : 2);
    }
    void stackCost(stack).then((cost) => console.log(JSON.stringify(cost)));
}

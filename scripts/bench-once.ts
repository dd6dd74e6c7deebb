/** One evaluation of a stack's program under mocks, timed from before the program is loaded. */
const started = process.hrtime.bigint();

import type { StackName } from "../tests/harness";

async function main(stack: StackName): Promise<void> {
    const { evaluate, programResources } = await import("../tests/harness");
    const { default: program } = await import("../index");
    const loaded = process.hrtime.bigint();
    const evaluation = await evaluate(program, stack);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`resources=${programResources(evaluation).length}`);
    console.log(`loadMs=${(Number(loaded - started) / 1e6).toFixed(1)}`);
    console.log(`ms=${ms.toFixed(1)}`);
}

main((process.argv[2] ?? "dev") as StackName).catch((e) => {
    console.error(e);
    process.exit(1);
});

/** The jest set-up fails a test that writes to the console without asserting it (tests/setup-quiet-console.ts). */
import { spawnSync } from "child_process";
import * as path from "path";
import { ROOT } from "./stack-values";

type Report = { testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[] };

function runFixture(name: string): { status: number | null; results: Report["testResults"][number]["assertionResults"] } {
    const run = spawnSync(
        process.execPath,
        [path.join(ROOT, "node_modules/jest/bin/jest.js"), "-c", "jest.config.js", "--runInBand", "--json", "--testMatch", `**/tests/fixtures/quiet-console/${name}.check.js`],
        { cwd: ROOT, encoding: "utf8" },
    );
    const report = JSON.parse(run.stdout) as Report;
    return { status: run.status, results: report.testResults.flatMap((r) => r.assertionResults) };
}

test("a test that writes to console.error fails, naming the method", () => {
    const { status, results } = runFixture("logs");
    expect(status).toBe(1);
    expect(results.map((r) => [r.title, r.status])).toEqual([["writes to console.error", "failed"]]);
    expect(results[0].failureMessages.join("\n")).toContain("console.error");
});

test("a test that expects its console output and asserts it passes", () => {
    const { status, results } = runFixture("asserts");
    expect(status).toBe(0);
    expect(results.map((r) => [r.title, r.status])).toEqual([["expects its console.error and asserts it", "passed"]]);
});

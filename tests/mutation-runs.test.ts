/**
 * Jest as mutation runs use it (mutation/jest.config.js): files in the order of testMatch, and
 * nothing after the first failing test, not even the loading of later files.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./stack-values";

type Report = { numRuntimeErrorTestSuites: number; testResults: { name: string; assertionResults: { title: string; status: string }[] }[] };

function mutationJest(files: string[]): { status: number | null; report: Report; loaded: boolean } {
    const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mutation-runs-")), "loaded");
    // Through a dot folder, as Stryker's sandbox (.stryker-tmp) is.
    const testMatch = files.map((f) => `**/tests/fixtures/.mutation-runs/${f}.check.js`);
    const run = spawnSync(
        process.execPath,
        [path.join(ROOT, "node_modules/jest/bin/jest.js"), "-c", "mutation/jest.config.js", "--runInBand", "--json", "--testMatch", ...testMatch],
        { cwd: ROOT, encoding: "utf8", env: { ...process.env, LOAD_MARKER: marker } },
    );
    return { status: run.status, report: JSON.parse(run.stdout) as Report, loaded: fs.existsSync(marker) };
}

const outcomes = (report: Report) =>
    report.testResults.map((r) => [path.basename(r.name), r.assertionResults.map((a) => `${a.title}: ${a.status}`)]);

test("after a failing test, the rest of its file is skipped and later files are not even loaded", () => {
    const { status, report, loaded } = mutationJest(["passes", "fails", "marks-load"]);
    expect(status).toBe(1);
    expect(outcomes(report)).toEqual([
        ["passes.check.js", ["passes: passed"]],
        ["fails.check.js", ["passes before the failure: passed", "fails: failed", "after the failure: pending"]],
        ["marks-load.check.js", ["not run: an earlier test of this run failed: pending"]],
    ]);
    expect(loaded).toBe(false);
    // Stryker takes a suite that failed to run for a runtime error, not a killed mutant.
    expect(report.numRuntimeErrorTestSuites).toBe(0);
});

test("files run in the order testMatch lists them, and a passing run runs everything", () => {
    const { status, report, loaded } = mutationJest(["marks-load", "passes"]);
    expect(status).toBe(0);
    expect(outcomes(report)).toEqual([
        ["marks-load.check.js", ["passes: passed"]],
        ["passes.check.js", ["passes: passed"]],
    ]);
    expect(loaded).toBe(true);
});

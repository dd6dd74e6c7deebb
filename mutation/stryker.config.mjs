/**
 * Mutation testing: `npm run test:mutation` (not part of `npm test`).
 * One file at a time while working: `npx stryker run mutation/stryker.config.mjs --mutate dns-record/dns-wait.ts`.
 */
import path from "node:path";
import { declareClassPlugin, PluginKind } from "@stryker-mutator/api/plugin";

/**
 * Mutants that cannot change behaviour: every mutant inside the node whose source is `code`
 * in `file` (or under it, for a folder ending in /) is ignored (reported as Ignored, left out of
 * the score). Keep this list short.
 */
const EQUIVALENT = [
    // zod's typings require an issue code; the config error shows every issue of a code it does not name (errors.ts allowedFor) by its message alone.
    { file: "components/config/", code: '"custom"', reason: "the config error shows custom issues by their message alone" },
    // c-ares rejects with Error objects, never null.
    { file: "dns-record/dns-wait.ts", code: "(e as { code?: string } | null)?.code", reason: "c-ares errors are never nullish" },
    // resolveNs rejects with ENODATA when there is no NS record (checked against dns2); it never resolves to [].
    {
        file: "dns-record/dns-wait.ts",
        code: "if (names.length === 0) throw new Error(`NS lookup of ${domain} returned no nameservers`);",
        reason: "resolveNs never resolves to an empty list",
    },
];

class EquivalentMutants {
    shouldIgnore(nodePath) {
        const file = path.relative(process.cwd(), nodePath.hub?.file?.opts?.filename ?? "");
        return EQUIVALENT.find((e) => (e.file.endsWith("/") ? file.startsWith(e.file) : e.file === file) && nodePath.getSource() === e.code)?.reason;
    }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Ignore, "EquivalentMutants", EquivalentMutants)];

/**
 * Two runs, each with only its own tests (a mutant in module-level code runs every test of the
 * run): this file, the DNS code; stryker.config-rules.mjs, the config rules.
 * @param {string} name the run's name, for its reports
 * @param {string[]} mutate the files to mutate
 * @param {string[]} tests the test files' names, in the order they run: cheap ones that kill most mutants first
 * @param {number} [concurrency] test runner processes (default: one per core)
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function mutationRun(name, mutate, tests, concurrency) {
    return {
        ...(concurrency === undefined ? {} : { concurrency }),
        packageManager: "npm",
        testRunner: "jest",
        jest: {
            projectType: "custom",
            configFile: "mutation/jest.config.js",
            config: { testMatch: tests.map((t) => `**/tests/${t}.test.ts`) },
            enableFindRelatedTests: true,
        },
        // Each mutant runs only the tests that executed its code in the initial run.
        coverageAnalysis: "perTest",
        mutate,
        appendPlugins: ["./mutation/stryker.config.mjs"],
        ignorers: ["EquivalentMutants"],
        reporters: ["clear-text", "progress", "html", "json"],
        clearTextReporter: { reportMutants: false, reportTests: false, logTests: false },
        htmlReporter: { fileName: `reports/mutation/${name}.html` },
        jsonReporter: { fileName: `reports/mutation/${name}.json` },
        thresholds: { high: 85, low: 70, break: null },
        tempDirName: ".stryker-tmp",
        // Not copied into the sandbox: the app's virtualenv (npm test creates it; its lib64 symlink breaks the copy) and build output.
        ignorePatterns: ["app/.venv", "app/staticfiles", "**/__pycache__", ".tools", ".build", "out", "coverage"],
    };
}

// The DNS tests mostly wait on loopback servers and timers, not the CPU: 4 processes on 2 cores take 3 minutes instead of 5.
export default mutationRun("dns", ["dns-record/namecheap.ts", "dns-record/namecheap-response.ts", "dns-record/dns-wait.ts"], ["namecheap", "dns-wait", "dns-record-cli"], 4);

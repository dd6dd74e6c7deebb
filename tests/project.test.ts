import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { ROOT } from "./harness";

const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");

describe("project wiring", () => {
    test("the runtime transpiles only: Pulumi reads noCheck from the named tsconfig's own compilerOptions", () => {
        const project = parseYaml(read("Pulumi.yaml"));
        expect(project.runtime).toEqual({
            name: "nodejs",
            options: { typescript: true, tsconfig: "tsconfig.pulumi.json" },
        });
        const deployTsconfig = JSON.parse(read("tsconfig.pulumi.json"));
        expect(deployTsconfig.compilerOptions.noCheck).toBe(true);
    });

    test("type checking is strict and part of npm test, which runs every layer at once", () => {
        expect(JSON.parse(read("tsconfig.json")).compilerOptions.strict).toBe(true);
        const scripts = JSON.parse(read("package.json")).scripts;
        expect(scripts.test).toBe(
            'bash scripts/test-setup.sh && concurrently --timings --names lint,typecheck,jest,app "npm:lint" "npm:typecheck" "npm:test:jest" "npm:test:app"',
        );
        expect(scripts["test:jest"]).toBe("jest");
        expect(scripts["test:app"]).toBe("bash scripts/app-test.sh");
        expect(scripts.typecheck).toMatch(/^tsc --noEmit/);
        expect(scripts.lint).toMatch(/^eslint /);
    });

    test("npm test fails when any one step fails, and lets the others finish", () => {
        const concurrently = JSON.parse(read("package.json")).scripts.test.split(" && ").pop();
        const flags = concurrently.split(" \"npm:")[0].split(" ").slice(1);
        const steps = ["node -e 0", "node -e \"setTimeout(() => {}, 300)\"", "exit 3", "node -e 0"];
        const run = spawnSync(path.join(ROOT, "node_modules/.bin/concurrently"), [...flags, ...steps], { encoding: "utf8" });
        expect(run.status).not.toBe(0);
        expect(run.stdout).toMatch(/exited with code 3/);
        expect(run.stdout.match(/exited with code 0/g)).toHaveLength(3);
        const passing = spawnSync(path.join(ROOT, "node_modules/.bin/concurrently"), [...flags, "exit 0", "exit 0"], { encoding: "utf8" });
        expect(passing.status).toBe(0);
    });

    test("the root shows the product: the Pulumi project, the package files, the docs, the licence and the usual tool configs", () => {
        const files = fs.readdirSync(ROOT, { withFileTypes: true }).filter((e) => e.isFile() && !e.name.endsWith(".tsbuildinfo")).map((e) => e.name);
        expect(files.sort()).toEqual(
            [
                ".gitignore",
                "CONTRIBUTING.md",
                "LICENSE",
                "Pulumi.dev.yaml",
                "Pulumi.prod.yaml",
                "Pulumi.yaml",
                "README.md",
                "eslint.config.mjs",
                "index.ts",
                "jest.config.js",
                "package-lock.json",
                "package.json",
                "tsconfig.json",
                "tsconfig.pulumi.json",
            ].sort(),
        );
        expect(fs.readdirSync(path.join(ROOT, "mutation")).sort()).toEqual(
            ["jest-circus.js", "jest.config.js", "jest.environment.js", "jest.sequencer.js", "stryker.config-rules.mjs", "stryker.config.mjs"].sort(),
        );
    });

    test("the licence package.json names is the one in LICENSE", () => {
        expect(JSON.parse(read("package.json")).license).toBe("Apache-2.0");
        const licence = read("LICENSE");
        expect(licence).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004\n\s+http:\/\/www\.apache\.org\/licenses\/\n/);
        expect(licence).toContain("END OF TERMS AND CONDITIONS");
    });

    test("CI installs from the lock file and runs the README's test command", () => {
        const ci = read(".ci/run");
        expect(ci).toMatch(/^set -euo pipefail$/m);
        expect(ci).toMatch(/^npm ci\b/m);
        expect(ci).toMatch(/^npm test$/m);
        expect(read("README.md")).toContain("npm ci\nnpm test");
    });
});

describe("Node.js version, one truth", () => {
    const engines: string = JSON.parse(read("package.json")).engines.node;
    const minimum = Number(/^>=(\d+)$/.exec(engines)?.[1]);

    test("engines is what @pulumi/pulumi declares, in package.json and the lock file", () => {
        const sdk = JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")).engines.node;
        expect(engines).toBe(sdk);
        expect(JSON.parse(read("package-lock.json")).packages[""].engines.node).toBe(engines);
    });

    test("every workflow sets up at least that version", () => {
        const dir = path.join(ROOT, ".github", "workflows");
        const jobs = fs
            .readdirSync(dir)
            .flatMap((f) => Object.values(parseYaml(fs.readFileSync(path.join(dir, f), "utf8")).jobs as Record<string, { steps?: any[] }>))
            // A job that calls a reusable workflow (test.yml) has no steps: the called job is counted.
            .flatMap((j) => (j.steps ? [{ steps: j.steps }] : []));
        // The repository's composite actions (uses: ./.github/actions/<name>), by their path.
        const actions = new Map(
            fs.readdirSync(path.join(ROOT, ".github", "actions")).map((a) => [
                `./.github/actions/${a}`,
                parseYaml(fs.readFileSync(path.join(ROOT, ".github", "actions", a, "action.yml"), "utf8")).runs.steps as any[],
            ]),
        );
        const setupNode = (steps: any[]) => steps.filter((s) => String(s.uses).startsWith("actions/setup-node@"));
        const versions = [...jobs.flatMap((j) => j.steps), ...[...actions.values()].flat()]
            .filter((s) => String(s.uses).startsWith("actions/setup-node@"))
            .map((s) => s.with?.["node-version"]);
        // Set up in two places: test.yml and the composite action every stack job calls.
        expect(versions.length).toBe(2);
        for (const v of versions) expect(Number(v)).toBeGreaterThanOrEqual(minimum);
        // Every job that installs the packages sets Node up, itself or in the action it calls.
        const installs = jobs.filter((j) => j.steps.some((s) => String(s.run).includes("npm ci") || actions.has(s.uses)));
        // test.yml's job, deploy's dev and prod, preview's dev and prod, destroy's dev and prod.
        expect(installs.length).toBe(7);
        for (const j of installs) expect(setupNode([...j.steps, ...j.steps.flatMap((s) => actions.get(s.uses) ?? [])]).length).toBe(1);
    });

    test("the README names that version wherever it names one, and says once that the tests pass on Node.js 20", () => {
        const readme = read("README.md");
        const named = [...readme.matchAll(/Node(?:\.js)? (\d+) or newer/g)].map((m) => Number(m[1]));
        expect(named.length).toBeGreaterThan(0);
        expect(new Set(named)).toEqual(new Set([minimum]));
        expect(readme.match(/test suite also passes on Node\.js 20/g)).toHaveLength(1);
    });
});

describe("README quickstart", () => {
    const readme = read("README.md");
    const start = readme.indexOf("## Quickstart");
    const quickstart = readme.slice(start, readme.indexOf("\n## ", start));
    const step = (n: number) => quickstart.slice(quickstart.indexOf(`\n${n}. `), quickstart.indexOf(`\n${n + 1}. `));

    test("its first step lists every prerequisite", () => {
        for (const needed of ["Node.js 22", "Pulumi CLI", "pulumi login", "Docker with buildx", "DigitalOcean API token", "Dynamic DNS password"]) {
            expect(step(1)).toContain(needed);
        }
    });

    test("its check works on dev's staging certificate and says why", () => {
        expect(step(5)).toContain('curl -kI "https://$host"');
        expect(step(5)).toMatch(/issuer.*\(STAGING\)/);
        expect(step(5)).toContain("Fake Certificate");
    });
});

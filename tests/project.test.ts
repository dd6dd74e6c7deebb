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

    test("type checking is strict and part of npm test", () => {
        expect(JSON.parse(read("tsconfig.json")).compilerOptions.strict).toBe(true);
        const scripts = JSON.parse(read("package.json")).scripts;
        expect(scripts.test).toBe("npm run lint && npm run typecheck && jest && npm run test:app");
        expect(scripts["test:app"]).toBe("bash scripts/app-test.sh");
        expect(scripts.typecheck).toMatch(/^tsc --noEmit/);
        expect(scripts.lint).toMatch(/^eslint /);
    });

    test("CI installs from the lock file and runs the README's test command", () => {
        const ci = read(".ci/run");
        expect(ci).toMatch(/^set -euo pipefail$/m);
        expect(ci).toMatch(/^npm ci\b/m);
        expect(ci).toMatch(/^npm test$/m);
        expect(read("README.md")).toContain("npm ci\nnpm test");
    });
});

import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkStack } from "../scripts/check";
import { ROOT } from "./harness";
import { COMPLETED_DEV, committedStackFile } from "./stack-file-texts";

describe("npm run check -- <stack>", () => {
    let root: string;
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "check-"));
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
    const withStackFile = (text: string) => fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), text);

    test("the committed dev stack is not ready: every missing key, in the program's format", () => {
        withStackFile(committedStackFile("dev"));
        const { ready, report } = checkStack("dev", root, {});
        expect(ready).toBe(false);
        const lines = report.split("\n");
        expect(lines[0]).toBe("Pulumi.dev.yaml is not ready for `pulumi up`.");
        expect(lines[1]).toBe('Invalid configuration for stack "dev" (nothing was created):');
        for (const key of ["registryName", "hostname", "acmeEmail", "staticContent.repository", "monitoring.alertEmails", "namecheapPassword"]) {
            expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^  - django-doks:${key.replace(".", "\\.")} = \\(not set\\): expected `)));
        }
        expect(lines).toContainEqual(expect.stringMatching(/^ {2}- digitalocean:token = \(not set\): expected a value \(required\)/));
    });

    test("a completed stack file is ready, with its secrets encrypted and not decrypted", () => {
        withStackFile(COMPLETED_DEV);
        expect(checkStack("dev", root, {})).toEqual({
            ready: true,
            report: expect.stringMatching(/^Pulumi\.dev\.yaml is ready for `pulumi up`: every key passes the program's validation\./),
        });
    });

    test("the token may come from the environment, as at pulumi up", () => {
        withStackFile(COMPLETED_DEV.replace("  digitalocean:token:\n    secure: v1:AAAAAAAAAAAAAAAA:CCCC\n", ""));
        expect(checkStack("dev", root, {}).report).toContain("digitalocean:token = (not set)");
        expect(checkStack("dev", root, { DIGITALOCEAN_TOKEN: "dop_v1_x" }).ready).toBe(true);
    });

    test("a deleted monitoring block still needs the alert addresses (monitoring is on by default)", () => {
        withStackFile(COMPLETED_DEV.replace("  django-doks:monitoring:\n    enabled: true\n    alertEmails:\n      - ops@acme-test.org\n", ""));
        const { ready, report } = checkStack("dev", root, {});
        expect(ready).toBe(false);
        expect(report).toContain("django-doks:monitoring.alertEmails = (not set): expected at least one address while monitoring.enabled is true");
    });

    test("a secret in plain text is refused as pulumi up refuses it", () => {
        withStackFile(COMPLETED_DEV.replace("  django-doks:namecheapPassword:\n    secure: v1:AAAAAAAAAAAAAAAA:BBBB\n", "  django-doks:namecheapPassword: hunter2\n"));
        const { ready, report } = checkStack("dev", root, {});
        expect(ready).toBe(false);
        expect(report).toContain("django-doks:namecheapPassword = (set in plain text): expected a secret");
        expect(report).not.toContain("hunter2");
    });

    test("a missing stack file names the stacks there", () => {
        withStackFile(COMPLETED_DEV);
        expect(() => checkStack("staging", root, {})).toThrow("no stack file Pulumi.staging.yaml (stacks: dev)");
    });

    test("the command: exit 1 with every problem on the committed stack, usage on --help", () => {
        const run = (...args: string[]) => spawnSync("node", ["-r", "ts-node/register/transpile-only", "scripts/check.ts", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, DIGITALOCEAN_TOKEN: "" } });
        const dev = run("dev");
        expect(dev.status).toBe(1);
        expect(dev.stderr).toContain("django-doks:registryName = (not set)");
        const help = run("--help");
        expect(help.status).toBe(0);
        expect(help.stdout).toMatch(/^usage: npm run check -- <stack>/);
        expect(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.check).toBe("node -r ts-node/register/transpile-only scripts/check.ts");
    });
});

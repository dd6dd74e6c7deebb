import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { ROOT } from "./harness";

const WORKFLOWS = path.join(ROOT, ".github", "workflows");
/** The composite action that sets up and runs pulumi for one stack, as the workflows call it. */
const STACK_ACTION = "./.github/actions/pulumi-stack";
const ACTIONLINT = path.join(ROOT, ".tools", "bin", "actionlint");

/** Inputs of pulumi/actions (v6's action.yml; v7 changed only the Node runtime). */
const PULUMI_ACTION_INPUTS = [
    "always-include-summary", "cloud-url", "color", "command", "comment-on-pr", "comment-on-pr-number",
    "comment-on-summary", "config-map", "continue-on-error", "debug", "diff", "edit-pr-comment", "exclude",
    "exclude-dependents", "exclude-protected", "expect-no-changes", "github-token", "log-flow", "log-verbosity",
    "message", "parallel", "plan", "policyPackConfigs", "policyPacks", "pulumi-version", "pulumi-version-file",
    "refresh", "remove", "replace", "secrets-provider", "stack-name", "suppress-outputs", "suppress-progress",
    "target", "target-dependents", "upsert", "work-dir",
];

interface Step {
    id?: string;
    name?: string;
    if?: string;
    uses?: string;
    run?: string;
    shell?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}

interface Action {
    inputs: Record<string, { description?: string; required?: boolean; default?: string }>;
    runs: { using: string; steps: Step[] };
}

interface Job {
    needs?: string | string[];
    if?: string;
    environment?: string | { name: string };
    concurrency?: string | { group: string; "cancel-in-progress"?: boolean };
    env?: Record<string, string>;
    strategy?: { matrix?: Record<string, unknown> };
    /** A call of a reusable workflow instead of steps. */
    uses?: string;
    steps: Step[];
}

interface Workflow {
    on: Record<string, any>;
    env?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    jobs: Record<string, Job>;
}

const load = (file: string): Workflow => {
    const wf = parseYaml(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
    // A job that calls a reusable workflow has no steps of its own.
    for (const job of Object.values(wf.jobs)) job.steps ??= [];
    return wf;
};
const loadAction = (): Action => parseYaml(fs.readFileSync(path.join(ROOT, STACK_ACTION, "action.yml"), "utf8"));
const needs = (j: Job) => ([] as string[]).concat(j.needs ?? []);
const envName = (j: Job) => (typeof j.environment === "string" ? j.environment : j.environment?.name);
const files = () => fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
/** A job's calls of the composite action. */
const stackCalls = (j: Job) => j.steps.filter((s) => s.uses === STACK_ACTION);
/** The composite action's step that runs pulumi/actions with a command. */
const pulumiStep = (a: Action) => a.runs.steps.filter((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command);

/**
 * The composite action's pulumi/actions step as one call runs it: each `${{ inputs.<name> }}`
 * replaced by what the call passes, else by the input's default.
 */
function pulumiRun(call: Step): Step {
    const action = loadAction();
    const resolve = (v: unknown) => {
        const m = typeof v === "string" ? /^\$\{\{ inputs\.([\w-]+) \}\}$/.exec(v) : null;
        return m ? (call.with?.[m[1]] ?? action.inputs[m[1]]?.default) : v;
    };
    const resolved = (o?: Record<string, unknown>) => o && Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v)]));
    const [step] = pulumiStep(action);
    return { ...step, with: resolved(step.with), env: resolved(step.env) as Record<string, string> };
}
/** What each of a job's stack runs hands pulumi/actions. */
const pulumiSteps = (j: Job) => stackCalls(j).map(pulumiRun);

/**
 * The composite action's steps as a reusable workflow's job, its inputs as the workflow's: actionlint
 * reads workflows only, and so checks the action's expressions, its steps' inputs and (with
 * shellcheck) its `run:` scripts.
 */
function actionAsWorkflow(action: Action): string {
    const inputs = Object.fromEntries(Object.entries(action.inputs).map(([k, i]) => [k, { type: "string", required: i.required ?? false }]));
    return stringifyYaml({ on: { workflow_call: { inputs } }, jobs: { "pulumi-stack": { "runs-on": "ubuntu-latest", steps: action.runs.steps } } });
}

/** Runs actionlint on the composite action's steps (plus `extra` ones). */
function lintAction(extra: Step[] = []): { status: number | null; out: string } {
    const action = loadAction();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "action-")), "pulumi-stack.yml");
    fs.writeFileSync(file, actionAsWorkflow({ ...action, runs: { ...action.runs, steps: [...action.runs.steps, ...extra] } }));
    const r = spawnSync(ACTIONLINT, ["-no-color", file], { cwd: ROOT, encoding: "utf8" });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const GOJQ = path.join(ROOT, ".tools", "bin", "gojq");

/**
 * Runs a step's shell as GitHub does (bash -e with pipefail, in `cwd`), with fake commands on PATH
 * that log their arguments.
 */
function runStep(step: Step, env: Record<string, string>, fakes: Record<string, string>, cwd?: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "step-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    for (const [name, body] of Object.entries(fakes)) {
        fs.writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\necho "${name} $*" >> "${dir}/calls"\n${body}\n`, { mode: 0o755 });
    }
    const script = path.join(dir, "step.sh");
    fs.writeFileSync(script, step.run ?? "");
    const output = path.join(dir, "output");
    fs.writeFileSync(output, "");
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
        env: { PATH: `${bin}:${path.dirname(GOJQ)}:${process.env.PATH}`, GITHUB_OUTPUT: output, ...env },
        cwd: cwd ?? dir,
        encoding: "utf8",
    });
    const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "");
    return { status: r.status, out: `${r.stdout}${r.stderr}`, output: read(output), calls: read(path.join(dir, "calls")) };
}

describe("actionlint", () => {
    beforeAll(() => {
        if (fs.existsSync(ACTIONLINT)) return;
        // CI runs the script before the tests; locally this installs on first use.
        const r = spawnSync("bash", [path.join(ROOT, "scripts", "install-actionlint.sh")], { encoding: "utf8" });
        if (r.status !== 0) {
            throw new Error(`actionlint is not installed and scripts/install-actionlint.sh failed:\n${r.stdout}${r.stderr}`);
        }
    }, 300_000);

    test("passes on every workflow (with shellcheck on run: scripts when installed)", () => {
        expect(files()).toEqual(["deploy.yml", "destroy.yml", "preview.yml", "test.yml"]);
        const r = spawnSync(ACTIONLINT, ["-no-color", ...files().map((f) => path.join(WORKFLOWS, f))], { cwd: ROOT, encoding: "utf8" });
        expect(`${r.stdout}${r.stderr}`).toBe("");
        expect(r.status).toBe(0);
    });

    test("really checks: a broken workflow fails, shell scripts included when shellcheck is on PATH", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wf-"));
        const file = path.join(dir, "broken.yml");
        fs.writeFileSync(
            file,
            [
                "on: push",
                "jobs:",
                "  x:",
                "    runs-on: ubuntu-latest",
                "    steps:",
                "      - uses: actions/checkout@v6",
                "        with: { no-such-input: 1 }",
                "      - run: echo ${{ github.event.head_commit.message }} && cp $SRC $DST",
            ].join("\n"),
        );
        const r = spawnSync(ACTIONLINT, ["-no-color", file], { encoding: "utf8" });
        expect(r.status).toBe(1);
        expect(r.stdout).toContain('input "no-such-input" is not defined');
        expect(r.stdout).toContain("potentially untrusted");
        const shellcheck = spawnSync("shellcheck", ["--version"]);
        if (shellcheck.status === 0) expect(r.stdout).toContain("shellcheck reported issue");
    });

    test("passes on the composite action's steps, shellcheck on its run: scripts included", () => {
        expect(loadAction().runs.using).toBe("composite");
        expect(lintAction()).toEqual({ status: 0, out: "" });
    });

    test("really checks the composite action: a broken step in it fails", () => {
        const r = lintAction([
            { uses: "actions/setup-node@v6", with: { "no-such-input": 1 } },
            { if: "inputs.no-such == 'x'", shell: "bash", run: "cp $SRC $DST" },
        ]);
        expect(r.status).toBe(1);
        expect(r.out).toContain('input "no-such-input" is not defined');
        expect(r.out).toContain('property "no-such" is not defined');
        const shellcheck = spawnSync("shellcheck", ["--version"]);
        if (shellcheck.status === 0) expect(r.out).toContain("shellcheck reported issue");
    });

    test("the install script is idempotent and pins the version", () => {
        const script = fs.readFileSync(path.join(ROOT, "scripts", "install-actionlint.sh"), "utf8");
        expect(script).toMatch(/^ACTIONLINT_VERSION="v\d+\.\d+\.\d+"$/m);
        const r = spawnSync("bash", [path.join(ROOT, "scripts", "install-actionlint.sh")], { encoding: "utf8" });
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("is already in .tools/bin");
    });
});

describe("every workflow", () => {
    test.each(["deploy.yml", "destroy.yml", "preview.yml", "test.yml"])("%s pins actions to a major version or a commit", (file) => {
        const uses = Object.values(load(file).jobs).flatMap((j) => j.steps.map((s) => s.uses).filter((u): u is string => !!u));
        expect(uses.length).toBeGreaterThan(0);
        // The repository's own composite action is at the checked-out commit; what it uses is pinned below.
        for (const u of uses.filter((x) => x !== STACK_ACTION)) expect(u).toMatch(/@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
    });

    test("the composite action pins what it uses to a major version or a commit", () => {
        const uses = loadAction().runs.steps.map((s) => s.uses).filter((u): u is string => !!u);
        expect(uses.length).toBeGreaterThan(0);
        for (const u of uses) expect(u).toMatch(/@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
    });

    test.each(["deploy.yml", "destroy.yml", "preview.yml", "test.yml"])("%s gives secrets only to the steps that use them", (file) => {
        const wf = load(file);
        const secretIn = (env?: Record<string, string>) => Object.values(env ?? {}).some((v) => /secrets\./.test(String(v)));
        expect(secretIn(wf.env)).toBe(false);
        for (const job of Object.values(wf.jobs)) {
            expect(secretIn(job.env)).toBe(false);
            // npm ci runs third-party install scripts.
            for (const s of job.steps.filter((x) => x.run?.includes("npm ci"))) expect(secretIn(s.env)).toBe(false);
            // A call's env reaches every step of the composite action, npm ci included; its inputs
            // reach only the expressions that name them (actions/runner
            // src/Runner.Worker/Handlers/CompositeActionHandler.cs: inputs context, env merged per step).
            for (const s of stackCalls(job)) expect(secretIn(s.env)).toBe(false);
        }
    });

    test("the composite action gives the secrets it is passed only to the steps that use them", () => {
        const action = loadAction();
        const calls = ["deploy.yml", "destroy.yml", "preview.yml"].flatMap((f) => Object.values(load(f).jobs).flatMap(stackCalls));
        // The inputs that the calls fill from secrets.
        const secretInputs = [...new Set(calls.flatMap((c) => Object.entries(c.with ?? {}).filter(([, v]) => /secrets\./.test(String(v))).map(([k]) => k)))];
        expect(secretInputs.sort()).toEqual([
            "aws-access-key-id", "aws-secret-access-key", "digitalocean-token", "namecheap-ddns-password",
            "pulumi-access-token", "pulumi-backend-url", "pulumi-config-passphrase",
        ]);
        const named = (v: unknown) => secretInputs.filter((k) => JSON.stringify(v ?? "").includes(`inputs.${k} }}`));
        // Never expanded into a script: handed over in the environment of the steps that use them.
        for (const s of action.runs.steps) expect(named(s.run)).toEqual([]);
        expect(named(action.runs.steps.filter((s) => s.env).map((s) => s.env)).sort()).toEqual([...secretInputs].sort());
        // npm ci runs third-party install scripts; Node and the CLI need no secret either.
        const setup = action.runs.steps.filter((s) => s.run === "npm ci" || s.uses?.startsWith("actions/setup-node@") || s.name === "Install the Pulumi CLI");
        expect(setup).toHaveLength(3);
        expect(named(setup)).toEqual([]);
    });

    test.each(["deploy.yml", "destroy.yml", "preview.yml"])("%s passes only known inputs to pulumi/actions, with both backends", (file) => {
        const steps = Object.values(load(file).jobs).flatMap(pulumiSteps);
        expect(steps.length).toBeGreaterThan(0);
        for (const s of steps) {
            for (const key of Object.keys(s.with ?? {})) expect(PULUMI_ACTION_INPUTS).toContain(key);
            expect(s.uses).toBe("pulumi/actions@v7");
            expect(s.with?.["cloud-url"]).toBe("${{ secrets.PULUMI_BACKEND_URL }}");
            for (const name of ["PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "DIGITALOCEAN_TOKEN"]) {
                expect(s.env?.[name]).toBe(`\${{ secrets.${name} }}`);
            }
        }
    });

    test.each(["deploy.yml", "preview.yml"])("%s tests before it touches a stack, with the one test workflow", (file) => {
        const wf = load(file);
        expect(wf.jobs.test.uses).toBe("./.github/workflows/test.yml");
    });

    test("the test workflow installs from the lock file and runs npm test after the linters' install", () => {
        const wf = load("test.yml");
        expect(Object.keys(wf.on)).toEqual(["workflow_call"]);
        const steps = wf.jobs.test.steps;
        const run = steps.map((s) => s.run ?? "");
        expect(run.indexOf("bash scripts/install-actionlint.sh")).toBeGreaterThanOrEqual(0);
        expect(run.indexOf("bash scripts/install-actionlint.sh")).toBeLessThan(run.indexOf("npm test"));
        expect(run.indexOf("npm ci")).toBeGreaterThanOrEqual(0);
        expect(run.indexOf("npm ci")).toBeLessThan(run.indexOf("npm test"));
        const node = steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
        expect(node?.with).toEqual({ "node-version": 22, cache: "npm" });
    });
});

describe("preview.yml", () => {
    const wf = load("preview.yml");

    test("runs on pull requests, one run per PR at a time", () => {
        expect(Object.keys(wf.on)).toEqual(["pull_request"]);
        expect(wf.concurrency?.group).toContain("github.event.pull_request.number");
        expect(wf.concurrency?.["cancel-in-progress"]).toBe(true);
    });

    test.each(["dev", "prod"])("previews %s with the policy pack, commenting on the PR in place, never for a fork's PR", (stack) => {
        const job = wf.jobs[`preview-${stack}`];
        expect(needs(job)).toEqual(["test"]);
        // Secrets are not passed to a workflow run by a pull request from a fork (docs.github.com,
        // "Events that trigger workflows", pull_request), so such a run tests and stops.
        expect(job.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
        const calls = stackCalls(job);
        expect(calls).toHaveLength(1);
        expect(pulumiRun(calls[0]).with).toMatchObject({
            command: "preview",
            policyPacks: "policy",
            refresh: true,
            "comment-on-pr": true,
            "edit-pr-comment": true,
        });
        expect(calls[0].with?.stack).toBe(stack);
    });

    test("has a test job and one preview job per stack, nothing else", () => {
        expect(Object.keys(wf.jobs).sort()).toEqual(["preview-dev", "preview-prod", "test"]);
    });
});

describe("where each stack's secrets come from", () => {
    // A job reads an environment's secrets (over the repository's of the same name) only when it
    // names that environment, and only once its protection rules (required reviewers among them)
    // pass; an environment it names that does not exist yet is created, without rules or secrets
    // (docs.github.com, "Managing environments for deployment" and "Using secrets in GitHub Actions").
    const stackJobs: [string, string, string, string | undefined][] = [
        ["deploy.yml", "dev", "dev", undefined],
        ["deploy.yml", "prod", "prod", "production"],
        ["destroy.yml", "destroy-dev", "dev", undefined],
        ["destroy.yml", "destroy-prod", "prod", "production"],
        // The prod preview: prod's secrets without the approval "production" asks for.
        ["preview.yml", "preview-dev", "dev", undefined],
        ["preview.yml", "preview-prod", "prod", "production-preview"],
    ];

    test.each(stackJobs)("%s %s runs %s in the environment %p, and tells the action so", (file, jobName, stack, environment) => {
        const job = load(file).jobs[jobName];
        expect(envName(job)).toBe(environment);
        const [call] = stackCalls(job);
        expect(call.with?.stack).toBe(stack);
        expect(call.with?.environment).toBe(environment);
    });

    test("every job that runs a stack is one of those", () => {
        const all = ["deploy.yml", "destroy.yml", "preview.yml"].flatMap((f) =>
            Object.entries(load(f).jobs)
                .filter(([, j]) => stackCalls(j).length > 0)
                .map(([name]) => `${f} ${name}`),
        );
        expect(all.sort()).toEqual(stackJobs.map(([f, j]) => `${f} ${j}`).sort());
    });

    // The one place that says where each secret and variable lives.
    const operations = fs.readFileSync(path.join(ROOT, "docs", "operations.md"), "utf8");
    const start = operations.indexOf("### Where each secret and variable lives");
    const section = operations.slice(start, operations.indexOf("\n### ", start + 1));

    test("docs/operations.md names every secret and variable the workflows read, and every environment", () => {
        expect(start).toBeGreaterThan(0);
        const read = new Set<string>();
        for (const f of files()) {
            for (const m of fs.readFileSync(path.join(WORKFLOWS, f), "utf8").matchAll(/\$\{\{\s*(secrets|vars)\.(\w+)\s*\}\}/g)) read.add(m[2]);
        }
        expect(read.size).toBeGreaterThanOrEqual(8);
        for (const name of read) expect(section).toContain(`\`${name}\``);
        for (const [, , , environment] of stackJobs) if (environment) expect(section).toContain(`\`${environment}\``);
    });

    test("the README and the workflows point there", () => {
        expect(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")).toContain("docs/operations.md#where-each-secret-and-variable-lives");
        for (const f of ["deploy.yml", "destroy.yml", "preview.yml"]) {
            expect(fs.readFileSync(path.join(WORKFLOWS, f), "utf8")).toContain('docs/operations.md, "Where each secret and variable lives"');
        }
    });
});

describe("preview.yml: a stack that does not exist yet", () => {
    // The check, the notice and the conditions live in the composite action; the preview calls it.
    const steps = loadAction().runs.steps;
    const step = (match: (s: Step) => boolean) => steps.find(match)!;
    const check = step((s) => s.id === "stack");
    const notice = step((s) => s.if === "steps.stack.outputs.exists == 'false'");

    beforeAll(() => {
        if (fs.existsSync(GOJQ)) return;
        const r = spawnSync("bash", [path.join(ROOT, "scripts", "install-actionlint.sh")], { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`scripts/install-actionlint.sh failed:\n${r.stdout}${r.stderr}`);
    }, 300_000);

    test("is checked before anything touches it; the preview and the config step run only when it exists", () => {
        const names = steps.map((s) => s.name ?? s.uses ?? s.run);
        const at = (s: Step) => steps.indexOf(s);
        const preview = step((s) => s.uses?.startsWith("pulumi/actions@") === true && s.with?.command !== undefined);
        const namecheap = step((s) => s.name?.startsWith("Namecheap password") === true);
        expect(at(check)).toBeGreaterThan(names.indexOf("Install the Pulumi CLI"));
        expect(at(check)).toBeLessThan(at(namecheap));
        expect(at(notice)).toBeGreaterThan(at(check));
        // The check runs for every preview (and only there: up and destroy run a stack that is missing
        // into pulumi's own error). It sets exists to true or false, or fails the job.
        expect(check.if).toBe("steps.setup.outputs.ready == 'true' && inputs.command == 'preview'");
        expect(Object.values(load("preview.yml").jobs).flatMap(stackCalls).map((c) => c.with?.command)).toEqual(["preview", "preview"]);
        expect(preview.if).toBe("steps.setup.outputs.ready == 'true' && steps.stack.outputs.exists != 'false'");
        // Every command runs the program (PULUMI_RUN_PROGRAM), so a destroy needs the password too.
        expect(namecheap.if).toBe("steps.setup.outputs.ready == 'true' && steps.stack.outputs.exists != 'false'");
    });

    test("no step of the PR workflow can create a stack", () => {
        let seen = 0;
        for (const s of [...Object.values(load("preview.yml").jobs).flatMap((j) => j.steps), ...steps]) {
            // Commands, not the notice's advice to the user.
            const commands = (s.run ?? "").split("\n").filter((l) => /^\s*(out=\$\()?pulumi\s/.test(l));
            for (const c of commands) expect(c).not.toMatch(/stack init|--create|stack select (.* )?-c\b/);
            seen += commands.length;
            expect(s.with?.upsert).toBeUndefined();
        }
        expect(seen).toBeGreaterThanOrEqual(3);
    });

    // The CLI: exit 6 for a missing stack (pulumi/pulumi pkg/cmd/pulumi/cmd/exit_codes.go; seen
    // with v3.259.0 built from source: "error: no stack named 'prod' found"), older releases exit 1
    // with the same message.
    const pulumi = (code: number, message = "") =>
        `if [ "$1" = stack ]; then ${message ? `echo "${message}" >&2; ` : ""}exit ${code}; fi`;

    test.each([
        ["exists", 0, "", "exists=true"],
        ["missing (exit code 6)", 6, "error: no stack named 'acme/prod' found", "exists=false"],
        ["missing (an older CLI's exit code 1)", 1, "error: no stack named 'acme/prod' found", "exists=false"],
    ])("the check: %s", (_label, code, message, expected) => {
        const r = runStep(check, { STACK: "acme/prod" }, { pulumi: pulumi(code, message) });
        expect(r.status).toBe(0);
        expect(r.output.trim()).toBe(expected);
        expect(r.calls).toContain("pulumi stack select --non-interactive -- acme/prod");
        if (expected === "exists=false") expect(r.out).toContain("::notice::Stack acme/prod does not exist yet");
    });

    test.each([
        ["", "prod", "stack=prod"],
        ["acme", "prod", "stack=acme/prod"],
    ])("the stack's name with PULUMI_ORG %p: %s", (org, stack, expected) => {
        const name = step((s) => s.id === "name");
        expect(name.env).toEqual({ ORG: "${{ inputs.org }}", STACK: "${{ inputs.stack }}" });
        for (const f of ["deploy.yml", "destroy.yml", "preview.yml"]) {
            for (const job of Object.values(load(f).jobs)) for (const c of stackCalls(job)) expect(c.with?.org).toBe("${{ vars.PULUMI_ORG }}");
        }
        // The set-up check runs before the name is made: it reads the stack file by the bare stack.
        for (const s of steps.filter((x) => x.env?.STACK && x !== name && x.id !== "setup")) expect(s.env?.STACK).toBe("${{ steps.name.outputs.stack }}");
        expect(pulumiStep(loadAction())[0].with?.["stack-name"]).toBe("${{ steps.name.outputs.stack }}");
        const r = runStep(name, { ORG: org, STACK: stack }, {});
        expect(r.status).toBe(0);
        expect(r.output.trim()).toBe(expected);
    });

    test("the check fails on any other error (a bad token is not a missing stack)", () => {
        const r = runStep(check, { STACK: "prod" }, { pulumi: pulumi(3, "error: [401] unauthorized") });
        expect(r.status).toBe(3);
        expect(r.output).toBe("");
        expect(r.out).toContain("[401] unauthorized");
    });

    // gh: the comments of the PR as the REST API lists them, filtered with gh's own jq (gojq).
    const gh = (comments: object[]) =>
        [
            `if [ "$1" = api ] && [ "$2" = --paginate ]; then`,
            `  echo '${JSON.stringify(comments)}' | gojq -r "$5"`,
            `fi`,
        ].join("\n");
    const env = { STACK: "prod", PR: "7", GH_TOKEN: "t", GH_REPO: "acme/site" };

    test("the notice is a PR comment that says why, created once", () => {
        const r = runStep(notice, env, { gh: gh([{ id: 1, body: "### Pulumi preview of dev" }]) });
        expect(r.status).toBe(0);
        const calls = r.calls.trim().split("\n");
        expect(calls[0]).toContain("gh api --paginate repos/acme/site/issues/7/comments --jq");
        expect(calls[1]).toMatch(/^gh api --method POST repos\/acme\/site\/issues\/7\/comments -f body=<!-- django-doks: no stack prod -->/);
        expect(r.calls).toContain("`pulumi preview` of `prod`: skipped, the stack does not exist yet");
        expect(r.calls).toContain("A pull request never creates a stack");
    });

    test("later pushes edit that comment in place", () => {
        const r = runStep(notice, env, {
            gh: gh([
                { id: 1, body: "### Pulumi preview of dev" },
                { id: 42, body: "<!-- django-doks: no stack prod -->\nold text" },
            ]),
        });
        expect(r.status).toBe(0);
        expect(r.calls).toContain("gh api --method PATCH repos/acme/site/issues/comments/42 -f body=<!-- django-doks: no stack prod -->");
        expect(r.calls).not.toContain("--method POST");
    });
});

describe("a repository without the set-up (a new fork): the composite action's set-up check", () => {
    const steps = loadAction().runs.steps;
    const check = steps.find((s) => s.id === "setup")!;
    const github = { GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "someone/django-doks", GITHUB_SHA: "0123abc" };
    const docs = "https://github.com/someone/django-doks/blob/0123abc/docs/operations.md#where-each-secret-and-variable-lives";
    const SECRETS = [
        "DIGITALOCEAN_TOKEN", "PULUMI_ACCESS_TOKEN", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE",
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "NAMECHEAP_DDNS_PASSWORD",
    ];
    const BACKEND = "PULUMI_ACCESS_TOKEN (Pulumi Cloud) or PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE (a self-managed backend; AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY too for one in a DigitalOcean Space)";
    /** The check as a call runs it: an input the call leaves out arrives empty (its default ""), unless `unset`. */
    const runCheck = (set: Record<string, string>, o: { command?: string; stack?: string; environment?: string; cwd?: string; unset?: boolean } = {}) => {
        const empty = o.unset ? {} : Object.fromEntries(SECRETS.map((n) => [n, ""]));
        const env = { COMMAND: o.command ?? "up", STACK: o.stack ?? "dev", ENVIRONMENT: o.environment ?? "", ...github, ...empty, ...set };
        return runStep(check, env, {}, o.cwd);
    };

    test("comes first, and reads every secret the calls pass, from its environment", () => {
        expect(steps[0]).toBe(check);
        const inputs = Object.fromEntries(Object.entries(loadAction().inputs).map(([k]) => [k.toUpperCase().replace(/-/g, "_"), `\${{ inputs.${k} }}`]));
        for (const name of SECRETS) expect(check.env?.[name]).toBe(inputs[name]);
        expect(check.env).toMatchObject({ COMMAND: "${{ inputs.command }}", STACK: "${{ inputs.stack }}", ENVIRONMENT: "${{ inputs.environment }}" });
        expect(check.run).not.toContain("${{");
    });

    test("every later step runs only when the set-up is there", () => {
        const ready = "steps.setup.outputs.ready == 'true'";
        for (const s of steps.slice(1)) {
            // The PR comment about a missing stack follows the stack check, which itself needs the set-up.
            if (s.if === "steps.stack.outputs.exists == 'false'") continue;
            expect(s.if?.startsWith(ready)).toBe(true);
        }
        expect(steps.find((s) => s.id === "stack")?.if?.startsWith(ready)).toBe(true);
    });

    test.each([
        ["deploy.yml's dev (empty inputs)", { command: "up", stack: "dev" }, "pulumi up dev", "as repository secrets"],
        ["deploy.yml's dev (unset)", { command: "up", stack: "dev", unset: true }, "pulumi up dev", "as repository secrets"],
        ["preview.yml's prod", { command: "preview", stack: "prod", environment: "production-preview" }, "pulumi preview prod", "as secrets of the environment production-preview (or of the repository)"],
        ["destroy.yml's prod", { command: "destroy", stack: "prod", environment: "production" }, "pulumi destroy prod", "as secrets of the environment production (or of the repository)"],
    ])("none of the secrets (%s): a notice naming what to add and where, the rest skipped, the job green", (_label, o, title, where) => {
        const r = runCheck({}, o);
        expect(r.status).toBe(0);
        expect(r.output).toBe("ready=false\n");
        expect(r.out).toBe(
            `::notice title=${title}: not run, no set-up::This repository has none of the secrets the workflows need. ` +
                `Add DIGITALOCEAN_TOKEN, ${BACKEND} ${where}; with Pulumi Cloud stacks in an organization, the variable PULUMI_ORG too. See ${docs}\n`,
        );
    });

    const stackFileWithToken = () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "checkout-"));
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), "config:\n  digitalocean:token:\n    secure: v1:AAAA\n  django-doks:region: fra1\n");
        return dir;
    };

    test.each([
        ["Pulumi Cloud", { DIGITALOCEAN_TOKEN: "dop_v1_x", PULUMI_ACCESS_TOKEN: "pul-x" }],
        ["a self-managed backend on disk", { DIGITALOCEAN_TOKEN: "dop_v1_x", PULUMI_BACKEND_URL: "file:///srv/state", PULUMI_CONFIG_PASSPHRASE: "p" }],
        [
            "a DigitalOcean Space",
            { DIGITALOCEAN_TOKEN: "dop_v1_x", PULUMI_BACKEND_URL: "s3://state?endpoint=fra1.digitaloceanspaces.com", PULUMI_CONFIG_PASSPHRASE: "p", AWS_ACCESS_KEY_ID: "k", AWS_SECRET_ACCESS_KEY: "s" },
        ],
    ])("everything there (%s): ready, nothing said", (_label, set) => {
        const r = runCheck(set);
        expect(r).toMatchObject({ status: 0, output: "ready=true\n", out: "" });
    });

    test("the token in the stack file (digitalocean:token) instead of the secret: ready", () => {
        const cwd = stackFileWithToken();
        expect(runCheck({ PULUMI_ACCESS_TOKEN: "pul-x" }, { stack: "prod", cwd })).toMatchObject({ status: 0, output: "ready=true\n" });
        // Only that stack's file counts.
        const r = runCheck({ PULUMI_ACCESS_TOKEN: "pul-x" }, { stack: "dev", cwd });
        expect(r.status).toBe(1);
        expect(r.out).toContain("::error title=pulumi up dev: set-up incomplete::Missing: DIGITALOCEAN_TOKEN.");
    });

    test.each([
        ["only the backend", { PULUMI_ACCESS_TOKEN: "pul-x" }, "DIGITALOCEAN_TOKEN"],
        ["only the token", { DIGITALOCEAN_TOKEN: "dop_v1_x" }, BACKEND],
        ["a Space without its keys or the passphrase", { DIGITALOCEAN_TOKEN: "dop_v1_x", PULUMI_BACKEND_URL: "s3://state" }, "PULUMI_CONFIG_PASSPHRASE, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY"],
        ["only the Namecheap password", { NAMECHEAP_DDNS_PASSWORD: "n" }, `DIGITALOCEAN_TOKEN, ${BACKEND}`],
    ])("a set-up half done (%s) fails the job, naming what is missing", (_label, set, missing) => {
        const r = runCheck(set, { command: "preview", stack: "prod", environment: "production-preview" });
        expect(r.status).toBe(1);
        expect(r.output).toBe("");
        expect(r.out).toBe(
            `::error title=pulumi preview prod: set-up incomplete::Missing: ${missing}. ` +
                `Add each as secrets of the environment production-preview (or of the repository). See ${docs}\n`,
        );
        // Names, never values.
        for (const v of Object.values(set)) expect(r.out).not.toContain(`=${v}`);
    });
});

describe("deploy.yml", () => {
    const wf = load("deploy.yml");

    test("runs on pushes to main: test, then dev, then prod behind the production environment", () => {
        expect(wf.on).toEqual({ push: { branches: ["main"] } });
        expect(needs(wf.jobs.dev)).toEqual(["test"]);
        expect(needs(wf.jobs.prod)).toEqual(["dev"]);
        expect(envName(wf.jobs.prod)).toBe("production");
        expect(envName(wf.jobs.dev)).toBeUndefined();
    });

    test("each stack is updated by one run at a time, never cancelled, with the policy pack", () => {
        for (const stack of ["dev", "prod"]) {
            const job = wf.jobs[stack];
            expect(job.concurrency).toEqual({ group: `pulumi-${stack}`, "cancel-in-progress": false });
            const [call] = stackCalls(job);
            expect(pulumiRun(call).with).toMatchObject({ command: "up", policyPacks: "policy", refresh: true, message: "${{ github.sha }}" });
            expect(call.with?.stack).toBe(stack);
        }
    });
});

describe("a rotated DigitalOcean token", () => {
    // pulumi up --refresh and pulumi destroy use the providers as the state stored them (the
    // kubernetes provider's kubeconfig holds the token) unless the program runs first: pulumi/pulumi
    // pkg/cmd/pulumi/operations/up.go, refresh.go and destroy.go, the --run-program flag and its
    // environment variable PULUMI_RUN_PROGRAM (sdk/go/common/env/env.go, RunProgram).
    test.each(["deploy.yml", "destroy.yml", "preview.yml"])("%s refreshes and destroys with the program run first", (file) => {
        const calls = Object.values(load(file).jobs).flatMap(stackCalls);
        expect(calls.length).toBeGreaterThan(0);
        for (const call of calls) {
            const run = pulumiRun(call);
            expect(run.with?.refresh).toBe(true);
            expect(run.env?.PULUMI_RUN_PROGRAM).toBe("true");
            expect(run.env?.DIGITALOCEAN_TOKEN).toBe("${{ secrets.DIGITALOCEAN_TOKEN }}");
        }
    });
});

describe("destroy.yml", () => {
    const wf = load("destroy.yml");
    const guard = wf.jobs.guard.steps[0];

    test("is started by hand with a stack choice and a typed confirmation", () => {
        expect(Object.keys(wf.on)).toEqual(["workflow_dispatch"]);
        const inputs = wf.on.workflow_dispatch.inputs;
        expect(inputs.stack).toMatchObject({ type: "choice", options: ["dev", "prod"], required: true });
        expect(inputs.confirm).toMatchObject({ type: "string", required: true });
    });

    test("destroys only after the guard; prod waits for the production environment", () => {
        expect(wf.jobs.guard.steps).toHaveLength(1);
        for (const stack of ["dev", "prod"]) {
            const job = wf.jobs[`destroy-${stack}`];
            expect(needs(job)).toEqual(["guard"]);
            expect(job.if).toBe(`inputs.stack == '${stack}'`);
            expect(job.concurrency).toEqual({ group: `pulumi-${stack}`, "cancel-in-progress": false });
            const [call] = stackCalls(job);
            expect(call.with?.stack).toBe(stack);
            // No policy pack, the stack kept; the program runs, with the Namecheap password it validates.
            expect(pulumiRun(call).with).toMatchObject({ command: "destroy", policyPacks: "", refresh: true, remove: false });
            expect(call.with?.["namecheap-ddns-password"]).toBe("${{ secrets.NAMECHEAP_DDNS_PASSWORD }}");
        }
        expect(envName(wf.jobs["destroy-prod"])).toBe("production");
    });

    test("the guard reads the inputs through its environment, not by expansion in the script", () => {
        expect(guard.run).not.toContain("${{");
        expect(Object.values(guard.env ?? {}).sort()).toEqual(["${{ inputs.confirm }}", "${{ inputs.stack }}"]);
    });

    // The guard's own shell, run under bash with the inputs it would receive.
    const runGuard = (stack: string, confirm: string) => {
        const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
        for (const [name, value] of Object.entries(guard.env ?? {})) {
            env[name] = value === "${{ inputs.stack }}" ? stack : value === "${{ inputs.confirm }}" ? confirm : value;
        }
        const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "guard-")), "guard.sh");
        // GitHub runs `run:` with bash -e {0} (plus --noprofile --norc, -o pipefail).
        fs.writeFileSync(script, guard.run ?? "");
        const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], { env, encoding: "utf8" });
        return { status: r.status, out: `${r.stdout}${r.stderr}` };
    };

    test.each([
        ["dev", "dev"],
        ["prod", "destroy prod"],
    ])("accepts stack %s with confirm %p", (stack, confirm) => {
        const r = runGuard(stack, confirm);
        expect(r.status).toBe(0);
        expect(r.out).toContain(`Confirmed: destroying ${stack}.`);
    });

    test.each([
        ["prod", "prod", "destroy prod"],
        ["prod", "destroy  prod", "destroy prod"],
        ["prod", "Destroy prod", "destroy prod"],
        ["prod", "destroy prod ", "destroy prod"],
        ["prod", "destroy dev", "destroy prod"],
        ["prod", "", "destroy prod"],
        ["dev", "Dev", "dev"],
        ["dev", "destroy prod", "dev"],
        ["dev", "", "dev"],
    ])("refuses stack %s with confirm %p", (stack, confirm, expected) => {
        const r = runGuard(stack, confirm);
        expect(r.status).toBe(1);
        expect(r.out).toContain(`::error::Refusing to destroy ${stack}: type exactly "${expected}" in confirm.`);
    });

    test("refuses a stack it does not know", () => {
        const r = runGuard("staging", "staging");
        expect(r.status).toBe(1);
        expect(r.out).toContain('::error::Unknown stack "staging".');
    });
});

describe("the preview's PR comment: the estimated cost before and after", () => {
    const steps = loadAction().runs.steps;
    const step = steps.find((s) => s.name?.startsWith("Estimated cost of"))!;
    const heading = "#### :tropical_drink: `preview` on django-doks/acme/prod";
    const preview = `${heading}\n\n<details>\n<summary>Pulumi report</summary>\n<pre>\nResources:\n    ~ 1 to update\n    60 unchanged\n</pre>\n</details>`;
    const cost = (totalUsd: number) =>
        JSON.stringify({ totalUsd, lines: [{ item: "DOKS node s-2vcpu-4gb (workers)", quantity: totalUsd / 24, unitUsd: 24, usd: totalUsd }], unpriced: [], nodePrices: "table" });
    // git and npm stand in for the base's checkout and each commit's `npm run cost`; gh for the REST API.
    const fakes = (comments: object[], baseHasScript: boolean) => ({
        git: `if [ "$1" = worktree ]; then mkdir -p "$4/scripts"; ${baseHasScript ? 'touch "$4/scripts/cost.ts";' : ""} fi`,
        npm: `if [ "$1" = run ]; then case "$PWD" in */base) echo '${cost(72)}';; *) echo '${cost(96)}';; esac; fi`,
        gh: [
            `if [ "$2" = --paginate ]; then echo '${JSON.stringify(comments)}' | gojq -r "$5"; exit 0; fi`,
            `if [ "$2" = --method ]; then for a; do case "$a" in body=@*) cp "\${a#body=@}" "$OUT_BODY";; esac; done; exit 0; fi`,
            `echo '${JSON.stringify(comments)}' | gojq -r '.[] | select(.id == 42) | .body'`,
        ].join("\n"),
    });
    const run = (comments: object[], baseHasScript = true) => {
        const temp = fs.mkdtempSync(path.join(os.tmpdir(), "runner-temp-"));
        const out = path.join(temp, "posted.md");
        const env = { STACK_FILE: "prod", STACK: "acme/prod", BASE_SHA: "b45e", PR: "7", GH_TOKEN: "t", GH_REPO: "acme/site", RUNNER_TEMP: temp, OUT_BODY: out };
        const r = runStep(step, env, fakes(comments, baseHasScript), ROOT);
        return { ...r, calls: r.calls.trim().split("\n"), posted: fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "" };
    };

    test("runs only after a successful preview that comments on the PR", () => {
        expect(step.if).toBe("steps.setup.outputs.ready == 'true' && steps.pulumi.outcome == 'success' && inputs.command == 'preview' && inputs.comment-on-pr == 'true'");
        expect(steps.indexOf(step)).toBe(steps.findIndex((s) => s.id === "pulumi") + 1);
        expect(steps.find((s) => s.id === "pulumi")!.with?.["comment-on-pr"]).toBe("${{ inputs.comment-on-pr }}");
    });

    test("the base's and the head's estimates, appended to the preview's comment, which keeps its summary", () => {
        const r = run([{ id: 1, body: "#### :tropical_drink: `preview` on django-doks/acme/dev\n..." }, { id: 42, body: preview }]);
        expect(r.status).toBe(0);
        expect(r.calls).toContain("git fetch --no-tags --depth=1 origin b45e");
        expect(r.calls).toContainEqual(expect.stringMatching(/^git worktree add --detach \S+\/cost-prod\/base b45e$/));
        expect(r.calls).toContainEqual(expect.stringMatching(/^gh api --method PATCH repos\/acme\/site\/issues\/comments\/42 -F body=@\S+\/body\.md$/));
        expect(r.posted.startsWith(`${preview}\n\n<!-- django-doks: cost prod -->\n`)).toBe(true);
        expect(r.posted).toContain("| **Total** | $72.00 | $96.00 | **+$24.00** |");
        expect(r.posted).toContain("| DOKS node s-2vcpu-4gb (workers) | 3 x $24.00 = $72.00 | 4 x $24.00 = $96.00 | +$24.00 |");
    });

    test("a base without the cost script says so; without the preview's comment, a comment of its own", () => {
        const r = run([{ id: 1, body: "unrelated" }], false);
        expect(r.status).toBe(0);
        expect(r.calls).toContainEqual(expect.stringMatching(/^gh api --method POST repos\/acme\/site\/issues\/7\/comments -F body=@/));
        expect(r.posted.startsWith("<!-- django-doks: cost prod -->\n")).toBe(true);
        expect(r.posted).toContain("| **Total** | not available | $96.00 | – |");
        expect(r.posted).toContain("No estimate before the change: the base commit has no scripts/cost.ts");
    });
});

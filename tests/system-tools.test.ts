import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./harness";

const LIBRARY = path.join(ROOT, "scripts", "system-tools.sh");
const PG_TOOLS = ["initdb", "pg_ctl", "psql", "postgres"];

/** Runs bash with scripts/system-tools.sh sourced, then SCRIPT; PATH starts with `pathFirst`. */
function sourced(script: string, pathFirst: string[] = []) {
    const r = spawnSync("bash", ["-c", `set -euo pipefail; source "${LIBRARY}"; ${script}`], {
        encoding: "utf8",
        env: { ...process.env, PATH: [...pathFirst, process.env.PATH].join(":") },
    });
    return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

function fakeTools(dir: string, tools: string[]) {
    fs.mkdirSync(dir, { recursive: true });
    for (const tool of tools) fs.writeFileSync(path.join(dir, tool), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    return dir;
}

/** A PATH directory with only the commands the search itself runs: no PostgreSQL of this machine. */
function searchCommandsOnly(dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    for (const command of ["dirname", "readlink", "sort"]) {
        const found = spawnSync("bash", ["-c", `command -v ${command}`], { encoding: "utf8" }).stdout.trim();
        fs.symlinkSync(found, path.join(dir, command));
    }
    return dir;
}

const globs = (...patterns: string[]) => `PG_BIN_GLOBS=(${patterns.map((p) => `"${p}"`).join(" ")});`;

describe("finding PostgreSQL and pgbouncer where contributors installed them", () => {
    let tmp: string;
    beforeEach(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "system-tools-"));
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    test("a server install on PATH wins over every other location", () => {
        const onPath = fakeTools(path.join(tmp, "bin"), PG_TOOLS);
        const distro = fakeTools(path.join(tmp, "usr/lib/postgresql/18/bin"), PG_TOOLS);
        const r = sourced(`${globs(`${tmp}/usr/lib/postgresql/*/bin`)} pg_bindir`, [onPath]);
        expect(distro).not.toBe(onPath);
        expect(r).toMatchObject({ status: 0, stdout: onPath });
    });

    test("initdb on PATH as a link (Homebrew's bin, /usr/local/bin) gives the directory it points into", () => {
        const cellar = fakeTools(path.join(tmp, "Cellar/postgresql@17/17.5/bin"), PG_TOOLS);
        const linkDir = path.join(tmp, "homebrew-bin");
        fs.mkdirSync(linkDir);
        fs.symlinkSync(path.join(cellar, "initdb"), path.join(linkDir, "initdb"));
        expect(sourced(`${globs()} pg_bindir`, [linkDir])).toMatchObject({ status: 0, stdout: fs.realpathSync(cellar) });
    });

    test("without a complete install on PATH: Homebrew before the distribution's, the newest version in each", () => {
        const clientOnly = fakeTools(path.join(tmp, "client-bin"), ["psql"]);
        fakeTools(path.join(tmp, "opt/homebrew/opt/postgresql@16/bin"), PG_TOOLS);
        const newest = fakeTools(path.join(tmp, "opt/homebrew/opt/postgresql@17/bin"), PG_TOOLS);
        fakeTools(path.join(tmp, "opt/homebrew/opt/postgresql@18/bin"), ["psql"]);
        fakeTools(path.join(tmp, "usr/lib/postgresql/18/bin"), PG_TOOLS);
        const patterns = globs(`${tmp}/opt/homebrew/opt/postgresql*/bin`, `${tmp}/usr/lib/postgresql/*/bin`);
        const path_ = `PATH="${clientOnly}:${searchCommandsOnly(path.join(tmp, "path"))}";`;
        expect(sourced(`${patterns} ${path_} pg_bindir`)).toMatchObject({ status: 0, stdout: newest });
    });

    test("Fedora's PGDG layout is searched, and nothing found prints nothing", () => {
        const pgdg = fakeTools(path.join(tmp, "usr/pgsql-16/bin"), PG_TOOLS);
        const only = `PATH="${searchCommandsOnly(path.join(tmp, "path"))}";`;
        expect(sourced(`${globs(`${tmp}/nowhere/*/bin`, `${tmp}/usr/pgsql-*/bin`)} ${only} pg_bindir`)).toMatchObject({ stdout: pgdg });
        expect(sourced(`${globs(`${tmp}/nowhere/*/bin`)} ${only} pg_bindir`)).toMatchObject({ status: 0, stdout: "" });
    });

    test("the default search order: PATH, Homebrew, /usr/local, then the distributions' directories", () => {
        const r = sourced(`printf '%s\\n' "\${PG_BIN_GLOBS[@]}"`);
        expect(r.stdout.split("\n")).toEqual([
            "/opt/homebrew/opt/postgresql*/bin",
            "/usr/local/opt/postgresql*/bin",
            "/opt/homebrew/bin",
            "/usr/local/bin",
            "/usr/lib/postgresql/*/bin",
            "/usr/pgsql-*/bin",
        ]);
    });

    test("pgbouncer on PATH wins over /usr/sbin", () => {
        const onPath = fakeTools(path.join(tmp, "bin"), ["pgbouncer"]);
        expect(sourced("pgbouncer_bin", [onPath])).toMatchObject({ status: 0, stdout: path.join(onPath, "pgbouncer") });
        const elsewhere = fakeTools(path.join(tmp, "sbin"), ["pgbouncer"]);
        expect(sourced(`PGBOUNCER_DIRS=("${elsewhere}"); PATH=/nonexistent; pgbouncer_bin`)).toMatchObject({
            stdout: path.join(elsewhere, "pgbouncer"),
        });
    });
});

describe("system packages are announced, with the reason, before apt-get runs", () => {
    // apt-get and sudo as functions: the test installs nothing, whether it runs as root or not.
    const fakeApt = `apt-get() { echo "ran apt-get $*" >&2; }; sudo() { shift; "$@"; };`;

    test("one line per package, then apt-get update and one install", () => {
        const r = sourced(`${fakeApt} apt_install app "pgbouncer:pools the connections" "postgresql:runs the server"`);
        expect(r.status).toBe(0);
        expect(r.stderr.split("\n")).toEqual([
            "app: installing the system package pgbouncer with apt-get (system-wide): pools the connections",
            "app: installing the system package postgresql with apt-get (system-wide): runs the server",
            "ran apt-get update -qq",
            "ran apt-get install -y -qq --no-install-recommends pgbouncer postgresql",
        ]);
    });

    test("ensure_pg_installed asks apt only for what is missing, and says why", () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "system-tools-"));
        try {
            const server = fakeTools(path.join(tmp, "bin"), PG_TOOLS);
            const r = sourced(
                `${fakeApt} PGBOUNCER_DIRS=(); PATH="${server}:${searchCommandsOnly(path.join(tmp, "path"))}"; ensure_pg_installed || echo "status $?"`,
            );
            const lines = r.stderr.split("\n");
            expect(lines[0]).toMatch(/^app: installing the system package pgbouncer with apt-get \(system-wide\): the app's tests reach PostgreSQL through pgbouncer/);
            expect(lines.filter((l) => l.includes("installing the system package"))).toHaveLength(1);
            expect(lines).toContain("ran apt-get install -y -qq --no-install-recommends pgbouncer");
            // The fake apt-get installed nothing: the missing pgbouncer is then reported.
            expect(r.stderr).toContain("PostgreSQL server (initdb pg_ctl psql postgres) or pgbouncer still missing");
            expect(r.stdout).toBe("status 1");
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    test("no script installs a system package except through apt_install", () => {
        const scripts = fs.readdirSync(path.join(ROOT, "scripts")).filter((f) => f.endsWith(".sh") && f !== "system-tools.sh");
        for (const file of scripts) {
            const code = fs.readFileSync(path.join(ROOT, "scripts", file), "utf8").split("\n").filter((l) => !/^\s*#/.test(l));
            expect({ file, apt: code.filter((l) => /\b(apt-get|apt|brew|dnf|yum)\s+install\b/.test(l)) }).toEqual({ file, apt: [] });
        }
    });
});

describe("slow steps say they are still running", () => {
    test("a line every PROGRESS_EVERY seconds while the command runs, and its exit status", () => {
        // The command ends only once a progress line was printed: no race with the machine's speed.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "progress-"));
        const log = path.join(dir, "stderr");
        const r = sourced(
            `PROGRESS_EVERY=1; with_progress app "sleeping" bash -c 'until grep -q still "$0"; do sleep 0.05; done; exit 3' "${log}" 2>"${log}" || echo "status $?"`,
        );
        const lines = fs.readFileSync(log, "utf8").trim().split("\n");
        fs.rmSync(dir, { recursive: true, force: true });
        expect(r.stdout).toBe("status 3");
        expect(lines.length).toBeGreaterThanOrEqual(1);
        for (const line of lines) expect(line).toMatch(/^app: still sleeping \(\d+ s\)$/);
    });

    test("a command that ends before the first interval prints nothing", () => {
        expect(sourced(`PROGRESS_EVERY=600; with_progress app "waiting" true`)).toEqual({ status: 0, stdout: "", stderr: "" });
    });
});

test("the shell scripts pass shellcheck (which npm test's set-up installs)", () => {
    const files = [".ci/run", ...fs.readdirSync(path.join(ROOT, "scripts")).filter((f) => f.endsWith(".sh")).map((f) => `scripts/${f}`)];
    const r = spawnSync("shellcheck", ["-x", ...files], { cwd: ROOT, encoding: "utf8" });
    expect(r.error).toBeUndefined();
    expect(`${r.stdout}${r.stderr}`).toBe("");
    expect(r.status).toBe(0);
});

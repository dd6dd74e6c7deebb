// @ts-check
// The pack runs from JavaScript in dist/, built from policy/*.ts by `node policy/build.js`
// (npm's `prepare`, so every `npm ci`, and npm test's set-up). The Pulumi CLI starts a nodejs
// pack with @pulumi/pulumi/cmd/run-policy-pack, which registers ts-node with type checking
// whatever PulumiPolicy.yaml says (run-policy-pack/index.js: `typeScript: !process.versions.bun`;
// run.js: `tsn.register({ typeCheck: true, ... })`): a TypeScript pack is compiled against every
// SDK typing it imports at each start. A JavaScript main is loaded without ts-node.
// Types are checked by npm test (`tsc`, tsconfig.json includes policy/).
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const OUT = "dist";
const MANIFEST = "sources.json";
const REBUILD = "npm run build:policy";

/** The pack's sources: the TypeScript files of the pack's folder (tsconfig.json: `*.ts`). */
function sources(dir) {
    return fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).sort();
}

/** @returns {Record<string, string>} each source's SHA-256. */
function sourceHashes(dir) {
    return Object.fromEntries(
        sources(dir).map((f) => [f, crypto.createHash("sha256").update(fs.readFileSync(path.join(dir, f))).digest("hex")]),
    );
}

/** What differs between the sources and the build in dist/: "x.ts (changed)", ...; empty when current. */
function staleSources(dir) {
    let built;
    try {
        built = JSON.parse(fs.readFileSync(path.join(dir, OUT, MANIFEST), "utf8")).sources;
    } catch {
        return [`${OUT}/${MANIFEST} (missing: not built)`];
    }
    const now = sourceHashes(dir);
    const names = [...new Set([...Object.keys(now), ...Object.keys(built)])].sort();
    return names.flatMap((f) => {
        if (!(f in built)) return [`${f} (new)`];
        if (!(f in now)) return [`${f} (removed)`];
        return built[f] === now[f] ? [] : [`${f} (changed)`];
    });
}

/** Refuses to start a pack whose dist/ was built from other sources. */
function assertCurrent(dir) {
    const stale = staleSources(dir);
    if (stale.length > 0) {
        throw new Error(
            `the policy pack in ${dir} is not built from its current sources: ${stale.join(", ")}. ` +
                `Run "${REBUILD}" (npm ci runs it too).`,
        );
    }
}

/**
 * Each source transpiled on its own (tsconfig.json sets isolatedModules, so this is what tsc
 * would emit), with the compiler options of the pack's tsconfig.json.
 * @returns {Record<string, string>} file name in dist/ to content, the manifest included.
 */
function compile(dir) {
    const ts = require("typescript");
    const config = ts.getParsedCommandLineOfConfigFile(path.join(dir, "tsconfig.json"), {}, {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
            throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        },
    });
    if (!config) throw new Error(`cannot read ${path.join(dir, "tsconfig.json")}`);
    // Stack traces point at the sources: dist/x.js maps to ../x.ts.
    const compilerOptions = { ...config.options, inlineSourceMap: true, sourceMap: false, sourceRoot: ".." };
    /** @type {Record<string, string>} */
    const files = {};
    for (const f of sources(dir)) {
        const out = ts.transpileModule(fs.readFileSync(path.join(dir, f), "utf8"), {
            compilerOptions,
            fileName: f,
            reportDiagnostics: true,
        });
        if (out.diagnostics && out.diagnostics.length > 0) {
            throw new Error(`${f}: ${out.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ")}`);
        }
        files[f.replace(/\.ts$/, ".js")] = out.outputText;
    }
    files[MANIFEST] = JSON.stringify({ sources: sourceHashes(dir) }, null, 2) + "\n";
    return files;
}

/** Writes dist/ afresh. */
function build(dir) {
    const files = compile(dir);
    const out = path.join(dir, OUT);
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out);
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(out, f), text);
}

/** What in dist/ differs from a fresh build: file names, empty when current. */
function outdatedOutputs(dir) {
    const files = compile(dir);
    const out = path.join(dir, OUT);
    const present = fs.existsSync(out) ? fs.readdirSync(out) : [];
    const names = [...new Set([...Object.keys(files), ...present])].sort();
    return names.filter((f) => !(f in files) || !present.includes(f) || fs.readFileSync(path.join(out, f), "utf8") !== files[f]);
}

module.exports = { assertCurrent, build, outdatedOutputs, staleSources, OUT };

// node policy/build.js [--check]: build dist/, or only report what a build would change (exit 1).
if (require.main === module) {
    const dir = __dirname;
    if (process.argv.includes("--check")) {
        const outdated = outdatedOutputs(dir);
        if (outdated.length > 0) {
            console.error(`policy/${OUT} differs from a fresh build in: ${outdated.join(", ")}. Run "${REBUILD}".`);
            process.exit(1);
        }
    } else {
        build(dir);
    }
}

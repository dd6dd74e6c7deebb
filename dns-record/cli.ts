/**
 * CLI run by the DNS resources:
 *   node -r ts-node/register/transpile-only dns-record/cli.ts update|wait
 * update: NAMECHEAP_DDNS_URL, NAMECHEAP_DDNS_PASSWORD, DNS_HOST, DNS_DOMAIN, DNS_IP
 * wait:   DNS_HOST, DNS_DOMAIN, DNS_IP, DNS_RESOLVERS (comma-separated, empty = authoritative),
 *         DNS_TIMEOUT_SECONDS (default 600), DNS_INTERVAL_SECONDS (default 5)
 * Exit codes: 0 done, 1 failed, 2 missing or invalid input.
 */
import { isIPv4 } from "node:net";
import { getDomain } from "tldts";
import { parseServer, waitForRecord } from "./dns-wait";
import { fqdnOf, redact, updateDdnsRecord } from "./namecheap";

export interface Output {
    log(line: string): void;
    error(line: string): void;
}

class UsageError extends Error {}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/i;
const DEFAULTS = { timeoutSeconds: 600, intervalSeconds: 5 };

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
    const v = env[name]?.trim();
    return v ? v : undefined;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
    const v = value(env, name);
    if (v === undefined) throw new UsageError(`${name} is not set`);
    return v;
}

function host(env: NodeJS.ProcessEnv): string {
    const h = required(env, "DNS_HOST");
    const labels = h.split(".");
    const ok = h === "@" || labels.every((l, i) => LABEL.test(l) || (i === 0 && l === "*"));
    if (!ok) throw new UsageError(`DNS_HOST must be "@" or a host label such as "www", got ${JSON.stringify(h)}`);
    return h;
}

function domain(env: NodeJS.ProcessEnv): string {
    const d = required(env, "DNS_DOMAIN").toLowerCase().replace(/\.$/, "");
    const labels = d.split(".");
    if (labels.length < 2 || !labels.every((l) => LABEL.test(l) && !l.includes("_"))) {
        throw new UsageError(`DNS_DOMAIN is not a domain name: ${JSON.stringify(d)}`);
    }
    const registered = getDomain(d);
    if (registered !== d) {
        const hint = registered ? ` (${registered})` : "";
        throw new UsageError(`DNS_DOMAIN must be the registered domain${hint}, got ${JSON.stringify(d)}`);
    }
    return d;
}

function ipv4(env: NodeJS.ProcessEnv): string {
    const ip = required(env, "DNS_IP");
    if (!isIPv4(ip)) throw new UsageError(`DNS_IP must be an IPv4 address, got ${JSON.stringify(ip)}`);
    return ip;
}

function secondsVar(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
    const v = value(env, name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) {
        throw new UsageError(`${name} must be a positive number of seconds, got ${JSON.stringify(v)}`);
    }
    return n;
}

function resolvers(env: NodeJS.ProcessEnv): string[] {
    const entries = (env.DNS_RESOLVERS ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    return entries.map((s) => {
        try {
            return parseServer(s);
        } catch {
            throw new UsageError(`DNS_RESOLVERS entry ${JSON.stringify(s)} is not an IPv4 address or address:port`);
        }
    });
}

function plural(n: number, one: string, many: string): string {
    return `${n} ${n === 1 ? one : many}`;
}

async function update(env: NodeJS.ProcessEnv, out: Output): Promise<void> {
    const baseUrl = required(env, "NAMECHEAP_DDNS_URL");
    let url: URL | undefined;
    try {
        url = new URL(baseUrl);
    } catch {
        url = undefined;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
        throw new UsageError(`NAMECHEAP_DDNS_URL must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
    }
    const password = required(env, "NAMECHEAP_DDNS_PASSWORD");
    const req = { baseUrl, password, host: host(env), domain: domain(env), ip: ipv4(env) };
    const result = await updateDdnsRecord(req);
    out.log(`updated ${fqdnOf(req.host, req.domain)} -> ${result.ip} (${plural(result.attempts, "attempt", "attempts")})`);
}

async function wait(env: NodeJS.ProcessEnv, out: Output): Promise<void> {
    const d = domain(env);
    const fqdn = fqdnOf(host(env), d);
    const expectedIp = ipv4(env);
    const servers = resolvers(env);
    const timeoutMs = secondsVar(env, "DNS_TIMEOUT_SECONDS", DEFAULTS.timeoutSeconds) * 1000;
    const intervalMs = secondsVar(env, "DNS_INTERVAL_SECONDS", DEFAULTS.intervalSeconds) * 1000;
    const result = await waitForRecord({ fqdn, expectedIp, domain: d, resolvers: servers, timeoutMs, intervalMs });
    out.log(
        `${fqdn} resolves to ${expectedIp} at ${plural(result.servers.length, "server", "servers")} ` +
            `after ${plural(result.attempts, "query", "queries")} (${Math.round(result.elapsedMs / 1000)}s)`,
    );
}

const USAGE = "usage: dns-record.ts <update|wait> (configured through environment variables)";

/** `argv` is the arguments after the script name; returns the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv, out: Output): Promise<number> {
    const secret = env.NAMECHEAP_DDNS_PASSWORD?.trim() ?? "";
    const safe: Output = {
        log: (line) => out.log(redact(line, secret)),
        error: (line) => out.error(redact(line, secret)),
    };
    const command = argv[0];
    try {
        if (argv.length !== 1) throw new UsageError(USAGE);
        if (command === "update") await update(env, safe);
        else if (command === "wait") await wait(env, safe);
        else throw new UsageError(`unknown command ${JSON.stringify(command)}; ${USAGE}`);
        return 0;
    } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        const prefix = command === "update" || command === "wait" ? `dns-record ${command}` : "dns-record";
        safe.error(`${prefix}: ${message}`);
        return e instanceof UsageError ? 2 : 1;
    }
}

if (require.main === module) {
    void main(process.argv.slice(2), process.env, {
        log: (line) => console.log(line),
        error: (line) => console.error(line),
    }).then((code) => {
        process.exitCode = code;
    });
}

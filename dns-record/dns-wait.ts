/**
 * Waits until an A record is visible at every server that answers for it: by default the
 * domain's authoritative nameservers, which is what ACME validators see.
 */
import { promises as dns } from "node:dns";
import { isIPv4 } from "node:net";
import { REAL_CLOCK, seconds, type Clock } from "./clock";

export interface PropagationOptions {
    /** Name to check, e.g. app.example.org. */
    fqdn: string;
    /** IPv4 address the A record set must contain. */
    expectedIp: string;
    /** Zone whose NS records name the authoritative servers, e.g. example.org. */
    domain: string;
    /** `host` or `host:port` (IPv4). Non-empty: ask exactly these instead of the authoritative servers. */
    resolvers?: string[];
    /** Whole wait. Default 600 000 ms. */
    timeoutMs?: number;
    /** Pause between rounds of queries. Default 5 000 ms. */
    intervalMs?: number;
    /** Timeout of one query. Default 3 000 ms. */
    queryTimeoutMs?: number;
    /** Resolvers for the NS lookup (`host[:port]`). Default: the system's. */
    bootstrapResolvers?: string[];
    /** Port of the authoritative servers. Default 53. */
    nameserverPort?: number;
    /** What the deadline and the pauses between rounds are measured on. Default: the real clock. */
    clock?: Clock;
}

export const DEFAULT_PROPAGATION = {
    timeoutMs: 600_000,
    intervalMs: 5_000,
    queryTimeoutMs: 3_000,
    nameserverPort: 53,
} as const;

const IPV4_PORT = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/;

/** A `host` or `host:port` IPv4 server entry taken apart, or what is wrong with it: the address, or a port outside 1 to 65535. */
export function serverEntry(entry: string): { address: string; port?: number } | { problem: "address" | "port" } {
    const m = IPV4_PORT.exec(entry);
    if (!m || !isIPv4(m[1])) return { problem: "address" };
    const port = m[2] === undefined ? undefined : Number(m[2]);
    if (port !== undefined && (port < 1 || port > 65535)) return { problem: "port" };
    return { address: m[1], port };
}

/** Validates a `host` or `host:port` IPv4 server entry and returns it normalised. */
export function parseServer(entry: string): string {
    const server = serverEntry(entry.trim());
    if ("problem" in server) throw new Error(`not an IPv4 address or address:port: ${JSON.stringify(entry)}`);
    return server.port === undefined ? server.address : `${server.address}:${server.port}`;
}

function resolverFor(servers: string[] | undefined, timeoutMs: number, tries: number): dns.Resolver {
    const r = new dns.Resolver({ timeout: Math.max(1, Math.ceil(timeoutMs)), tries });
    if (servers && servers.length > 0) r.setServers(servers.map(parseServer));
    return r;
}

/**
 * Runs `query` on a fresh resolver (no state shared between queries). c-ares stretches short
 * timeouts (to about 250 ms) and doubles them per try, so a guard cancels at the intended bound.
 */
export async function withResolver<T>(
    servers: string[] | undefined,
    timeoutMs: number,
    tries: number,
    query: (r: dns.Resolver) => Promise<T>,
): Promise<T> {
    const r = resolverFor(servers, timeoutMs, tries);
    const guard = setTimeout(() => r.cancel(), Math.ceil(timeoutMs) * (2 ** tries - 1) + 20);
    try {
        return await query(r);
    } finally {
        clearTimeout(guard);
    }
}

function code(e: unknown): string | undefined {
    return (e as { code?: string } | null)?.code;
}

function describeError(e: unknown): string {
    switch (code(e)) {
        case "ENOTFOUND":
            return "NXDOMAIN";
        case "ENODATA":
            return "no data (NOERROR, no records)";
        case "ESERVFAIL":
            return "SERVFAIL";
        case "EREFUSED":
            return "REFUSED";
        case "ETIMEOUT":
        case "ECANCELLED":
            return "timeout";
        case "ECONNREFUSED":
            return "connection refused";
        default:
            return code(e) ?? (e instanceof Error ? e.message : String(e));
    }
}

async function discover(
    domain: string,
    bootstrap: string[] | undefined,
    queryTimeoutMs: number,
    tries: number,
): Promise<{ name: string; address: string }[]> {
    const ask = <T>(q: (r: dns.Resolver) => Promise<T>) => withResolver(bootstrap, queryTimeoutMs, tries, q);
    let names: string[];
    try {
        names = await ask((r) => r.resolveNs(domain));
    } catch (e) {
        throw new Error(`NS lookup of ${domain} failed: ${describeError(e)}`);
    }
    // c-ares returns names without the root's trailing dot.
    names = [...new Set(names.map((n) => n.toLowerCase()))].sort();
    if (names.length === 0) throw new Error(`NS lookup of ${domain} returned no nameservers`);

    const failures: string[] = [];
    const found = await Promise.all(
        names.map(async (name) => {
            try {
                const addresses = await ask((r) => r.resolve4(name));
                return [...new Set(addresses)].sort().map((address) => ({ name, address }));
            } catch (e) {
                failures.push(`${name}: ${describeError(e)}`);
                return [];
            }
        }),
    );
    const servers = found.flat();
    if (servers.length === 0) {
        throw new Error(`no nameserver of ${domain} has an IPv4 address (${failures.join("; ")})`);
    }
    return servers;
}

/** The domain's authoritative nameservers and their IPv4 addresses, from an NS lookup. */
export async function authoritativeServers(
    domain: string,
    bootstrapResolvers?: string[],
): Promise<{ name: string; address: string }[]> {
    return discover(domain, bootstrapResolvers, DEFAULT_PROPAGATION.queryTimeoutMs, 2);
}

interface Target {
    label: string;
    server: string;
}

type Answer = { ok: boolean; text: string };

async function ask(target: Target, fqdn: string, expectedIp: string, timeoutMs: number): Promise<Answer> {
    try {
        const ips = [...new Set(await withResolver([target.server], timeoutMs, 1, (r) => r.resolve4(fqdn)))].sort();
        if (ips.length === 0) return { ok: false, text: "no data (NOERROR, no records)" };
        return { ok: ips.includes(expectedIp), text: ips.join(", ") };
    } catch (e) {
        return { ok: false, text: describeError(e) };
    }
}

/**
 * Polls every `intervalMs` until every server's A record set for `fqdn` contains
 * `expectedIp`. Wrong answers keep it waiting (caches expire); only the deadline ends it.
 */
export async function waitForRecord(
    opts: PropagationOptions,
): Promise<{ attempts: number; elapsedMs: number; servers: string[] }> {
    const { fqdn, expectedIp, domain } = opts;
    if (!isIPv4(expectedIp)) throw new Error(`not an IPv4 address: ${JSON.stringify(expectedIp)}`);
    const timeoutMs = Math.max(1, opts.timeoutMs ?? DEFAULT_PROPAGATION.timeoutMs);
    const intervalMs = Math.max(0, opts.intervalMs ?? DEFAULT_PROPAGATION.intervalMs);
    const queryTimeoutMs = Math.max(1, Math.min(opts.queryTimeoutMs ?? DEFAULT_PROPAGATION.queryTimeoutMs, timeoutMs));
    const port = opts.nameserverPort ?? DEFAULT_PROPAGATION.nameserverPort;
    const clock = opts.clock ?? REAL_CLOCK;

    const explicit = (opts.resolvers ?? []).map((s) => s.trim()).filter((s) => s !== "");
    let targets: Target[] | undefined = explicit.length
        ? explicit.map((s) => {
              const server = parseServer(s);
              return { label: server, server };
          })
        : undefined;

    const started = clock.now();
    const deadline = started + timeoutMs;
    let attempts = 0;
    let discoveryError: string | undefined;
    let last: Answer[] = [];

    // Each round's queries are cut to the time left, so the wait ends by the deadline.
    for (let left = timeoutMs; left > 0; left = deadline - clock.now()) {
        const queryMs = Math.min(queryTimeoutMs, left);
        if (!targets) {
            try {
                // One try: the next round retries.
                const found = await discover(domain, opts.bootstrapResolvers, queryMs, 1);
                const suffix = port === 53 ? "" : `:${port}`;
                targets = found.map(({ name, address }) => ({
                    label: `${name} (${address}${suffix})`,
                    server: `${address}${suffix}`,
                }));
            } catch (e) {
                discoveryError = e instanceof Error ? e.message : String(e);
            }
        }
        if (targets) {
            const current = targets;
            attempts++;
            const answers = await Promise.all(current.map((t) => ask(t, fqdn, expectedIp, queryMs)));
            if (answers.every((a) => a.ok)) {
                return { attempts, elapsedMs: clock.now() - started, servers: current.map((t) => t.label) };
            }
            // A timeout of a cut-short query does not hide what the server said before.
            last = answers.map((a, i) => (a.text === "timeout" && queryMs < queryTimeoutMs && last[i]) || a);
        }
        const pause = Math.min(intervalMs, deadline - clock.now());
        if (pause > 0) await clock.sleep(pause);
    }

    const head = `${fqdn} did not resolve to ${expectedIp} within ${seconds(timeoutMs)}`;
    if (!targets) {
        throw new Error(`${head}: could not find the authoritative nameservers of ${domain}: ${discoveryError}`);
    }
    const labels = targets.map((t) => t.label);
    const detail = last
        .map((a, i) => `${labels[i]} ${a.ok ? `answered ${a.text} (ok)` : describeAnswer(a.text)}`)
        .join("; ");
    throw new Error(`${head}: ${detail} (${attempts} ${attempts === 1 ? "query" : "queries"} per server)`);
}

function describeAnswer(text: string): string {
    switch (text) {
        case "timeout":
            return "did not answer (timeout)";
        case "connection refused":
            return "refused the connection";
        case "REFUSED":
            return "refused the query (REFUSED)";
        default:
            return `answered ${text}`;
    }
}

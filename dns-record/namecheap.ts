/**
 * Namecheap Dynamic DNS client: sets one A record through
 * `GET <baseUrl>/update?host=&domain=&password=&ip=`; namecheap-response.ts reads the answer.
 */
import { backOff } from "exponential-backoff";
import { isIPv4 } from "node:net";
import { REAL_CLOCK, seconds, type Clock } from "./clock";
import { NamecheapError, parseDdnsResponse, type DdnsResponse } from "./namecheap-response";

export { NamecheapError, parseDdnsResponse, type DdnsResponse };

export interface DdnsRequest {
    /** e.g. https://dynamicdns.park-your-domain.com */
    baseUrl: string;
    /** Namecheap host label: `@` for the apex, `www`, `app`, `a.b`… */
    host: string;
    /** The registered domain, e.g. example.org. */
    domain: string;
    /** The domain's Dynamic DNS password (secret). */
    password: string;
    /** IPv4 address the record must point to. */
    ip: string;
}

export interface RetryOptions {
    /** Timeout of one HTTP request, body included. Default 10 000 ms. */
    requestTimeoutMs?: number;
    /** Attempts in all, the first included. Default 5. */
    maxAttempts?: number;
    /** Delay before the first retry, doubled after each. Default 1 000 ms. */
    initialDelayMs?: number;
    /** Longest delay between attempts. Default 8 000 ms. */
    maxDelayMs?: number;
    /** Bound on the whole update, retries and delays included. Default 60 000 ms. */
    totalTimeoutMs?: number;
    /** What the bound and the delays are measured on. Default: the real clock. */
    clock?: Clock;
}

export const DEFAULT_RETRY: Required<Omit<RetryOptions, "clock">> = {
    requestTimeoutMs: 10_000,
    maxAttempts: 5,
    initialDelayMs: 1_000,
    maxDelayMs: 8_000,
    totalTimeoutMs: 60_000,
};

/** The record's name: `@` is the apex. */
export function fqdnOf(host: string, domain: string): string {
    const d = domain.trim().replace(/\.$/, "");
    const h = host.trim();
    return h === "" || h === "@" ? d : `${h}.${d}`;
}

/** Removes every form of `secret` (raw and URL-encoded) from `text`. */
export function redact(text: string, secret: string): string {
    if (!secret) return text;
    const forms = new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)]);
    let out = text;
    for (const f of [...forms].sort((a, b) => b.length - a.length)) out = out.split(f).join("***");
    return out;
}

/** The update URL; it carries the password, so it is never printed. */
export function ddnsUrl(req: DdnsRequest): URL {
    let base: URL;
    try {
        base = new URL(req.baseUrl.endsWith("/") ? req.baseUrl : `${req.baseUrl}/`);
    } catch {
        throw new NamecheapError(`invalid Namecheap Dynamic DNS URL ${JSON.stringify(req.baseUrl)}`, { retryable: false });
    }
    if (base.protocol !== "https:" && base.protocol !== "http:") {
        throw new NamecheapError(`Namecheap Dynamic DNS URL must be http(s), got ${base.protocol}`, { retryable: false });
    }
    const url = new URL("update", base);
    url.search = new URLSearchParams({
        host: req.host,
        domain: req.domain,
        password: req.password,
        ip: req.ip,
    }).toString();
    return url;
}

function describeFetchFailure(e: unknown, timeoutMs: number, host: string): string {
    const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (err?.name === "TimeoutError" || err?.name === "AbortError") {
        return `request timed out after ${timeoutMs}ms`;
    }
    const cause = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
    return `network error reaching ${host}: ${cause}`;
}

function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** "Passwords do not match (Validation error; invalid ; password)". */
function described(errors: string[], details: string[]): string {
    return `${errors.join("; ")}${details.length ? ` (${details.join("; ")})` : ""}`;
}

async function attempt(url: URL, req: DdnsRequest, fqdn: string, timeoutMs: number): Promise<string> {
    let status: number;
    let statusText: string;
    let body: string;
    try {
        const res = await fetch(url, {
            method: "GET",
            headers: { accept: "text/xml, application/xml;q=0.9, */*;q=0.1" },
            signal: AbortSignal.timeout(timeoutMs),
        });
        status = res.status;
        statusText = res.statusText;
        body = await res.text();
    } catch (e) {
        throw new NamecheapError(describeFetchFailure(e, timeoutMs, url.host), { retryable: true });
    }
    const httpStatus = `HTTP ${status}${statusText ? ` ${statusText}` : ""}`;
    if (status >= 500 || status === 429 || status === 408) {
        throw new NamecheapError(`Namecheap answered ${httpStatus}`, { retryable: true });
    }
    if (status < 200 || status >= 300) {
        let errors: string[] = [];
        let details: string[] = [];
        try {
            ({ errors, details } = parseDdnsResponse(body));
        } catch {
            // The status alone says enough.
        }
        const detail = errors.length ? `: ${described(errors, details)}` : "";
        throw new NamecheapError(`Namecheap rejected the update of ${fqdn} with ${httpStatus}${detail}`, {
            retryable: false,
            errors,
        });
    }
    const parsed = parseDdnsResponse(body);
    if (parsed.errCount !== 0) {
        const detail = parsed.errors.length ? described(parsed.errors, parsed.details) : `ErrCount ${parsed.errCount}, no error text`;
        throw new NamecheapError(`Namecheap rejected the update of ${fqdn}: ${detail}`, {
            retryable: false,
            errors: parsed.errors,
        });
    }
    if (parsed.ip !== undefined && parsed.ip !== req.ip) {
        throw new NamecheapError(`Namecheap set ${fqdn} to ${parsed.ip}, not ${req.ip}`, { retryable: false });
    }
    return parsed.ip ?? req.ip;
}

/**
 * Points `host`.`domain` at `ip`. Retries 5xx, 408/429, network errors and timeouts with
 * exponential backoff, within `totalTimeoutMs`; Namecheap's refusals fail at once.
 */
export async function updateDdnsRecord(
    req: DdnsRequest,
    opts: RetryOptions = {},
): Promise<{ ip: string; attempts: number }> {
    const o = { ...DEFAULT_RETRY, ...definedOnly(opts) };
    const maxAttempts = Math.max(1, Math.floor(o.maxAttempts));
    const requestTimeoutMs = Math.max(1, Math.ceil(o.requestTimeoutMs));
    const initialDelayMs = Math.max(0, o.initialDelayMs);
    const maxDelayMs = Math.max(initialDelayMs, o.maxDelayMs);
    const totalTimeoutMs = Math.max(1, o.totalTimeoutMs);
    const clock = opts.clock ?? REAL_CLOCK;

    const fqdn = fqdnOf(req.host, req.domain);
    const safe = (e: NamecheapError): NamecheapError =>
        new NamecheapError(redact(e.message, req.password), {
            retryable: e.retryable,
            errors: e.errors.map((s) => redact(s, req.password)),
        });

    if (!req.password) throw new NamecheapError("the Namecheap Dynamic DNS password is empty", { retryable: false });
    if (!isIPv4(req.ip)) throw new NamecheapError(`not an IPv4 address: ${JSON.stringify(req.ip)}`, { retryable: false });
    const url = ddnsUrl(req);

    const started = clock.now();
    const deadline = started + totalTimeoutMs;
    let attempts = 0;
    let stoppedByDeadline = false;
    try {
        const ip = await backOff(
            () => {
                attempts++;
                const remaining = Math.max(1, deadline - clock.now());
                return attempt(url, req, fqdn, Math.min(requestTimeoutMs, remaining));
            },
            {
                numOfAttempts: maxAttempts,
                // The delays are waited on the clock, in retry; backOff only counts the attempts.
                startingDelay: 0,
                delayFirstAttempt: false,
                retry: async (e: unknown, failures: number) => {
                    if (!(e instanceof NamecheapError) || !e.retryable) return false;
                    if (failures >= maxAttempts) return false;
                    const nextDelay = Math.min(initialDelayMs * 2 ** (failures - 1), maxDelayMs);
                    if (clock.now() + nextDelay >= deadline) {
                        stoppedByDeadline = true;
                        return false;
                    }
                    await clock.sleep(nextDelay);
                    return true;
                },
            },
        );
        return { ip, attempts };
    } catch (e) {
        const err =
            e instanceof NamecheapError
                ? e
                : new NamecheapError(e instanceof Error ? e.message : String(e), { retryable: false });
        if (!err.retryable) throw safe(err);
        const limit = stoppedByDeadline ? `, time limit of ${seconds(totalTimeoutMs)} reached` : "";
        const elapsed = seconds(Math.round((clock.now() - started) / 100) * 100);
        throw safe(
            new NamecheapError(
                `Namecheap update of ${fqdn} failed after ${plural(attempts, "attempt")} (${elapsed}${limit}): ${err.message}`,
                { retryable: true },
            ),
        );
    }
}

function definedOnly<T extends object>(o: T): Partial<T> {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The Namecheap Dynamic DNS client against a loopback server that behaves like Namecheap's. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { NamecheapError, fqdnOf, parseDdnsResponse, updateDdnsRecord } from "../lib/namecheap";
import { answer, compactSuccessBody, Failure, failureBody, FAILURES, successBody, Zone } from "./namecheap-replies";

const PASSWORD = "0123456789abcdef0123456789abcdef";
const IP = "203.0.113.10";
const okBody = successBody;

interface Reply {
    status: number;
    body: string;
    delayMs?: number;
}

/** Namecheap's endpoint for some zones; `override` replaces the answer for a request number. */
class FakeNamecheap {
    readonly requests: URLSearchParams[] = [];
    override?: (n: number) => Reply | undefined;
    private server = http.createServer((req, res) => this.handle(req, res));
    private timers = new Set<NodeJS.Timeout>();
    baseUrl = "";

    constructor(private zones: Record<string, Zone> = { "example.org": { password: PASSWORD, hosts: ["@", "app", "www"] } }) {}

    async start(): Promise<this> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this;
    }

    async stop(): Promise<void> {
        for (const t of this.timers) clearTimeout(t);
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    private answer(q: URLSearchParams): Reply {
        const forced = this.override?.(this.requests.length);
        if (forced) return forced;
        return { status: 200, body: answer(q, this.zones) };
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const url = new URL(req.url ?? "/", "http://localhost");
        if (url.pathname !== "/update") {
            res.writeHead(404).end("not found");
            return;
        }
        this.requests.push(url.searchParams);
        const reply = this.answer(url.searchParams);
        const send = () => {
            if (res.writableEnded || res.destroyed) return;
            res.writeHead(reply.status, { "content-type": "text/html; charset=utf-8" }).end(reply.body);
        };
        if (reply.delayMs) {
            const t = setTimeout(() => {
                this.timers.delete(t);
                send();
            }, reply.delayMs);
            this.timers.add(t);
        } else send();
    }
}

const fast = { requestTimeoutMs: 1_000, maxAttempts: 4, initialDelayMs: 10, maxDelayMs: 40, totalTimeoutMs: 5_000 };

let fake: FakeNamecheap;
beforeEach(async () => {
    fake = await new FakeNamecheap().start();
});
afterEach(async () => {
    await fake.stop();
});

function request(over: Partial<{ host: string; domain: string; password: string; ip: string }> = {}) {
    return { baseUrl: fake.baseUrl, host: "app", domain: "example.org", password: PASSWORD, ip: IP, ...over };
}

async function failure(p: Promise<unknown>): Promise<NamecheapError> {
    const e = await p.then(
        () => undefined,
        (err: unknown) => err,
    );
    if (!(e instanceof NamecheapError)) throw new Error(`expected a NamecheapError, got ${String(e)}`);
    expect(e.message).not.toContain(PASSWORD);
    return e;
}

test("success sends host, domain, password and ip, and reports one attempt", async () => {
    const result = await updateDdnsRecord(request(), fast);
    expect(result).toEqual({ ip: IP, attempts: 1 });
    expect(fake.requests).toHaveLength(1);
    const q = fake.requests[0];
    expect(Object.fromEntries(q)).toEqual({ host: "app", domain: "example.org", password: PASSWORD, ip: IP });
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
});

test("a base URL with a trailing slash or a path, the apex host and URL-unsafe passwords are encoded", async () => {
    const tricky = "p&ss=w rd/+?#%";
    await fake.stop();
    fake = await new FakeNamecheap({ "example.org": { password: tricky, hosts: ["@"] } }).start();
    const result = await updateDdnsRecord({ ...request({ host: "@", password: tricky }), baseUrl: `${fake.baseUrl}/` }, fast);
    expect(result.ip).toBe(IP);
    expect(fake.requests[0].get("host")).toBe("@");
    expect(fake.requests[0].get("password")).toBe(tricky);
});

test("wrong password fails at once with Namecheap's text and its validation detail", async () => {
    const e = await failure(updateDdnsRecord(request({ password: "not-the-password-1234" }), fast));
    expect(e.message).toBe("Namecheap rejected the update of app.example.org: Passwords do not match (Validation error; invalid ; password)");
    expect(e.retryable).toBe(false);
    expect(e.errors).toEqual(["Passwords do not match"]);
    expect(fake.requests).toHaveLength(1);
    expect(e.message).not.toContain("not-the-password-1234");
});

describe("every documented failure, end to end, fails at once with Namecheap's text and <ResponseString>", () => {
    const cases: { name: string; f: Failure; over: Partial<{ host: string; domain: string; password: string }>; zones?: Record<string, Zone> }[] = [
        { name: "wrong password", f: FAILURES.wrongPassword, over: { password: "not-the-password-1234" } },
        { name: "inactive domain", f: FAILURES.domainNotActive, over: {}, zones: { "example.org": { password: PASSWORD, hosts: ["app"], active: false } } },
        { name: "domain not in the account", f: FAILURES.domainNotFound, over: { domain: "example.net" } },
        { name: "host without an A + Dynamic DNS record", f: FAILURES.noRecord, over: { host: "shop" } },
    ];
    test.each(cases)("$name", async ({ f, over, zones }) => {
        if (zones) {
            await fake.stop();
            fake = await new FakeNamecheap(zones).start();
        }
        const e = await failure(updateDdnsRecord(request(over), fast));
        const fqdn = `${over.host ?? "app"}.${over.domain ?? "example.org"}`;
        expect(e.message).toBe(`Namecheap rejected the update of ${fqdn}: ${f.err} (${f.responseString})`);
        expect(e.errors).toEqual([f.err]);
        expect(e.retryable).toBe(false);
        expect(fake.requests).toHaveLength(1);
    });
});

test("HTTP 500 then success is retried", async () => {
    fake.override = (n) => (n <= 2 ? { status: 500, body: "Internal Server Error" } : undefined);
    const result = await updateDdnsRecord(request(), fast);
    expect(result).toEqual({ ip: IP, attempts: 3 });
    expect(fake.requests).toHaveLength(3);
});

test("HTTP 500 forever fails after maxAttempts and names them", async () => {
    fake.override = () => ({ status: 500, body: "oops" });
    const e = await failure(updateDdnsRecord(request(), { ...fast, maxAttempts: 3 }));
    expect(fake.requests).toHaveLength(3);
    expect(e.message).toMatch(/^Namecheap update of app\.example\.org failed after 3 attempts \(.*\): Namecheap answered HTTP 500/);
});

test("a response slower than the request timeout is retried, within the total time bound", async () => {
    fake.override = () => ({ status: 200, body: okBody(IP), delayMs: 2_000 });
    const started = Date.now();
    const e = await failure(
        updateDdnsRecord(request(), {
            requestTimeoutMs: 100,
            maxAttempts: 50,
            initialDelayMs: 20,
            maxDelayMs: 40,
            totalTimeoutMs: 500,
        }),
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(800);
    expect(fake.requests.length).toBeGreaterThanOrEqual(3);
    expect(fake.requests.length).toBeLessThan(50);
    expect(e.message).toMatch(/failed after \d+ attempts \(.*time limit of 0\.5s reached\): request timed out after \d+ms/);
});

test("a request that timed out is retried, and the retry succeeds", async () => {
    fake.override = (n) => (n === 1 ? { status: 200, body: okBody(IP), delayMs: 300 } : undefined);
    const result = await updateDdnsRecord(request(), { ...fast, requestTimeoutMs: 100 });
    expect(result.attempts).toBe(2);
});

test("HTTP 4xx fails at once", async () => {
    fake.override = () => ({ status: 403, body: "Forbidden" });
    const e = await failure(updateDdnsRecord(request(), fast));
    expect(e.message).toBe("Namecheap rejected the update of app.example.org with HTTP 403 Forbidden");
    expect(fake.requests).toHaveLength(1);
});

test("a malformed (HTML) body fails at once without a retry", async () => {
    fake.override = () => ({ status: 200, body: "<html><body><h1>Bad gateway</h1><br></body></html>" });
    const e = await failure(updateDdnsRecord(request(), fast));
    expect(e.message).toMatch(/^Namecheap returned a malformed response/);
    expect(e.message).toContain("Bad gateway");
    expect(e.retryable).toBe(false);
    expect(fake.requests).toHaveLength(1);
});

test("a network error is retried and reported", async () => {
    const baseUrl = fake.baseUrl;
    await fake.stop();
    const e = await failure(updateDdnsRecord({ ...request(), baseUrl }, { ...fast, maxAttempts: 2 }));
    expect(e.message).toMatch(/failed after 2 attempts .*network error reaching 127\.0\.0\.1:\d+: ECONNREFUSED/);
    fake = await new FakeNamecheap().start();
});

test("the password appears in no error, even when Namecheap echoes it", async () => {
    fake.override = () => ({ status: 200, body: failureBody({ ...FAILURES.wrongPassword, err: `Invalid password ${PASSWORD}` }) });
    const echoed = await failure(updateDdnsRecord(request(), fast));
    expect(echoed.message).toContain("Invalid password ***");
    expect(echoed.errors.join()).not.toContain(PASSWORD);

    fake.override = () => ({ status: 200, body: `<html>${encodeURIComponent(PASSWORD)}</html>` });
    const html = await failure(updateDdnsRecord(request(), fast));
    expect(html.message).not.toContain(encodeURIComponent(PASSWORD));

    fake.override = () => ({ status: 502, body: PASSWORD });
    const retried = await failure(updateDdnsRecord(request(), { ...fast, maxAttempts: 2 }));
    expect(retried.message).toContain("failed after 2 attempts");
});

describe("parseDdnsResponse", () => {
    test("reads the recorded success bodies, 2024 and 2019", () => {
        expect(parseDdnsResponse(okBody(IP))).toEqual({ errCount: 0, errors: [], details: [], ip: IP, done: true });
        expect(parseDdnsResponse(compactSuccessBody(IP))).toEqual({ errCount: 0, errors: [], details: [], ip: IP, done: true });
    });

    test("reads <Err1> and each response's <ResponseString>, with or without <Description>", () => {
        expect(parseDdnsResponse(failureBody(FAILURES.wrongPassword))).toEqual({
            errCount: 1,
            errors: ["Passwords do not match"],
            details: ["Validation error; invalid ; password"],
            done: true,
        });
        expect(parseDdnsResponse(failureBody(FAILURES.domainNotActive))).toMatchObject({
            errors: ["Domain name not active"],
            details: ["Validation error; not active; domain name(s)"],
        });
    });

    test("with <errors /> empty, the text comes from <Description>, else from <ResponseString>", () => {
        const body = (response: string) =>
            `<?xml version="1.0" encoding="utf-16"?>\r\n<interface-response><ErrCount>1</ErrCount><errors />` +
            `<ResponseCount>1</ResponseCount><responses><response>${response}</response></responses></interface-response>`;
        expect(parseDdnsResponse(body("<Description>Domain name not found</Description>")).errors).toEqual(["Domain name not found"]);
        const onlyString = parseDdnsResponse(body("<ResponseNumber>304156</ResponseNumber><ResponseString>Validation error; invalid ; password</ResponseString>"));
        expect(onlyString).toMatchObject({ errors: ["Validation error; invalid ; password"], details: [] });
    });

    test.each([
        ["empty", ""],
        ["HTML", "<html><body>Service Unavailable</body></html>"],
        ["truncated", okBody(IP).slice(0, 80)],
        ["no ErrCount", "<interface-response><IP>1.2.3.4</IP></interface-response>"],
        ["text", "OK"],
    ])("%s body is malformed", (_name, body) => {
        expect(() => parseDdnsResponse(body)).toThrow(/malformed response/);
    });
});

test("fqdnOf", () => {
    expect(fqdnOf("@", "example.org")).toBe("example.org");
    expect(fqdnOf("www", "example.org")).toBe("www.example.org");
    expect(fqdnOf("a.b", "example.org.")).toBe("a.b.example.org");
});

/** The Namecheap Dynamic DNS client against a loopback server that behaves like Namecheap's. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { NamecheapError, ddnsUrl, fqdnOf, parseDdnsResponse, redact, updateDdnsRecord } from "../dns-record/namecheap";
import { REAL_CLOCK } from "../dns-record/clock";
import { virtualClock } from "./virtual-clock";
import { answer, compactSuccessBody, Failure, failureBody, FAILURES, successBody, Zone } from "./namecheap-replies";

const PASSWORD = "0123456789abcdef0123456789abcdef";
const IP = "203.0.113.10";
const okBody = successBody;

interface Reply {
    status: number;
    body: string;
    delayMs?: number;
    /** HTTP reason phrase; Node's default for the status when unset. */
    reason?: string;
    headers?: Record<string, string>;
}

/** Namecheap's endpoint for some zones; `override` replaces the answer for a request number. */
class FakeNamecheap {
    readonly requests: URLSearchParams[] = [];
    /** When each request arrived and the Accept header it sent. */
    readonly received: { accept?: string }[] = [];
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
        this.received.push({ accept: req.headers.accept });
        const reply = this.answer(url.searchParams);
        const send = () => {
            if (res.writableEnded || res.destroyed) return;
            res.writeHead(reply.status, reply.reason, { "content-type": "text/html; charset=utf-8", ...reply.headers }).end(reply.body);
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
    expect(e.name).toBe("NamecheapError");
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
    // On the virtual clock the delays are 20 ms, then 40 ms, until the next would pass 500 ms; each
    // request is cut to the time left (real aborts, which the clock does not count).
    const clock = virtualClock();
    const e = await failure(
        updateDdnsRecord(request(), {
            requestTimeoutMs: 100,
            maxAttempts: 50,
            initialDelayMs: 20,
            maxDelayMs: 40,
            totalTimeoutMs: 500,
            clock,
        }),
    );
    expect(clock.sleeps).toEqual([20, ...Array(11).fill(40)]);
    expect(fake.requests).toHaveLength(13);
    // The last request had 40 ms left of the 500.
    expect(e.message).toBe("Namecheap update of app.example.org failed after 13 attempts (0.5s, time limit of 0.5s reached): request timed out after 40ms");
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

describe("before any request", () => {
    test.each([
        ["an empty password", { password: "" }, "the Namecheap Dynamic DNS password is empty"],
        ["an IPv6 address", { ip: "2001:db8::1" }, 'not an IPv4 address: "2001:db8::1"'],
        ["an address out of range", { ip: "203.0.113.256" }, 'not an IPv4 address: "203.0.113.256"'],
        ["a base URL that is not http(s)", { baseUrl: "ftp://127.0.0.1/" }, "Namecheap Dynamic DNS URL must be http(s), got ftp:"],
        ["a base URL that is not a URL", { baseUrl: "dynamicdns.park-your-domain.com" }, 'invalid Namecheap Dynamic DNS URL "dynamicdns.park-your-domain.com"'],
    ])("%s is refused", async (_name, over, message) => {
        const e = await failure(updateDdnsRecord({ ...request(), ...over }, fast));
        expect(e.message).toBe(message);
        expect(e.retryable).toBe(false);
        expect(fake.requests).toHaveLength(0);
    });

    test("an https base URL is accepted: the update is attempted", async () => {
        // The fake speaks plain HTTP, so the TLS handshake fails as a network error.
        const e = await failure(updateDdnsRecord({ ...request(), baseUrl: fake.baseUrl.replace("http:", "https:") }, { ...fast, maxAttempts: 1 }));
        expect(e.message).toMatch(/^Namecheap update of app\.example\.org failed after 1 attempt \(\d+(\.\d)?s\): network error reaching 127\.0\.0\.1:\d+: ERR_SSL_/);
    });
});

test("the update URL: below the base URL's path, with every parameter encoded", () => {
    const req = { host: "@", domain: "example.org", password: "p&ss=w rd", ip: IP };
    for (const baseUrl of ["https://ddns.example.net/namecheap", "https://ddns.example.net/namecheap/"]) {
        const url = ddnsUrl({ ...req, baseUrl });
        expect(`${url.origin}${url.pathname}`).toBe("https://ddns.example.net/namecheap/update");
        expect(Object.fromEntries(url.searchParams)).toEqual(req);
    }
});

test("the client asks for XML", async () => {
    await updateDdnsRecord(request(), fast);
    expect(fake.received[0].accept).toMatch(/^text\/xml, application\/xml/);
});

test("with no options the defaults apply", async () => {
    await expect(updateDdnsRecord(request())).resolves.toEqual({ ip: IP, attempts: 1 });
});

test("Namecheap setting another IP than requested is an error, not retried", async () => {
    fake.override = () => ({ status: 200, body: okBody("198.51.100.1") });
    const e = await failure(updateDdnsRecord(request(), fast));
    expect(e.message).toBe(`Namecheap set app.example.org to 198.51.100.1, not ${IP}`);
    expect(e.retryable).toBe(false);
    expect(fake.requests).toHaveLength(1);
});

test("a success without an <IP> (or an empty one) reports the requested IP", async () => {
    for (const ip of ["", "   "]) {
        fake.override = () => ({ status: 200, body: okBody(ip) });
        await expect(updateDdnsRecord(request(), fast)).resolves.toEqual({ ip: IP, attempts: 1 });
    }
    fake.override = () => ({ status: 200, body: okBody(IP).replace(`<IP>${IP}</IP>`, "") });
    await expect(updateDdnsRecord(request(), fast)).resolves.toEqual({ ip: IP, attempts: 1 });
});

test.each([408, 429, 503])("HTTP %i is retried", async (status) => {
    fake.override = (n) => (n === 1 ? { status, body: "" } : undefined);
    await expect(updateDdnsRecord(request(), fast)).resolves.toEqual({ ip: IP, attempts: 2 });
});

test("a non-2xx status fails at once even with a success body", async () => {
    fake.override = () => ({ status: 300, body: okBody(IP) });
    const e = await failure(updateDdnsRecord(request(), fast));
    expect(e.message).toBe("Namecheap rejected the update of app.example.org with HTTP 300 Multiple Choices");
    expect(fake.requests).toHaveLength(1);
});

test("an HTTP 4xx carrying Namecheap's XML keeps its error text; without a reason phrase only the status shows", async () => {
    fake.override = () => ({ status: 403, body: failureBody(FAILURES.wrongPassword) });
    const e = await failure(updateDdnsRecord(request(), fast));
    expect(e.message).toBe("Namecheap rejected the update of app.example.org with HTTP 403 Forbidden: Passwords do not match (Validation error; invalid ; password)");
    expect(e.errors).toEqual(["Passwords do not match"]);
    expect(e.retryable).toBe(false);

    fake.override = () => ({
        status: 400,
        body: "<interface-response><ErrCount>2</ErrCount><errors><Err1>first</Err1><Err2>second</Err2></errors></interface-response>",
    });
    const two = await failure(updateDdnsRecord(request(), fast));
    expect(two.message).toBe("Namecheap rejected the update of app.example.org with HTTP 400 Bad Request: first; second");

    fake.override = () => ({ status: 403, reason: "", body: "denied" });
    const bare = await failure(updateDdnsRecord(request(), fast));
    expect(bare.message).toBe("Namecheap rejected the update of app.example.org with HTTP 403");
    expect(bare.errors).toEqual([]);
});

test("an ErrCount without error text still fails, saying so", async () => {
    fake.override = () => ({ status: 200, body: "<interface-response><ErrCount>2</ErrCount><errors /></interface-response>" });
    const e = await failure(updateDdnsRecord(request(), fast));
    expect(e.message).toBe("Namecheap rejected the update of app.example.org: ErrCount 2, no error text");
    expect(e.errors).toEqual([]);
});

test("several error elements out of order are reported in their numbered order", async () => {
    const body =
        "<interface-response><ErrCount>3</ErrCount><errors><Err2>second</Err2><Err10>tenth</Err10>" +
        "<Note>not an error</Note><XErr3>not an error</XErr3><Err4b>not an error</Err4b><Err1>first</Err1></errors></interface-response>";
    fake.override = () => ({ status: 200, body });
    const e = await failure(updateDdnsRecord(request(), fast));
    expect(e.message).toBe("Namecheap rejected the update of app.example.org: first; second; tenth");
    expect(e.errors).toEqual(["first", "second", "tenth"]);
});

test("a body the XML parser gives up on fails at once with the parser's reason", async () => {
    fake.override = () => ({ status: 200, body: `<interface-response>${"<a>".repeat(1_000)}${"</a>".repeat(1_000)}<ErrCount>0</ErrCount></interface-response>` });
    const e = await failure(updateDdnsRecord(request(), fast));
    expect(e.message).toContain("Maximum nested tags exceeded");
    expect(e.retryable).toBe(false);
    expect(fake.requests).toHaveLength(1);
});

test("a redirect loop is a network error and is retried", async () => {
    fake.override = () => ({ status: 302, body: "", headers: { location: "/update?again" } });
    const e = await failure(updateDdnsRecord(request(), { ...fast, maxAttempts: 2 }));
    expect(e.message).toMatch(/failed after 2 attempts \(\d+(\.\d)?s\): network error reaching 127\.0\.0\.1:\d+: redirect count exceeded$/);
    expect(e.retryable).toBe(true);
});

describe("retries and deadlines", () => {
    const failing = () => ({ status: 500, body: "oops" });

    test("the first attempt goes at once; the delay starts at initialDelayMs and doubles up to maxDelayMs", async () => {
        fake.override = failing;
        const clock = virtualClock();
        const slept: number[] = [];
        fake.override = () => {
            slept.push(clock.sleeps.length);
            return failing();
        };
        await failure(updateDdnsRecord(request(), { initialDelayMs: 150, maxDelayMs: 200, maxAttempts: 4, totalTimeoutMs: 5_000, clock }));
        // Each request, and the sleeps before it: none before the first.
        expect(slept).toEqual([0, 1, 2, 3]);
        // 150, then 300 capped at 200, twice.
        expect(clock.sleeps).toEqual([150, 200, 200]);
    });

    test("retries stop when the next delay would pass the deadline, and say so", async () => {
        fake.override = failing;
        // 80 ms, then 160 ms: the second delay would end after the 200 ms limit.
        const clock = virtualClock();
        const e = await failure(updateDdnsRecord(request(), { initialDelayMs: 80, maxDelayMs: 1_000, maxAttempts: 10, totalTimeoutMs: 200, clock }));
        expect(fake.requests).toHaveLength(2);
        expect(clock.sleeps).toEqual([80]);
        expect(e.message).toBe(
            "Namecheap update of app.example.org failed after 2 attempts (0.1s, time limit of 0.2s reached): Namecheap answered HTTP 500 Internal Server Error",
        );
        expect(e.retryable).toBe(true);
        expect(e.errors).toEqual([]);
    });

    test("retries stopped by maxAttempts do not claim the time limit", async () => {
        fake.override = failing;
        const clock = virtualClock();
        const e = await failure(updateDdnsRecord(request(), { initialDelayMs: 80, maxDelayMs: 1_000, maxAttempts: 2, totalTimeoutMs: 200, clock }));
        expect(fake.requests).toHaveLength(2);
        expect(e.message).toBe("Namecheap update of app.example.org failed after 2 attempts (0.1s): Namecheap answered HTTP 500 Internal Server Error");
    });

    test("a delay longer than the whole limit: one attempt, and the limit is named in whole seconds", async () => {
        fake.override = failing;
        const clock = virtualClock();
        const e = await failure(updateDdnsRecord(request(), { initialDelayMs: 2_000, maxAttempts: 5, totalTimeoutMs: 1_000, clock }));
        expect(clock.sleeps).toEqual([]);
        expect(e.message).toBe(
            "Namecheap update of app.example.org failed after 1 attempt (0s, time limit of 1s reached): Namecheap answered HTTP 500 Internal Server Error",
        );
    });

    test("a single request's timeout longer than the total is cut to the total", async () => {
        fake.override = () => ({ status: 200, body: okBody(IP), delayMs: 2_000 });
        const e = await failure(updateDdnsRecord(request(), { requestTimeoutMs: 5_000, initialDelayMs: 10, totalTimeoutMs: 250 }));
        // Times are shown to a tenth of a second; the request's own timeout is what was left of the 250 ms.
        const m = /failed after 1 attempt \(\d+(?:\.\d)?s, time limit of 0\.3s reached\): request timed out after (\d+)ms$/.exec(e.message);
        expect(m).not.toBeNull();
        expect(Number(m![1])).toBeLessThanOrEqual(250);
    });
});

describe("redact", () => {
    test("removes the secret raw, percent-encoded and form-encoded", () => {
        const secret = "pa ss/w&rd";
        const text = `raw ${secret} uri ${encodeURIComponent(secret)} form ${new URLSearchParams({ p: secret }).toString().slice(2)}`;
        expect(redact(text, secret)).toBe("raw *** uri *** form ***");
    });

    test("a longer form that contains a shorter one is removed whole", () => {
        // "a%" percent-encodes to "a%25", which starts with the raw form.
        expect(redact("password=a%25 end", "a%")).toBe("password=*** end");
    });

    test("an empty secret leaves the text alone", () => {
        expect(redact("nothing to hide", "")).toBe("nothing to hide");
    });
});

describe("parseDdnsResponse details", () => {
    test("a body of whitespace is empty", () => {
        expect(() => parseDdnsResponse(" \r\n ")).toThrow(new NamecheapError("Namecheap returned a malformed response (empty body): empty body", { retryable: false }));
    });

    test("the reason and a whitespace-collapsed snippet, cut at 120 characters, are shown", () => {
        const html = `<html>\n  <body>\n    <h1>502 Bad Gateway</h1>\n    ${"x".repeat(200)}\n  </body>\n</html>`;
        const collapsed = html.replace(/\s+/g, " ");
        expect(() => parseDdnsResponse(html)).toThrow(
            `Namecheap returned a malformed response (no <interface-response>): ${JSON.stringify(`${collapsed.slice(0, 120)}…`)}`,
        );
        const exactly120 = `<p>${"x".repeat(113)}</p>`;
        expect(() => parseDdnsResponse(exactly120)).toThrow(`(no <interface-response>): ${JSON.stringify(exactly120)}`);
        expect(() => parseDdnsResponse("<interface-response><IP>1.2.3.4</IP></interface-response>")).toThrow(
            'Namecheap returned a malformed response (no <ErrCount>): "<interface-response><IP>1.2.3.4</IP></interface-response>"',
        );
        expect(() => parseDdnsResponse("<interface-response><ErrCount>0</ErrCount>")).toThrow(
            /^Namecheap returned a malformed response \(not XML: .+\): "<interface-response><ErrCount>0<\/ErrCount>"$/,
        );
    });

    test.each(["1x", "x1", "-1", "1.5", ""])("ErrCount %j is malformed", (count) => {
        expect(() => parseDdnsResponse(`<interface-response><ErrCount>${count}</ErrCount></interface-response>`)).toThrow("(no <ErrCount>)");
    });

    test("a multi-digit ErrCount, Done true/false/absent, IP absent", () => {
        const body = (extra: string) => `<interface-response><ErrCount>10</ErrCount>${extra}</interface-response>`;
        expect(parseDdnsResponse(body("<Done>false</Done>"))).toStrictEqual({ errCount: 10, errors: [], details: [], done: false });
        expect(parseDdnsResponse(body("<Done>TRUE</Done>"))).toStrictEqual({ errCount: 10, errors: [], details: [], done: true });
        expect(parseDdnsResponse(body("<Done>maybe</Done>"))).toStrictEqual({ errCount: 10, errors: [], details: [] });
        expect(parseDdnsResponse(body(""))).toStrictEqual({ errCount: 10, errors: [], details: [] });
    });
});

test("fqdnOf trims and treats an empty host as the apex", () => {
    expect(fqdnOf("", "example.org")).toBe("example.org");
    expect(fqdnOf(" www ", " example.org ")).toBe("www.example.org");
});

describe("the real clock", () => {
    test("sleep waits at least the time asked, and now is the wall clock", async () => {
        const before = Date.now();
        await REAL_CLOCK.sleep(100);
        // A lower bound only: a loaded machine makes the wait longer, never shorter.
        expect(Date.now() - before).toBeGreaterThanOrEqual(95);
        expect(Math.abs(REAL_CLOCK.now() - Date.now())).toBeLessThan(1_000);
    });
});

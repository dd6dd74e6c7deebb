/** dns-record/cli.ts, in-process and as the real process, against loopback HTTP and DNS servers. */
import { execFile } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import dns2 from "dns2";
import { main } from "../dns-record/cli";
import { answer, FAILURES } from "./namecheap-replies";

const { Packet } = dns2;
const ROOT = path.resolve(__dirname, "..");
const PASSWORD = "fedcba9876543210fedcba9876543210";
const IP = "203.0.113.10";

const ZONES = { "example.org": { password: PASSWORD, hosts: ["app"] } };

let requests: URLSearchParams[];
let httpServer: http.Server;
let baseUrl: string;
let dnsAnswer: (n: number) => string[] | undefined;
let dnsQueries: number;
let dnsServer: ReturnType<typeof dns2.createServer>;
let dnsAddress: string;

beforeAll(async () => {
    httpServer = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        requests.push(url.searchParams);
        res.writeHead(200, { "content-type": "text/html" }).end(answer(url.searchParams, ZONES));
    });
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;

    dnsServer = dns2.createServer({
        udp: true,
        handle: (request, send) => {
            const q = request.questions[0];
            const response = Packet.createResponseFromRequest(request);
            const answer = q.name.toLowerCase() === "app.example.org" ? dnsAnswer(++dnsQueries) : undefined;
            if (!answer) response.header.rcode = Packet.RCODE.NXDOMAIN;
            for (const address of answer ?? []) {
                response.answers.push({ name: q.name, type: Packet.TYPE.A, class: Packet.CLASS.IN, ttl: 60, address } as never);
            }
            void send(response);
        },
    });
    const { udp } = await dnsServer.listen({ udp: { port: 0, address: "127.0.0.1" } });
    dnsAddress = `127.0.0.1:${udp!.port}`;
});

afterAll(async () => {
    httpServer.closeAllConnections();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    await dnsServer.close();
});

beforeEach(() => {
    requests = [];
    dnsQueries = 0;
    dnsAnswer = () => undefined;
});

async function run(argv: string[], env: Record<string, string>) {
    const out = { log: [] as string[], error: [] as string[] };
    const code = await main(argv, env, { log: (l) => out.log.push(l), error: (l) => out.error.push(l) });
    return { code, ...out, all: [...out.log, ...out.error].join("\n") };
}

const updateEnv = () => ({
    NAMECHEAP_DDNS_URL: baseUrl,
    NAMECHEAP_DDNS_PASSWORD: PASSWORD,
    DNS_HOST: "app",
    DNS_DOMAIN: "example.org",
    DNS_IP: IP,
});

const waitEnv = () => ({
    DNS_HOST: "app",
    DNS_DOMAIN: "example.org",
    DNS_IP: IP,
    DNS_RESOLVERS: dnsAddress,
    DNS_TIMEOUT_SECONDS: "3",
    DNS_INTERVAL_SECONDS: "0.02",
});

describe("update", () => {
    test("sets the record and prints one line", async () => {
        const r = await run(["update"], updateEnv());
        expect(r).toMatchObject({ code: 0, log: [`updated app.example.org -> ${IP} (1 attempt)`], error: [] });
        expect(Object.fromEntries(requests[0])).toEqual({ host: "app", domain: "example.org", password: PASSWORD, ip: IP });
    });

    test("a missing password exits 2 naming NAMECHEAP_DDNS_PASSWORD, with no request", async () => {
        const env: Record<string, string> = { ...updateEnv(), NAMECHEAP_DDNS_PASSWORD: "" };
        const r = await run(["update"], env);
        expect(r.code).toBe(2);
        expect(r.error).toEqual(["dns-record update: NAMECHEAP_DDNS_PASSWORD is not set"]);
        expect(requests).toHaveLength(0);
    });

    test.each([
        ["DNS_IP", { DNS_IP: "2001:db8::1" }],
        ["DNS_HOST", { DNS_HOST: "bad host" }],
        ["DNS_DOMAIN", { DNS_DOMAIN: "app.example.org" }],
        ["NAMECHEAP_DDNS_URL", { NAMECHEAP_DDNS_URL: "ftp://example.org" }],
    ])("an invalid %s exits 2 naming it", async (name, over) => {
        const r = await run(["update"], { ...updateEnv(), ...over });
        expect(r.code).toBe(2);
        expect(r.error.join()).toContain(name);
        expect(requests).toHaveLength(0);
    });

    test("Namecheap's refusal exits 1 with its text and without the password", async () => {
        const r = await run(["update"], { ...updateEnv(), DNS_DOMAIN: "example.net" });
        expect(r.code).toBe(1);
        expect(r.error).toEqual([
            `dns-record update: Namecheap rejected the update of app.example.net: Domain name not found (${FAILURES.domainNotFound.responseString})`,
        ]);
        expect(r.all).not.toContain(PASSWORD);
    });
});

describe("wait", () => {
    test("passes once the record is there and prints one line", async () => {
        dnsAnswer = (n) => (n < 3 ? ["198.51.100.7"] : [IP]);
        const r = await run(["wait"], waitEnv());
        expect(r.error).toEqual([]);
        expect(r.code).toBe(0);
        // The elapsed time in whole seconds.
        expect(r.log).toHaveLength(1);
        expect(r.log[0]).toMatch(/^app\.example\.org resolves to 203\.0\.113\.10 at 1 server after 3 queries \(\d+s\)$/);
    });

    test("times out with exit 1, naming the server and its answer", async () => {
        const r = await run(["wait"], { ...waitEnv(), DNS_TIMEOUT_SECONDS: "0.4" });
        expect(r.code).toBe(1);
        expect(r.log).toEqual([]);
        expect(r.error[0]).toMatch(
            new RegExp(`^dns-record wait: app\\.example\\.org did not resolve to 203\\.0\\.113\\.10 within 0\\.4s: ${dnsAddress} answered NXDOMAIN`),
        );
    });

    test.each([
        ["DNS_TIMEOUT_SECONDS", { DNS_TIMEOUT_SECONDS: "soon" }],
        ["DNS_INTERVAL_SECONDS", { DNS_INTERVAL_SECONDS: "-1" }],
        ["DNS_RESOLVERS", { DNS_RESOLVERS: `${"127.0.0.1"},dns.example.net` }],
        ["DNS_DOMAIN", { DNS_DOMAIN: "" }],
    ])("an invalid %s exits 2 naming it", async (name, over) => {
        const r = await run(["wait"], { ...waitEnv(), ...over });
        expect(r.code).toBe(2);
        expect(r.error.join()).toContain(name);
        expect(dnsQueries).toBe(0);
    });
});

test("an unknown or missing command exits 2", async () => {
    expect((await run(["delete"], updateEnv())).code).toBe(2);
    expect((await run([], updateEnv())).code).toBe(2);
});

test("the real process, run as the resource runs it, updates the record", async () => {
    const env = { ...process.env, ...updateEnv() };
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "dns-record/cli.ts", "update"],
            { cwd: ROOT, env, timeout: 20_000 },
            (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
    });
    expect(result).toEqual({ code: 0, stdout: `updated app.example.org -> ${IP} (1 attempt)\n`, stderr: "" });
    expect(requests).toHaveLength(1);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);

    const refused = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "dns-record/cli.ts", "update"],
            { cwd: ROOT, env: { ...env, NAMECHEAP_DDNS_PASSWORD: "wrong-password-0000" }, timeout: 20_000 },
            (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
    });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toContain("Passwords do not match");
    expect(refused.stdout + refused.stderr).not.toMatch(/wrong-password-0000|fedcba98/);
});

/** The DNS propagation wait against real DNS servers (dns2) on 127.0.0.1. */
import dns2 from "dns2";
import { authoritativeServers, waitForRecord } from "../lib/dns-wait";

const { Packet } = dns2;
const FQDN = "app.example.org";
const NEW_IP = "203.0.113.10";
const OLD_IP = "198.51.100.7";

type Reply = { a: string[] } | { ns: string[] } | { rcode: number } | "drop";

/** A UDP DNS server whose answer per question is decided by `answer(name, type, n)`; n counts queries per name. */
class FakeDns {
    readonly counts = new Map<string, number>();
    answer: (name: string, type: number, n: number) => Reply = () => ({ rcode: Packet.RCODE.NXDOMAIN });
    private server = dns2.createServer({
        udp: true,
        handle: (request, send) => {
            const q = request.questions[0];
            const name = q.name.toLowerCase();
            const n = (this.counts.get(name) ?? 0) + 1;
            this.counts.set(name, n);
            const reply = this.answer(name, q.type, n);
            if (reply === "drop") return;
            const response = Packet.createResponseFromRequest(request);
            response.header.aa = 1;
            if ("rcode" in reply) response.header.rcode = reply.rcode;
            else if ("a" in reply) {
                for (const address of reply.a) {
                    response.answers.push({ name: q.name, type: Packet.TYPE.A, class: Packet.CLASS.IN, ttl: 300, address } as never);
                }
            } else {
                for (const ns of reply.ns) {
                    response.answers.push({ name: q.name, type: Packet.TYPE.NS, class: Packet.CLASS.IN, ttl: 300, ns } as never);
                }
            }
            void send(response);
        },
    });
    address = "";
    port = 0;

    async start(): Promise<this> {
        const { udp } = await this.server.listen({ udp: { port: 0, address: "127.0.0.1" } });
        this.port = udp!.port;
        this.address = `127.0.0.1:${this.port}`;
        return this;
    }

    stop(): Promise<void> {
        return this.server.close();
    }

    queries(name = FQDN): number {
        return this.counts.get(name) ?? 0;
    }
}

const servers: FakeDns[] = [];
async function fakeDns(): Promise<FakeDns> {
    const s = await new FakeDns().start();
    servers.push(s);
    return s;
}
afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
});

const base = { fqdn: FQDN, expectedIp: NEW_IP, domain: "example.org", intervalMs: 20, queryTimeoutMs: 200 };

async function rejection(p: Promise<unknown>): Promise<Error> {
    const e = await p.then(
        () => undefined,
        (err: unknown) => err,
    );
    if (!(e instanceof Error)) throw new Error("expected the wait to fail");
    return e;
}

test("the record appears after a few queries: the gate passes", async () => {
    const dns = await fakeDns();
    dns.answer = (_name, _type, n) => (n < 3 ? { rcode: Packet.RCODE.NXDOMAIN } : { a: [NEW_IP] });
    const result = await waitForRecord({ ...base, resolvers: [dns.address], timeoutMs: 3_000 });
    expect(result.attempts).toBeGreaterThanOrEqual(3);
    expect(result.attempts).toBe(dns.queries());
    expect(result.servers).toEqual([dns.address]);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(2 * base.intervalMs);
});

test("an A record set that contains the IP among others passes", async () => {
    const dns = await fakeDns();
    dns.answer = () => ({ a: [OLD_IP, NEW_IP] });
    const result = await waitForRecord({ ...base, resolvers: [dns.address], timeoutMs: 1_000 });
    expect(result.attempts).toBe(1);
});

test("a record that never appears times out, naming the server and its NXDOMAIN", async () => {
    const dns = await fakeDns();
    const started = Date.now();
    const e = await rejection(waitForRecord({ ...base, resolvers: [dns.address], timeoutMs: 400 }));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(1_000);
    expect(e.message).toMatch(
        new RegExp(`^app\\.example\\.org did not resolve to 203\\.0\\.113\\.10 within 0\\.4s: ${dns.address} answered NXDOMAIN \\(\\d+ queries per server\\)$`),
    );
    expect(dns.queries()).toBeGreaterThan(3);
});

test("a different IP keeps it waiting, then the failure names the wrong IP", async () => {
    const dns = await fakeDns();
    dns.answer = () => ({ a: [OLD_IP] });
    const e = await rejection(waitForRecord({ ...base, resolvers: [dns.address], timeoutMs: 400 }));
    expect(dns.queries()).toBeGreaterThan(3);
    expect(e.message).toContain(`within 0.4s: ${dns.address} answered ${OLD_IP} (`);
});

test("two servers where only one has the new IP: it waits for the second", async () => {
    const fresh = await fakeDns();
    const stale = await fakeDns();
    fresh.answer = () => ({ a: [NEW_IP] });
    stale.answer = (_name, _type, n) => ({ a: [n <= 4 ? OLD_IP : NEW_IP] });
    const result = await waitForRecord({ ...base, resolvers: [fresh.address, stale.address], timeoutMs: 3_000 });
    expect(result.attempts).toBe(5);
    expect(fresh.queries()).toBe(5);
    expect(result.servers).toEqual([fresh.address, stale.address]);
});

test("two servers where one keeps the old IP: the failure says which", async () => {
    const fresh = await fakeDns();
    const stale = await fakeDns();
    fresh.answer = () => ({ a: [NEW_IP] });
    stale.answer = () => ({ a: [OLD_IP] });
    const e = await rejection(waitForRecord({ ...base, resolvers: [fresh.address, stale.address], timeoutMs: 300 }));
    expect(e.message).toContain(`${fresh.address} answered ${NEW_IP} (ok); ${stale.address} answered ${OLD_IP}`);
});

test("SERVFAIL, REFUSED, no data and silence are each reported", async () => {
    const [servfail, refused, nodata, silent] = await Promise.all([fakeDns(), fakeDns(), fakeDns(), fakeDns()]);
    servfail.answer = () => ({ rcode: Packet.RCODE.SERVFAIL });
    refused.answer = () => ({ rcode: Packet.RCODE.REFUSED });
    nodata.answer = () => ({ a: [] });
    silent.answer = () => "drop";
    const resolvers = [servfail, refused, nodata, silent].map((s) => s.address);
    const started = Date.now();
    const e = await rejection(waitForRecord({ ...base, resolvers, timeoutMs: 500, queryTimeoutMs: 100 }));
    expect(Date.now() - started).toBeLessThan(800);
    expect(e.message).toContain(`${servfail.address} answered SERVFAIL`);
    expect(e.message).toContain(`${refused.address} refused the query (REFUSED)`);
    expect(e.message).toContain(`${nodata.address} answered no data`);
    expect(e.message).toContain(`${silent.address} did not answer (timeout)`);
});

test("an invalid resolver entry is rejected before any query", async () => {
    await expect(waitForRecord({ ...base, resolvers: ["ns1.example.org"], timeoutMs: 100 })).rejects.toThrow(
        /not an IPv4 address or address:port: "ns1\.example\.org"/,
    );
});

describe("authoritative servers", () => {
    function zone(dns: FakeDns) {
        dns.answer = (name, type) => {
            if (name === "example.org" && type === Packet.TYPE.NS) return { ns: ["ns2.example.net", "ns1.example.net"] };
            if (name === "ns1.example.net" && type === Packet.TYPE.A) return { a: ["127.0.0.1"] };
            if (name === "ns2.example.net" && type === Packet.TYPE.A) return { a: ["127.0.0.2", "127.0.0.1"] };
            if (name === FQDN && type === Packet.TYPE.A) return { a: [NEW_IP] };
            return { rcode: Packet.RCODE.NXDOMAIN };
        };
    }

    test("are found with an NS lookup and the NS hosts' A records", async () => {
        const dns = await fakeDns();
        zone(dns);
        await expect(authoritativeServers("example.org", [dns.address])).resolves.toEqual([
            { name: "ns1.example.net", address: "127.0.0.1" },
            { name: "ns2.example.net", address: "127.0.0.1" },
            { name: "ns2.example.net", address: "127.0.0.2" },
        ]);
    });

    test("a domain without NS records fails clearly", async () => {
        const dns = await fakeDns();
        zone(dns);
        await expect(authoritativeServers("example.com", [dns.address])).rejects.toThrow(
            "NS lookup of example.com failed: NXDOMAIN",
        );
    });

    test("a wait whose nameservers cannot be found says so", async () => {
        const dns = await fakeDns();
        zone(dns);
        const e = await rejection(
            waitForRecord({ ...base, domain: "example.com", bootstrapResolvers: [dns.address], timeoutMs: 200 }),
        );
        expect(e.message).toBe(
            "app.example.org did not resolve to 203.0.113.10 within 0.2s: could not find the authoritative nameservers of example.com: NS lookup of example.com failed: NXDOMAIN",
        );
        expect(dns.queries("example.com")).toBeGreaterThan(1);
    });

    test("without resolvers the wait asks every authoritative server", async () => {
        const dns = await fakeDns();
        zone(dns);
        // ns2's second address (127.0.0.2) has nothing listening on this port: the wait must not pass.
        const e = await rejection(
            waitForRecord({ ...base, bootstrapResolvers: [dns.address], nameserverPort: dns.port, timeoutMs: 400 }),
        );
        expect(e.message).toContain(`ns1.example.net (127.0.0.1:${dns.port}) answered ${NEW_IP} (ok)`);
        expect(e.message).toMatch(new RegExp(`ns2\\.example\\.net \\(127\\.0\\.0\\.2:${dns.port}\\) (refused the connection|did not answer)`));

        dns.answer = (name, type) => {
            if (name === "example.org" && type === Packet.TYPE.NS) return { ns: ["ns1.example.net"] };
            if (name === "ns1.example.net") return { a: ["127.0.0.1"] };
            return name === FQDN ? { a: [NEW_IP] } : { rcode: Packet.RCODE.NXDOMAIN };
        };
        const result = await waitForRecord({ ...base, bootstrapResolvers: [dns.address], nameserverPort: dns.port, timeoutMs: 1_000 });
        expect(result.servers).toEqual([`ns1.example.net (127.0.0.1:${dns.port})`]);
    });
});

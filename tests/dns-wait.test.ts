/** The DNS propagation wait against real DNS servers (dns2) on 127.0.0.1. */
import dns2 from "dns2";
import { authoritativeServers, parseServer, waitForRecord, withResolver } from "../dns-record/dns-wait";
import { virtualClock } from "./virtual-clock";

const { Packet } = dns2;
const FQDN = "app.example.org";
const NEW_IP = "203.0.113.10";
const OLD_IP = "198.51.100.7";

type Reply = { a: string[]; delayMs?: number } | { ns: string[] } | { cname: string } | { rcode: number } | "drop";

/** A UDP DNS server whose answer per question is decided by `answer(name, type, n)`; n counts queries per name. */
class FakeDns {
    readonly counts = new Map<string, number>();
    private timers = new Set<NodeJS.Timeout>();
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
            } else if ("cname" in reply) {
                response.answers.push({ name: q.name, type: Packet.TYPE.CNAME, class: Packet.CLASS.IN, ttl: 300, domain: reply.cname } as never);
            } else {
                for (const ns of reply.ns) {
                    response.answers.push({ name: q.name, type: Packet.TYPE.NS, class: Packet.CLASS.IN, ttl: 300, ns } as never);
                }
            }
            const delayMs = "delayMs" in reply ? reply.delayMs : undefined;
            if (!delayMs) {
                void send(response);
                return;
            }
            const t = setTimeout(() => {
                this.timers.delete(t);
                void send(response);
            }, delayMs);
            this.timers.add(t);
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
        for (const t of this.timers) clearTimeout(t);
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

describe("resolver entries", () => {
    test.each([
        ["1.2.3.4", "1.2.3.4"],
        [" 10.20.30.40:5353 ", "10.20.30.40:5353"],
        ["192.0.2.1:1", "192.0.2.1:1"],
        ["192.0.2.1:65535", "192.0.2.1:65535"],
        ["192.0.2.1:053", "192.0.2.1:53"],
    ])("%j is accepted as %j", (entry, normalised) => {
        expect(parseServer(entry)).toBe(normalised);
    });

    test.each(["192.0.2.1:0", "192.0.2.1:65536", "192.0.2.1:123456", "192.0.2.1:", "192.0.2.1:53x", "x192.0.2.1", "256.1.1.1", "1.2.3", "ns1.example.org", ""])(
        "%j is refused",
        (entry) => {
            expect(() => parseServer(entry)).toThrow(`not an IPv4 address or address:port: ${JSON.stringify(entry)}`);
        },
    );

    test("blank resolver entries fall back to the authoritative servers", async () => {
        const dns = await fakeDns();
        dns.answer = (name, type) => {
            if (name === "example.org" && type === Packet.TYPE.NS) return { ns: ["ns1.example.net"] };
            if (name === "ns1.example.net") return { a: ["127.0.0.1"] };
            return name === FQDN ? { a: [NEW_IP] } : { rcode: Packet.RCODE.NXDOMAIN };
        };
        const result = await waitForRecord({
            ...base,
            resolvers: ["", "  "],
            bootstrapResolvers: [dns.address],
            nameserverPort: dns.port,
            timeoutMs: 1_000,
        });
        expect(result.servers).toEqual([`ns1.example.net (127.0.0.1:${dns.port})`]);
    });
});

test("the record appears after a few queries: the gate passes", async () => {
    const dns = await fakeDns();
    dns.answer = (_name, _type, n) => (n < 3 ? { rcode: Packet.RCODE.NXDOMAIN } : { a: [NEW_IP] });
    const clock = virtualClock();
    const result = await waitForRecord({ ...base, resolvers: [dns.address], timeoutMs: 1_500, clock });
    expect(result.attempts).toBe(3);
    expect(dns.queries()).toBe(3);
    expect(result.servers).toEqual([dns.address]);
    // A poll interval between rounds, none after the last.
    expect(clock.sleeps).toEqual([base.intervalMs, base.intervalMs]);
    expect(result.elapsedMs).toBe(2 * base.intervalMs);
});

test("an A record set that contains the IP among others passes", async () => {
    const dns = await fakeDns();
    dns.answer = () => ({ a: [OLD_IP, NEW_IP] });
    const result = await waitForRecord({ ...base, resolvers: [dns.address], timeoutMs: 1_000 });
    expect(result.attempts).toBe(1);
});

test("a record that never appears times out, naming the server and its NXDOMAIN", async () => {
    const dns = await fakeDns();
    const clock = virtualClock();
    const e = await rejection(waitForRecord({ ...base, resolvers: [dns.address], timeoutMs: 400, clock }));
    // Rounds spaced by the poll interval (20 ms) until the deadline: 0, 20, …, 380 ms.
    expect(e.message).toBe(`app.example.org did not resolve to 203.0.113.10 within 0.4s: ${dns.address} answered NXDOMAIN (20 queries per server)`);
    expect(dns.queries()).toBe(20);
    expect(clock.sleeps).toEqual(Array(20).fill(20));
});

test("a different IP keeps it waiting, then the failure names the wrong IP", async () => {
    const dns = await fakeDns();
    dns.answer = () => ({ a: [OLD_IP] });
    const e = await rejection(waitForRecord({ ...base, resolvers: [dns.address], timeoutMs: 400, clock: virtualClock() }));
    expect(dns.queries()).toBe(20);
    expect(e.message).toContain(`within 0.4s: ${dns.address} answered ${OLD_IP} (20 queries per server)`);
});

test("two servers where only one has the new IP: it waits for the second", async () => {
    const fresh = await fakeDns();
    const stale = await fakeDns();
    fresh.answer = () => ({ a: [NEW_IP] });
    stale.answer = (_name, _type, n) => ({ a: [n <= 4 ? OLD_IP : NEW_IP] });
    const result = await waitForRecord({ ...base, resolvers: [fresh.address, stale.address], timeoutMs: 1_500, clock: virtualClock() });
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

test("SERVFAIL, REFUSED, no data, a CNAME alone and silence are each reported", async () => {
    const [servfail, refused, nodata, cname, silent] = await Promise.all([fakeDns(), fakeDns(), fakeDns(), fakeDns(), fakeDns()]);
    servfail.answer = () => ({ rcode: Packet.RCODE.SERVFAIL });
    refused.answer = () => ({ rcode: Packet.RCODE.REFUSED });
    nodata.answer = () => ({ a: [] });
    // c-ares returns an empty list, not ENODATA, for a CNAME without its A record.
    cname.answer = () => ({ cname: "lb.example.net" });
    silent.answer = () => "drop";
    const resolvers = [servfail, refused, nodata, cname, silent].map((s) => s.address);
    const e = await rejection(waitForRecord({ ...base, resolvers, timeoutMs: 500, queryTimeoutMs: 100 }));
    expect(e.message).toContain(`${servfail.address} answered SERVFAIL`);
    expect(e.message).toContain(`${refused.address} refused the query (REFUSED)`);
    expect(e.message).toContain(`${nodata.address} answered no data (NOERROR, no records)`);
    expect(e.message).toContain(`${cname.address} answered no data (NOERROR, no records); `);
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
            waitForRecord({ ...base, domain: "example.com", bootstrapResolvers: [dns.address], timeoutMs: 240, clock: virtualClock() }),
        );
        expect(e.message).toBe(
            "app.example.org did not resolve to 203.0.113.10 within 0.2s: could not find the authoritative nameservers of example.com: NS lookup of example.com failed: NXDOMAIN",
        );
        // Every round (0, 20, …, 220 ms) looks them up again.
        expect(dns.queries("example.com")).toBe(12);
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
        // The nameservers are looked up once, not every round.
        expect(dns.queries("example.org")).toBe(1);

        dns.answer = (name, type) => {
            if (name === "example.org" && type === Packet.TYPE.NS) return { ns: ["ns1.example.net"] };
            if (name === "ns1.example.net") return { a: ["127.0.0.1"] };
            return name === FQDN ? { a: [NEW_IP] } : { rcode: Packet.RCODE.NXDOMAIN };
        };
        const result = await waitForRecord({ ...base, bootstrapResolvers: [dns.address], nameserverPort: dns.port, timeoutMs: 1_000 });
        expect(result.servers).toEqual([`ns1.example.net (127.0.0.1:${dns.port})`]);
    });
});

test("an expected address that is not IPv4 is refused before any query", async () => {
    const dns = await fakeDns();
    for (const ip of ["2001:db8::1", "203.0.113.256", "app.example.org"]) {
        await expect(waitForRecord({ ...base, expectedIp: ip, resolvers: [dns.address], timeoutMs: 100 })).rejects.toThrow(
            `not an IPv4 address: ${JSON.stringify(ip)}`,
        );
    }
    expect(dns.queries()).toBe(0);
});

test("a poll interval longer than the timeout: one round, and the wait ends at the deadline", async () => {
    const [unsorted, notimp] = await Promise.all([fakeDns(), fakeDns()]);
    unsorted.answer = () => ({ a: ["198.51.100.9", OLD_IP] });
    notimp.answer = () => ({ rcode: Packet.RCODE.NOTIMP });
    const clock = virtualClock();
    const e = await rejection(
        waitForRecord({ ...base, resolvers: [unsorted.address, notimp.address], timeoutMs: 1_000, intervalMs: 60_000, clock }),
    );
    // One pause, to the deadline, not the full interval.
    expect(clock.sleeps).toEqual([1_000]);
    expect(e.message).toBe(
        `app.example.org did not resolve to 203.0.113.10 within 1s: ${unsorted.address} answered ${OLD_IP}, 198.51.100.9; ` +
            `${notimp.address} answered ENOTIMP (1 query per server)`,
    );
});

test("an answer slower than c-ares' shortest timeout but within the query timeout counts", async () => {
    const dns = await fakeDns();
    dns.answer = () => ({ a: [NEW_IP], delayMs: 300 });
    const result = await waitForRecord({ ...base, resolvers: [dns.address], queryTimeoutMs: 1_000, timeoutMs: 1_500 });
    expect(result.attempts).toBe(1);
});

test("a query timeout below c-ares' own minimum (about 250 ms) is kept", async () => {
    const dns = await fakeDns();
    dns.answer = () => "drop";
    // c-ares stretches a 20 ms timeout and would end the query with ETIMEOUT; the guard cancels it
    // at the intended bound first (ECANCELLED).
    await expect(withResolver([dns.address], 20, 1, (r) => r.resolve4(FQDN))).rejects.toMatchObject({ code: "ECANCELLED" });
    const e = await rejection(waitForRecord({ ...base, resolvers: [dns.address], queryTimeoutMs: 20, intervalMs: 0, timeoutMs: 200 }));
    expect(e.message).toContain(`${dns.address} did not answer (timeout)`);
});

test("a wait leaves no timer running behind it", async () => {
    const dns = await fakeDns();
    dns.answer = () => ({ a: [NEW_IP] });
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    await waitForRecord({ ...base, resolvers: [dns.address], queryTimeoutMs: 1_000, timeoutMs: 1_000 });
    expect(timers()).toBe(before);
});

test("a timeout of a query cut short by the deadline keeps the server's previous answer; a full-length timeout does not", async () => {
    const [fading, silenced, late] = await Promise.all([fakeDns(), fakeDns(), fakeDns()]);
    // On the virtual clock the rounds start at 0, 1 and 2 s of a 2.4 s wait: the third round's
    // queries get the 0.4 s left, less than the 1.2 s query timeout. The servers answer by round.
    const wait = { ...base, queryTimeoutMs: 1_200, timeoutMs: 2_400, intervalMs: 1_000 };
    fading.answer = (_name, _type, n) => (n === 1 ? { a: [OLD_IP] } : n === 2 ? { rcode: Packet.RCODE.NXDOMAIN } : "drop");
    silenced.answer = (_name, _type, n) => (n === 1 ? { a: [OLD_IP] } : "drop");
    // The nameservers are found only in the cut-short round; their first answer is a timeout.
    late.answer = (name, _type, n) => {
        if (name === "example.org") return n < 3 ? { rcode: Packet.RCODE.NXDOMAIN } : { ns: ["ns1.example.net"] };
        return name === "ns1.example.net" ? { a: ["127.0.0.1"] } : "drop";
    };
    const clocks = [virtualClock(), virtualClock(), virtualClock()];
    const [cut, full, found] = await Promise.all([
        rejection(waitForRecord({ ...wait, resolvers: [fading.address], clock: clocks[0] })),
        rejection(waitForRecord({ ...wait, resolvers: [silenced.address], clock: clocks[1] })),
        rejection(waitForRecord({ ...wait, bootstrapResolvers: [late.address], nameserverPort: late.port, clock: clocks[2] })),
    ]);
    for (const clock of clocks) expect(clock.sleeps).toEqual([1_000, 1_000, 400]);
    expect(fading.queries()).toBe(3);
    expect(cut.message).toContain(`${fading.address} answered NXDOMAIN (3 queries per server)`);
    expect(full.message).toContain(`${silenced.address} did not answer (timeout) (3 queries per server)`);
    expect(late.queries("example.org")).toBe(3);
    expect(found.message).toContain(`ns1.example.net (127.0.0.1:${late.port}) did not answer (timeout) (1 query per server)`);
});

describe("authoritative servers, failures", () => {
    test("every nameserver failing to resolve is an error naming each", async () => {
        const dns = await fakeDns();
        dns.answer = (name, type) => {
            if (name === "example.org" && type === Packet.TYPE.NS) return { ns: ["ns1.example.net", "ns2.example.net"] };
            if (name === "ns2.example.net") return { rcode: Packet.RCODE.SERVFAIL };
            return { rcode: Packet.RCODE.NXDOMAIN };
        };
        const e = await rejection(authoritativeServers("example.org", [dns.address]));
        expect(e.message).toMatch(/^no nameserver of example\.org has an IPv4 address \(ns\d\.example\.net: \w+; ns\d\.example\.net: \w+\)$/);
        expect(e.message).toContain("ns1.example.net: NXDOMAIN");
        expect(e.message).toContain("ns2.example.net: SERVFAIL");

        const wait = await rejection(waitForRecord({ ...base, bootstrapResolvers: [dns.address], timeoutMs: 100 }));
        expect(wait.message).toMatch(/within 0\.1s: could not find the authoritative nameservers of example\.org: no nameserver of example\.org has an IPv4 address/);
    });

    test("on the default port 53 a server is named by its address alone", async () => {
        const dns = await fakeDns();
        dns.answer = (name, type) => {
            if (name === "example.org" && type === Packet.TYPE.NS) return { ns: ["ns1.example.net"] };
            // Nothing listens on 127.0.0.9:53.
            if (name === "ns1.example.net") return { a: ["127.0.0.9"] };
            return { rcode: Packet.RCODE.NXDOMAIN };
        };
        const e = await rejection(
            waitForRecord({ ...base, bootstrapResolvers: [dns.address], queryTimeoutMs: 50, timeoutMs: 100 }),
        );
        expect(e.message).toMatch(/: ns1\.example\.net \(127\.0\.0\.9\) (refused the connection|did not answer \(timeout\)) \(/);
    });
});

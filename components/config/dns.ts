/**
 * Keys of the DNS record and its propagation gate (components/dns.ts), and the stack-wide rule
 * that the Namecheap domain holds every host name (platform keys).
 */
import { getDomain } from "tldts";
import { z } from "zod";
import { serverEntry } from "../../dns-record/dns-wait";
import { type CrossFieldRule, hostnameSchema, rule } from "./fields";

/** Namecheap's Dynamic DNS endpoint: the default dns.ddnsUrl. */
export const NAMECHEAP_DDNS_URL = "https://dynamicdns.park-your-domain.com";

/** A resolver entry as the propagation wait reads it (dns-record/dns-wait.ts), without surrounding blanks. */
function resolverProblem(entry: string): string | undefined {
    const server = serverEntry(entry);
    if (!("problem" in server)) return undefined;
    return server.problem === "port" ? "a port from 1 to 65535" : 'an IPv4 address, optionally with a port: "1.1.1.1" or "10.0.0.2:53"';
}

const dns = z.strictObject({
    dns: z
        .strictObject({
            provider: z.enum(["namecheap", "none"]).default("namecheap"),
            domain: hostnameSchema.optional(),
            ddnsUrl: z.url({ protocol: /^https?$/, message: "an http(s) URL" }).default(NAMECHEAP_DDNS_URL),
            resolvers: z
                .array(z.string().superRefine(rule(resolverProblem)))
                .default([]),
            timeoutSeconds: z.int().min(30).max(3600).default(900),
            onDestroy: z.enum(["park", "keep"]).default("park"),
        })
        .prefault({}),
});

/** The dns key, in the order it is checked. */
export const dnsKeys = dns.shape;

type DnsAndHosts = z.output<typeof dns> & { hostname: string; extraHostnames: string[] };

/** The Namecheap domain: dns.domain, or the registrable domain of hostname. */
export function namecheapDomain(c: Pick<DnsAndHosts, "dns" | "hostname">): string | undefined {
    return c.dns.domain ?? getDomain(c.hostname) ?? undefined;
}

/** With dns.provider "namecheap", the domain is a registrable one and holds every host name. */
export const dnsDomainRule: CrossFieldRule<DnsAndHosts> = (c, ctx) => {
    if (c.dns.provider !== "namecheap") return;
    // A host name that breaks the syntax has its own problem line: the domain is judged on the rest.
    const hosts = [c.hostname, ...c.extraHostnames].filter((h) => hostnameSchema.safeParse(h).success);
    if (c.dns.domain === undefined && !hosts.includes(c.hostname)) return;
    const domain = namecheapDomain(c);
    if (domain === undefined || getDomain(domain) !== domain) {
        ctx.addIssue({
            code: "custom",
            path: ["dns", "domain"],
            input: c.dns.domain,
            message: `the domain registered at Namecheap, e.g. ${getDomain(domain ?? "") ?? "example.org"}`,
        });
    } else {
        for (const h of hosts.filter((h) => h !== domain && !h.endsWith(`.${domain}`))) {
            ctx.addIssue({
                code: "custom",
                path: ["dns", "domain"],
                input: domain,
                message: `a domain that contains every host name (${h} is outside it); use dns.provider "none" for hosts elsewhere`,
            });
        }
    }
};

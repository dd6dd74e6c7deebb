import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

/** The CLI the record and gate resources run, from the project root (see dns-record/cli.ts). */
export const DNS_CLI = "node -r ts-node/register/transpile-only dns-record/cli.ts";

/** Where `pulumi destroy` parks a record: RFC 5737 TEST-NET-1, never routed, never reassigned. */
export const PARK_IP = "192.0.2.1";

export interface DnsRecord {
    name: string;
    type: "A";
    value: string;
}

export interface DnsArgs {
    /** "namecheap": update the records and wait for them; "none": the user manages DNS. */
    provider: "namecheap" | "none";
    /** Fully qualified host names that must point at the load balancer. */
    hostnames: string[];
    /** The Namecheap domain holding every host name. */
    domain?: string;
    /** The load balancer's public IP. */
    ip: pulumi.Input<string>;
    /** Namecheap Dynamic DNS endpoint (a loopback fake in tests). */
    ddnsUrl: string;
    /** Namecheap Dynamic DNS password (secret). */
    password?: pulumi.Input<string>;
    /** Resolvers to ask; empty asks the domain's authoritative nameservers. */
    resolvers: string[];
    timeoutSeconds: number;
    /** "park" points the records at PARK_IP on destroy; "keep" leaves them. */
    onDestroy: "park" | "keep";
}

/** The Namecheap host label of a name within a domain: "@" for the apex. */
export function hostLabel(fqdn: string, domain: string): string {
    if (fqdn === domain) return "@";
    if (!fqdn.endsWith(`.${domain}`)) throw new Error(`${fqdn} is not within ${domain}`);
    return fqdn.slice(0, -(domain.length + 1));
}

/**
 * Points each host name at the load balancer through Namecheap Dynamic DNS, then waits until
 * the names resolve to it. `ready` resolves only after every wait has passed: what depends
 * on it (the app's Ingress, and so its certificate) is created after DNS is in place.
 */
export class Dns extends pulumi.ComponentResource {
    /** The records the stack needs, for users who manage DNS themselves. */
    public readonly records: pulumi.Output<DnsRecord[]>;
    /** "host=ip,…" once every host name resolves to the load balancer. */
    public readonly ready: pulumi.Output<string>;

    constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("django-doks:dns:Dns", name, {}, opts);
        const ip = pulumi.output(args.ip);
        this.records = ip.apply((value) => args.hostnames.map((h) => ({ name: h, type: "A" as const, value })));

        if (args.provider === "none") {
            this.ready = ip.apply((value) => args.hostnames.map((h) => `${h}=${value}`).join(","));
            this.registerOutputs({ records: this.records, ready: this.ready });
            return;
        }
        const { domain, password } = args;
        if (domain === undefined || password === undefined) {
            throw new Error('dns.provider "namecheap" needs the domain and the Dynamic DNS password');
        }

        const gates = args.hostnames.map((fqdn) => {
            const target = { DNS_HOST: hostLabel(fqdn, domain), DNS_DOMAIN: domain, DNS_IP: ip };
            const update = `${DNS_CLI} update`;
            const record = new command.local.Command(
                `${name}-record-${fqdn}`,
                {
                    create: update,
                    // Any change (IP, host, password) runs the update again; an unchanged up runs nothing.
                    update,
                    delete: args.onDestroy === "park" ? `DNS_IP=${PARK_IP} ${update}` : undefined,
                    environment: {
                        ...target,
                        NAMECHEAP_DDNS_URL: args.ddnsUrl,
                        NAMECHEAP_DDNS_PASSWORD: pulumi.secret(password),
                    },
                },
                { parent: this },
            );
            const wait = `${DNS_CLI} wait`;
            const gate = new command.local.Command(
                `${name}-propagated-${fqdn}`,
                {
                    create: wait,
                    update: wait,
                    environment: {
                        ...target,
                        DNS_RESOLVERS: args.resolvers.join(","),
                        DNS_TIMEOUT_SECONDS: String(args.timeoutSeconds),
                    },
                },
                { parent: this, dependsOn: [record] },
            );
            // Outputs of the gate resolve only once its command has succeeded.
            return gate.environment.apply((env) => `${fqdn}=${env?.DNS_IP ?? ""}`);
        });
        this.ready = pulumi.all(gates).apply((g) => g.join(","));
        this.registerOutputs({ records: this.records, ready: this.ready });
    }
}

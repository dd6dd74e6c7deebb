import program from "../index";
import { DNS_CLI, hostLabel, PARK_IP } from "../components/dns";
import {
    CONTROLLERS,
    evaluate,
    Evaluation,
    LB_IP,
    ofType,
    one,
    plainTextSecrets,
    resolve,
    SECRET_TEXTS,
    secretInput,
    STACKS_BY_CONTROLLER,
    unwrapSecrets,
    USER_VALUES,
} from "./harness";

const COMMAND = "command:local:Command";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const HOST = USER_VALUES.hostname;

/** What waits for DNS on each path: the object whose certificate HTTP-01 must find the new address. */
const DNS_GATED = {
    nginx: { type: INGRESS, name: "app-web", what: "the Ingress (and so its certificate)" },
    gateway: { type: "kubernetes:cert-manager.io/v1:Certificate", name: "app-gateway-certificate", what: "the Gateway's Certificate" },
} as const;

describe.each(STACKS_BY_CONTROLLER)("%s stack with ingress.controller %s: Namecheap record and propagation gate", (stack, controller) => {
    const { set, lbIp } = CONTROLLERS[controller];
    const gated = DNS_GATED[controller];
    let e: Evaluation;
    beforeAll(async () => {
        e = await evaluate(program, stack, { set });
    });
    const record = () => one(e, COMMAND, `dns-record-${HOST}`);
    const gate = () => one(e, COMMAND, `dns-propagated-${HOST}`);

    test("the update carries the load balancer IP, the host and the domain, and runs the CLI on create and update", () => {
        const r = record().inputs;
        expect(r.create).toBe(`${DNS_CLI} update`);
        expect(r.update).toBe(r.create);
        const env = unwrapSecrets(r.environment);
        expect(env).toEqual({
            DNS_HOST: "app",
            DNS_DOMAIN: "acme-test.org",
            DNS_IP: lbIp,
            NAMECHEAP_DDNS_URL: "https://dynamicdns.park-your-domain.com",
            NAMECHEAP_DDNS_PASSWORD: SECRET_TEXTS.namecheapPassword,
        });
    });

    test("the password input is secret, and nothing in the record's inputs carries it in plain text", () => {
        const env = record().inputs.environment;
        expect(secretInput(env).secret || secretInput(env.NAMECHEAP_DDNS_PASSWORD).secret).toBe(true);
        expect(plainTextSecrets(record().inputs)).toEqual([]);
        expect(unwrapSecrets(env).NAMECHEAP_DDNS_PASSWORD).toBe(SECRET_TEXTS.namecheapPassword);
    });

    test("destroy parks the record on a never-routed address", () => {
        expect(record().inputs.delete).toBe(`DNS_IP=${PARK_IP} ${DNS_CLI} update`);
    });

    test("the gate waits on the authoritative servers for the same IP, after the update", () => {
        const g = gate().inputs;
        expect(g.create).toBe(`${DNS_CLI} wait`);
        expect(g.update).toBe(g.create);
        expect(g.delete).toBeUndefined();
        expect(unwrapSecrets(g.environment)).toEqual({
            DNS_HOST: "app",
            DNS_DOMAIN: "acme-test.org",
            DNS_IP: lbIp,
            DNS_RESOLVERS: "",
            DNS_TIMEOUT_SECONDS: "900",
        });
        expect(JSON.stringify(g)).not.toContain(SECRET_TEXTS.namecheapPassword);
        expect(gate().opts.dependsOn).toEqual([`dns-record-${HOST}`]);
    });

    test(`${gated.what} is registered after the gate and carries its result`, () => {
        const waiting = one(e, gated.type, gated.name);
        expect(waiting.seq).toBeGreaterThan(gate().seq);
        expect(waiting.inputs.metadata.annotations["django-doks/dns-ready"]).toBe(`${HOST}=${lbIp}`);
    });

    test("nothing else waits for DNS", () => {
        const waiting = e.resources.filter((r) => JSON.stringify(r.inputs).includes(`${HOST}=${lbIp}`)).map((r) => r.name);
        expect(waiting).toEqual([gated.name]);
        expect(e.resources.filter((r) => r.opts.dependsOn?.some((d) => d.startsWith("dns-"))).map((r) => r.name)).toEqual([
            `dns-propagated-${HOST}`,
        ]);
    });
});

describe("DNS choices", () => {
    test("dns.provider none: no update, no gate; an output names the records to create", async () => {
        const e = await evaluate(program, "prod", { set: { dns: { provider: "none" } }, secrets: { namecheapPassword: undefined } });
        expect(ofType(e, COMMAND)).toEqual([]);
        expect((await resolve(e.outputs.dnsRecords)).value).toEqual([{ name: HOST, type: "A", value: LB_IP }]);
        expect((await resolve(e.outputs.dnsProvider)).value).toBe("none");
        expect(one(e, INGRESS, "app-web").inputs.metadata.annotations["django-doks/dns-ready"]).toBe(`${HOST}=${LB_IP}`);
    });

    test("every host name gets its record and gate; resolvers, timeout, domain and endpoint come from config", async () => {
        const e = await evaluate(program, "dev", {
            set: {
                hostname: "acme-test.org",
                extraHostnames: ["www.acme-test.org"],
                dns: { resolvers: ["1.1.1.1", "8.8.8.8:53"], timeoutSeconds: 120, ddnsUrl: "http://127.0.0.1:8053", onDestroy: "keep" },
            },
        });
        const records = ofType(e, COMMAND).filter((c) => c.name.startsWith("dns-record-"));
        expect(records.map((r) => unwrapSecrets(r.inputs.environment).DNS_HOST)).toEqual(["@", "www"]);
        for (const r of records) {
            expect(r.inputs.delete).toBeUndefined();
            expect(unwrapSecrets(r.inputs.environment).NAMECHEAP_DDNS_URL).toBe("http://127.0.0.1:8053");
        }
        const gates = ofType(e, COMMAND).filter((c) => c.name.startsWith("dns-propagated-"));
        expect(gates.map((g) => g.inputs.environment.DNS_RESOLVERS)).toEqual(["1.1.1.1,8.8.8.8:53", "1.1.1.1,8.8.8.8:53"]);
        expect(gates.map((g) => g.inputs.environment.DNS_TIMEOUT_SECONDS)).toEqual(["120", "120"]);
        const ingress = one(e, INGRESS, "app-web");
        for (const g of gates) expect(ingress.seq).toBeGreaterThan(g.seq);
        expect(ingress.inputs.metadata.annotations["django-doks/dns-ready"]).toBe(`acme-test.org=${LB_IP},www.acme-test.org=${LB_IP}`);
    });

    test("a domain with a multi-label public suffix is found without configuration", async () => {
        const e = await evaluate(program, "dev", { set: { hostname: "shop.acme.co.uk" } });
        const env = unwrapSecrets(one(e, COMMAND, "dns-record-shop.acme.co.uk").inputs.environment);
        expect([env.DNS_HOST, env.DNS_DOMAIN]).toEqual(["shop", "acme.co.uk"]);
    });

    test("host labels: apex, subdomain, nested, and a name outside the domain", () => {
        expect(hostLabel("example.org", "example.org")).toBe("@");
        expect(hostLabel("app.example.org", "example.org")).toBe("app");
        expect(hostLabel("a.b.example.org", "example.org")).toBe("a.b");
        expect(() => hostLabel("app.example.net", "example.org")).toThrow("not within example.org");
        expect(() => hostLabel("badexample.org", "example.org")).toThrow();
    });
});

/** ingress.controller "gateway": DOKS's managed Gateway API (Cilium) instead of, or beside, ingress-nginx. */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import program from "../index";
import { ACME_SOLVER_PORT, APP_PORT, STATIC_PORT } from "../components/app";
import { stackCostEstimate } from "../components/cost";
import { readConfig } from "../components/config/read";
import { GATEWAY, gatewayIpv4 } from "../components/platform";
import {
    CONTROLLERS,
    evaluate,
    evaluateFailure,
    Evaluation,
    GATEWAY_LB_ID,
    GATEWAY_LB_IP,
    hasUnknown,
    isKnown,
    kubernetesObjects,
    LB_ID,
    LB_IP,
    ofType,
    one,
    readsOf,
    resolve,
    ROOT,
    StackName,
    unwrapSecrets,
    USER_VALUES,
    validateObjects,
} from "./harness";

const T = {
    release: "kubernetes:helm.sh/v3:Release",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    route: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    grant: "kubernetes:gateway.networking.k8s.io/v1beta1:ReferenceGrant",
    certificate: "kubernetes:cert-manager.io/v1:Certificate",
    cnp: "kubernetes:cilium.io/v2:CiliumNetworkPolicy",
    policy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    issuer: "kubernetes:cert-manager.io/v1:ClusterIssuer",
    command: "command:local:Command",
    monitorAlert: "digitalocean:index/monitorAlert:MonitorAlert",
    deployment: "kubernetes:apps/v1:Deployment",
    service: "kubernetes:core/v1:Service",
};
const HOST = USER_VALUES.hostname;
const WWW = `www.${HOST.split(".").slice(1).join(".")}`;
const GATEWAY_ONLY = CONTROLLERS.gateway.set;
const BOTH = { ingress: { controller: "gateway", keepNginx: true } };
const releaseCharts = (e: Evaluation) => ofType(e, T.release).map((r) => r.inputs.chart);
const dependsOnAny = (r: { dependencies: string[] }, keys: string[]) => keys.some((k) => r.dependencies.includes(k));

describe.each(["dev", "prod"] as const)("%s with ingress.controller gateway", (stack: StackName) => {
    let e: Evaluation;
    beforeAll(async () => {
        e = await evaluate(program, stack, { set: { ...GATEWAY_ONLY, extraHostnames: [WWW] } });
    });

    test("no ingress-nginx: no release, no Ingress, no policy naming its namespace", () => {
        expect(releaseCharts(e)).not.toContain("ingress-nginx");
        expect(ofType(e, T.ingress)).toEqual([]);
        expect(ofType(e, T.policy).map((p) => p.inputs.metadata.name).filter((n: string) => n.endsWith("-from-ingress"))).toEqual([]);
    });

    test("one Gateway of DOKS's class, HTTP and HTTPS listeners per host name, TLS from the app's Secret", () => {
        const gw = one(e, T.gateway, "platform-gateway").inputs;
        expect(gw.metadata).toMatchObject({ name: GATEWAY.name, namespace: GATEWAY.namespace });
        expect(gw.spec.gatewayClassName).toBe("cilium");
        expect(gw.spec.listeners.map((l: any) => [l.protocol, l.port, l.hostname])).toEqual([
            ["HTTP", 80, HOST],
            ["HTTPS", 443, HOST],
            ["HTTP", 80, WWW],
            ["HTTPS", 443, WWW],
        ]);
        for (const l of gw.spec.listeners) {
            expect(l.allowedRoutes).toEqual({ namespaces: { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": "django" } } } });
            if (l.protocol === "HTTPS") expect(l.tls).toEqual({ mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "web-tls", namespace: "django" }] });
        }
        // The Secret is in the app's namespace, so the app grants the Gateway's namespace the reference.
        const grant = one(e, T.grant).inputs;
        expect(grant.metadata.namespace).toBe("django");
        expect(grant.spec).toEqual({
            from: [{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: GATEWAY.namespace }],
            to: [{ group: "", kind: "Secret", name: "web-tls" }],
        });
    });

    test("an HTTPRoute per host name with every route the nginx path has, and HTTP sent to HTTPS", () => {
        const routes = ofType(e, T.route);
        const byHost = (h: string) => routes.find((r) => r.inputs.spec.hostnames.length === 1 && r.inputs.spec.hostnames[0] === h)!.inputs.spec;
        for (const h of [HOST, WWW]) {
            const spec = byHost(h);
            expect(spec.parentRefs).toEqual([{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "web", namespace: "gateway", sectionName: `https-${h.replace(/\./g, "-")}` }]);
            expect(spec.rules).toEqual([
                { matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "web", port: APP_PORT }] },
                { matches: [{ path: { type: "PathPrefix", value: "/static" } }], backendRefs: [{ name: "static", port: STATIC_PORT }] },
            ]);
        }
        const redirect = routes.find((r) => r.inputs.metadata.name === "https-redirect")!.inputs.spec;
        expect(redirect.parentRefs.map((p: any) => p.sectionName)).toEqual([`http-${HOST.replace(/\./g, "-")}`, `http-${WWW.replace(/\./g, "-")}`]);
        expect(redirect.rules).toEqual([
            { matches: [{ path: { type: "PathPrefix", value: "/" } }], filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] },
        ]);
    });

    test("the dynamic routes from config reach the same Services and ports as through the Ingress", async () => {
        const routes = [{ path: "/", service: "app" }, { path: "/static", service: "static" }, { path: "/api", service: "api", port: 9000 }];
        const set = { app: { routes } };
        const nginx = one(await evaluate(program, stack, { set }), T.ingress).inputs.spec.rules[0].http.paths;
        const gateway = one(await evaluate(program, stack, { set: { ...set, ...GATEWAY_ONLY } }), T.route, `app-route-${HOST}`).inputs.spec.rules;
        expect(gateway.map((r: any) => [r.matches[0].path.value, r.backendRefs[0].name, r.backendRefs[0].port])).toEqual(
            nginx.map((p: any) => [p.path, p.backend.service.name, p.backend.service.port.number]),
        );
        expect(gateway.at(-1).backendRefs).toEqual([{ name: "api", port: 9000 }]);
    });

    test("the load balancer's IPv4 from the Gateway's status drives the DNS update and the gate", async () => {
        for (const fqdn of [HOST, WWW]) {
            expect(unwrapSecrets(one(e, T.command, `dns-record-${fqdn}`).inputs.environment).DNS_IP).toBe(GATEWAY_LB_IP);
            expect(unwrapSecrets(one(e, T.command, `dns-propagated-${fqdn}`).inputs.environment).DNS_IP).toBe(GATEWAY_LB_IP);
        }
        expect((await resolve(e.outputs.loadBalancerIp)).value).toBe(GATEWAY_LB_IP);
        expect((await resolve(e.outputs.gateway)).value).toBe("gateway/web");
        expect(e.outputs.ingressClassName).toBeUndefined();
        // Read by the ids the program fixes, after the Gateway.
        const gw = one(e, T.gateway, "platform-gateway");
        const status = readsOf(e, T.gateway)[0];
        expect(status.read).toBe("gateway/web");
        expect(status.dependencies).toContain(gw.key);
        const service = readsOf(e, T.service).find((r) => r.read === `gateway/${GATEWAY.service}`)!;
        expect(service.dependencies).toContain(gw.key);
    });

    test("the Gateway and its routes come before DNS moves; the certificate after DNS points at the Gateway", () => {
        const gates = ofType(e, T.command).filter((c) => c.name.startsWith("dns-propagated-")).map((c) => c.key);
        expect(gates).toHaveLength(2);
        for (const r of [...ofType(e, T.route), one(e, T.gateway, "platform-gateway")]) expect(dependsOnAny(r, gates)).toBe(false);
        const cert = one(e, T.certificate);
        expect(gates.every((g) => cert.dependencies.includes(g))).toBe(true);
        expect(cert.inputs.spec).toEqual({
            secretName: "web-tls",
            dnsNames: [HOST, WWW],
            issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: stack === "dev" ? "letsencrypt-staging" : "letsencrypt-production" },
        });
    });

    test("cert-manager solves HTTP-01 through the Gateway, with its Gateway API support switched on", () => {
        for (const issuer of ofType(e, T.issuer)) {
            expect(issuer.inputs.spec.acme.solvers).toEqual([
                { http01: { gatewayHTTPRoute: { parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "web", namespace: "gateway" }] } } },
            ]);
        }
        const certManager = ofType(e, T.release).find((r) => r.inputs.name === "cert-manager")!;
        expect(certManager.inputs.values.config).toEqual({ apiVersion: "controller.config.cert-manager.io/v1alpha1", kind: "ControllerConfiguration", enableGatewayAPI: true });
    });

    test("Cilium's ingress identity may reach exactly the web, static and solver pods on their ports", () => {
        const cnps = ofType(e, T.cnp).map((c) => c.inputs);
        const web = one(e, T.deployment, "app-web").inputs.spec.template;
        const staticPods = one(e, T.deployment, "app-static").inputs.spec.template;
        const port = (tpl: any) => String(tpl.spec.containers[0].ports[0].containerPort);
        const expected = [
            ["web-from-gateway", web.metadata.labels, port(web)],
            ["static-from-gateway", staticPods.metadata.labels, port(staticPods)],
            ["acme-solver-from-gateway", { "acme.cert-manager.io/http01-solver": "true" }, String(ACME_SOLVER_PORT)],
        ];
        expect(cnps.map((c) => c.metadata.name).sort()).toEqual(expected.map((x) => x[0]).sort());
        for (const [name, labels, p] of expected) {
            const c = cnps.find((x) => x.metadata.name === name)!;
            expect(c.metadata.namespace).toBe("django");
            // The selector selects the pods: each of its labels is one of theirs.
            for (const [k, v] of Object.entries(c.spec.endpointSelector.matchLabels)) expect((labels as Record<string, string>)[k]).toBe(v);
            expect(c.spec.ingress).toEqual([{ fromEntities: ["ingress"], toPorts: [{ ports: [{ port: p, protocol: "TCP" }] }] }]);
        }
        // The namespace still denies everything else.
        expect(ofType(e, T.policy).find((p) => p.inputs.metadata.name === "default-deny")).toBeDefined();
    });

    test("the load balancer alerts watch the Gateway's load balancer, by the id on Cilium's Service", () => {
        const lbAlerts = ofType(e, T.monitorAlert).filter((a) => a.inputs.type.startsWith("v1/insights/lbaas/"));
        expect(lbAlerts).toHaveLength(3);
        for (const a of lbAlerts) expect(a.inputs.entities).toEqual([GATEWAY_LB_ID]);
        expect((ofType(e, T.gateway)[0].inputs.spec.infrastructure.annotations as Record<string, string>)["service.beta.kubernetes.io/do-loadbalancer-name"]).toBe(`django-doks-${stack}-gateway`);
    });

    test("every object validates against its schema (Gateway API, cert-manager, Cilium)", () => {
        const objects = kubernetesObjects(e).map((o) => o.object);
        expect(objects.some((o) => o.kind === "CiliumNetworkPolicy")).toBe(true);
        expect(validateObjects(objects).filter((v) => v.error !== null)).toEqual([]);
    });
});

describe("keepNginx: both paths serve while a live stack moves", () => {
    let e: Evaluation;
    beforeAll(async () => {
        e = await evaluate(program, "prod", { set: BOTH });
    });

    test("ingress-nginx, its Ingress and policies stay; the Gateway, its routes and Cilium policies are added", () => {
        expect(releaseCharts(e)).toContain("ingress-nginx");
        expect(ofType(e, T.ingress)).toHaveLength(1);
        expect(ofType(e, T.gateway).filter((g) => g.read === undefined)).toHaveLength(1);
        expect(ofType(e, T.policy).map((p) => p.inputs.metadata.name)).toEqual(expect.arrayContaining(["web-from-ingress", "static-from-ingress", "acme-solver-from-ingress"]));
        expect(ofType(e, T.cnp)).toHaveLength(3);
    });

    test("DNS, the challenges and the alerts move to the Gateway; the Ingress's certificate still fills the Secret both serve", () => {
        expect(unwrapSecrets(one(e, T.command, `dns-record-${HOST}`).inputs.environment).DNS_IP).toBe(GATEWAY_LB_IP);
        for (const a of ofType(e, T.monitorAlert).filter((x) => x.inputs.type.startsWith("v1/insights/lbaas/"))) expect(a.inputs.entities).toEqual([GATEWAY_LB_ID]);
        expect(ofType(e, T.issuer)[0].inputs.spec.acme.solvers[0].http01.gatewayHTTPRoute).toBeDefined();
        expect(ofType(e, T.certificate)).toEqual([]);
        expect(one(e, T.ingress).inputs.spec.tls).toEqual([{ hosts: [HOST], secretName: "web-tls" }]);
        expect(one(e, T.ingress).inputs.metadata.annotations["cert-manager.io/cluster-issuer"]).toBe("letsencrypt-production");
    });

    test("the two load balancers have different names and are both in the cost estimate", async () => {
        const nginx = ofType(e, T.release).find((r) => r.inputs.chart === "ingress-nginx")!;
        const nginxName = nginx.inputs.values.controller.service.annotations["service.beta.kubernetes.io/do-loadbalancer-name"];
        const gatewayName = ofType(e, T.gateway)[0].inputs.spec.infrastructure.annotations["service.beta.kubernetes.io/do-loadbalancer-name"];
        expect(gatewayName).toBe(`${nginxName}-gateway`);
        const cost = (await resolve(e.outputs.estimatedMonthlyCostUsd)).value as { lines: { item: string; quantity: number; note?: string }[] };
        const lb = cost.lines.find((l) => l.item === "Load balancer node")!;
        expect(lb.quantity).toBe(2);
        expect(lb.note).toContain("one each for ingress-nginx's Service of type LoadBalancer and the Gateway");
    });
});

describe("the nginx path is what it was", () => {
    test("the committed stacks default to nginx: no Gateway, no Cilium policy, the ingress solver", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const e = await evaluate(program, stack);
            expect(ofType(e, T.gateway)).toEqual([]);
            expect(ofType(e, T.cnp)).toEqual([]);
            expect(ofType(e, T.route)).toEqual([]);
            expect(ofType(e, T.issuer)[0].inputs.spec.acme.solvers).toEqual([{ http01: { ingress: { ingressClassName: "nginx" } } }]);
            expect(unwrapSecrets(one(e, T.command, `dns-record-${HOST}`).inputs.environment).DNS_IP).toBe(LB_IP);
            for (const a of ofType(e, T.monitorAlert).filter((x) => x.inputs.type.startsWith("v1/insights/lbaas/"))) expect(a.inputs.entities).toEqual([LB_ID]);
            const certManager = ofType(e, T.release).find((r) => r.inputs.name === "cert-manager")!;
            expect(certManager.inputs.values.config).toBeUndefined();
        }
    });
});

describe("the Gateway's address", () => {
    test("the IPv4 among its addresses; none gives the same kind of error as the nginx path", async () => {
        expect(gatewayIpv4([{ type: "IPAddress", value: "2001:db8::1" }, { type: "IPAddress", value: GATEWAY_LB_IP }])).toBe(GATEWAY_LB_IP);
        expect(gatewayIpv4([{ value: GATEWAY_LB_IP }])).toBe(GATEWAY_LB_IP);
        expect(gatewayIpv4([{ type: "Hostname", value: "lb.example.org" }])).toBeUndefined();
        const { error } = await evaluateFailure(program, "dev", { set: GATEWAY_ONLY, gatewayAddresses: [{ type: "IPAddress", value: "2001:db8::1" }] });
        expect(error.message).toContain(
            'The Gateway\'s load balancer has no public IPv4: Gateway gateway/web reports status.addresses = [{"type":"IPAddress","value":"2001:db8::1"}].',
        );
    });
});

describe("one place decides the path", () => {
    test("only the config loader reads ingress.controller and keepNginx", () => {
        const files = ["index.ts", ...walk("components"), ...walk("policy")].filter((f) => !f.startsWith(path.join("components", "config")));
        const readers = files.filter((f) => /\bingress\.(controller|keepNginx)\b|\bkeepNginx\b/.test(fs.readFileSync(path.join(ROOT, f), "utf8")));
        expect(readers).toEqual([]);
    });

    test("the loader turns the choice into entrypoints; the estimate counts a load balancer per path", () => {
        const read = (set: Record<string, unknown>) =>
            readConfig({
                project: "django-doks",
                stack: "prod",
                config: {
                    ...Object.fromEntries(Object.entries(USER_VALUES).map(([k, v]) => [`django-doks:${k}`, v])),
                    "django-doks:clusterSubnet": "172.29.0.0/16",
                    "django-doks:serviceSubnet": "172.30.0.0/19",
                    "django-doks:vpcIpRange": "172.28.0.0/20",
                    "django-doks:dns": JSON.stringify({ provider: "none" }),
                    ...Object.fromEntries(Object.entries(set).map(([k, v]) => [`django-doks:${k}`, JSON.stringify(v)])),
                },
                isSecret: () => true,
                env: { DIGITALOCEAN_TOKEN: "dop_v1_x" },
            }).settings;
        expect(read({}).entrypoints).toEqual({ nginx: true, gateway: false, serving: "nginx" });
        expect(read(GATEWAY_ONLY).entrypoints).toEqual({ nginx: false, gateway: true, serving: "gateway" });
        expect(read(BOTH).entrypoints).toEqual({ nginx: true, gateway: true, serving: "gateway" });
        const lbLine = (set: Record<string, unknown>) => stackCostEstimate({ ...read(set), doToken: undefined } as never).lines.find((l) => l.item === "Load balancer node")!;
        expect(lbLine(GATEWAY_ONLY).quantity).toBe(1);
        expect(lbLine(GATEWAY_ONLY).note).toContain("the Gateway (Cilium's Service cilium-gateway-web");
        expect(lbLine(BOTH).quantity).toBe(2);
    });
});

function walk(dir: string): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((d) => {
        const rel = path.join(dir, d.name);
        return d.isDirectory() ? walk(rel) : rel.endsWith(".ts") ? [rel] : [];
    });
}

describe("a first preview with the Gateway", () => {
    test("runs with every output of what is not yet created unknown, and registers the same objects", async () => {
        const planned = await evaluate(program, "dev", { set: GATEWAY_ONLY, preview: true });
        const done = await evaluate(program, "dev", { set: GATEWAY_ONLY });
        const kinds = (e: Evaluation) => e.resources.filter((r) => r.read === undefined).map((r) => `${r.type} ${r.name}`).sort();
        expect(kinds(planned)).toEqual(kinds(done));
        expect((await resolve(planned.outputs.loadBalancerIp)).known).toBe(false);
    });
});

describe.each([
    ["the move of a live nginx stack", GATEWAY_ONLY],
    ["step 1 of the two-step move (keepNginx)", BOTH],
])("the preview of %s", (_label, set) => {
    // The stack exists with ingress-nginx; this update creates the Gateway. The real engine reads an
    // object whose id and provider are known, so a read by a fixed id failed the preview with
    // "resource 'gateway/web' does not exist" (scripts/lifecycle-gateway-move.sh).
    let e: Evaluation;
    beforeAll(async () => {
        e = await evaluate(program, "prod", { set, previewUpdate: {}, creating: ["platform-gateway"] });
    });

    test("reads neither the Gateway nor Cilium's Service before the Gateway exists", () => {
        const reads = [...readsOf(e, T.gateway), ...readsOf(e, T.service).filter((r) => r.name === "platform-gateway-service")];
        expect(reads.map((r) => r.name).sort()).toEqual(["platform-gateway-service", "platform-gateway-status"]);
        for (const r of reads) expect([r.name, r.read, r.outputs]).toEqual([r.name, pulumi.runtime.unknownValue, {}]);
    });

    test("so the DNS update waits for pulumi up, and nothing fails", async () => {
        expect(await isKnown(e.outputs.loadBalancerIp)).toBe(false);
        expect(await isKnown(e.outputs.clusterId)).toBe(true);
        const gate = one(e, T.command, `dns-propagated-${HOST}`);
        expect(hasUnknown(gate.inputs.environment)).toBe(true);
    });
});

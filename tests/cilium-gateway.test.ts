/** scripts/lifecycle/cilium-gateway.mjs, the lifecycle runs' stand-in for Cilium's Gateway controller, against a fake API server. */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./harness";

const TOKEN = "admin-token";
const GW = "/apis/gateway.networking.k8s.io/v1";

/** The few endpoints the controller uses, as kube-apiserver answers them (401 without the token, 404, merge-patch of status). */
class FakeApiServer {
    classes = new Map<string, any>();
    gateways: any[] = [];
    services = new Map<string, any>();
    /** Requests answered 500, by "METHOD path", once each (the API server's transient failures). */
    failOnce = new Set<string>();
    unauthorized = 0;
    /** Rounds of the controller (its list of Gateways) and status patches, counted. */
    lists = 0;
    patches = 0;
    private server = http.createServer((req, res) => this.handle(req, res));

    async start(): Promise<string> {
        await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }
    stop = () => new Promise<void>((r) => this.server.close(() => r()));

    private handle(req: http.IncomingMessage, res: http.ServerResponse) {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
            const [status, obj] = this.answer(`${req.method} ${req.url}`, req.headers, body ? JSON.parse(body) : undefined);
            res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(obj));
        });
    }

    private answer(key: string, headers: http.IncomingHttpHeaders, input: any): [number, unknown] {
        const notFound: [number, unknown] = [404, { kind: "Status", code: 404, reason: "NotFound" }];
        if (headers.authorization !== `Bearer ${TOKEN}`) {
            this.unauthorized++;
            return [401, { kind: "Status", code: 401 }];
        }
        if (this.failOnce.delete(key)) return [500, { kind: "Status", code: 500, message: "etcdserver: request timed out" }];
        let m: RegExpExecArray | null;
        if ((m = new RegExp(`^GET ${GW}/gatewayclasses/([^/]+)$`).exec(key))) return this.classes.has(m[1]) ? [200, this.classes.get(m[1])] : notFound;
        if (key === `POST ${GW}/gatewayclasses`) {
            this.classes.set(input.metadata.name, input);
            return [201, input];
        }
        if (key === `GET ${GW}/gateways`) {
            this.lists++;
            return [200, { kind: "GatewayList", items: this.gateways }];
        }
        if ((m = /^GET \/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)$/.exec(key))) {
            const svc = this.services.get(`${m[1]}/${m[2]}`);
            return svc ? [200, svc] : notFound;
        }
        if ((m = /^POST \/api\/v1\/namespaces\/([^/]+)\/services$/.exec(key))) {
            const svc = { ...input, metadata: { ...input.metadata, uid: `svc-${this.services.size}` }, status: { loadBalancer: {} } };
            this.services.set(`${m[1]}/${input.metadata.name}`, svc);
            return [201, svc];
        }
        if ((m = new RegExp(`^PATCH ${GW}/namespaces/([^/]+)/gateways/([^/]+)/status$`).exec(key))) {
            if (headers["content-type"] !== "application/merge-patch+json") return [415, { kind: "Status", code: 415 }];
            const [, ns, name] = m;
            const gw = this.gateways.find((g) => g.metadata.namespace === ns && g.metadata.name === name);
            if (!gw) return notFound;
            gw.status = { ...gw.status, ...input.status };
            this.patches++;
            return [200, gw];
        }
        return [404, { kind: "Status", code: 404, message: `no route ${key}` }];
    }
}

const gateway = (name: string, className: string) => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name, namespace: "gateway", uid: `uid-${name}`, generation: 3 },
    spec: {
        gatewayClassName: className,
        infrastructure: { annotations: { "service.beta.kubernetes.io/do-loadbalancer-name": "django-doks-dev-gateway" } },
        listeners: [
            { name: "http-a", protocol: "HTTP", port: 80, hostname: "a.example.org" },
            { name: "https-a", protocol: "HTTPS", port: 443, hostname: "a.example.org" },
            { name: "http-b", protocol: "HTTP", port: 80, hostname: "b.example.org" },
        ],
    },
});

/** Polls until `check` holds (no bound on the machine's speed but the test's own timeout). */
async function eventually(check: () => boolean): Promise<void> {
    while (!check()) await new Promise((r) => setTimeout(r, 20));
}

describe("the Cilium Gateway stand-in", () => {
    const api = new FakeApiServer();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cilium-gateway-"));
    let child: ChildProcess;

    beforeAll(async () => {
        api.gateways.push(gateway("web", "cilium"), gateway("other", "istio"));
        api.failOnce.add("POST /api/v1/namespaces/gateway/services");
        const url = await api.start();
        fs.writeFileSync(path.join(dir, "token"), `${TOKEN}\n`);
        child = spawn(
            process.execPath,
            [path.join(ROOT, "scripts/lifecycle/cilium-gateway.mjs"), "--kube-server", url, "--kube-token-file", path.join(dir, "token"), "--log", path.join(dir, "log")],
            { env: { ...process.env, CILIUM_GATEWAY_INTERVAL_MS: "20" }, stdio: "ignore" },
        );
    });
    afterAll(async () => {
        child.kill();
        await api.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test("provides DOKS's GatewayClass, then a LoadBalancer Service per Gateway of it, retried after a failure", async () => {
        await eventually(() => api.services.has("gateway/cilium-gateway-web"));
        expect(api.classes.get("cilium")).toMatchObject({ spec: { controllerName: "io.cilium/gateway-controller" } });
        const svc = api.services.get("gateway/cilium-gateway-web");
        expect(svc.spec).toEqual({ type: "LoadBalancer", ports: [80, 443].map((port) => ({ name: `port-${port}`, port, protocol: "TCP" })) });
        expect(svc.metadata.annotations).toEqual({ "service.beta.kubernetes.io/do-loadbalancer-name": "django-doks-dev-gateway" });
        expect(svc.metadata.ownerReferences).toEqual([{ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", name: "web", uid: "uid-web", controller: true }]);
        expect(fs.readFileSync(path.join(dir, "log"), "utf8")).toContain("HTTP 500");
        expect(api.services.has("gateway/cilium-gateway-other")).toBe(false);
        expect(api.unauthorized).toBe(0);
    });

    test("the Gateway has no address and is not Programmed until its load balancer has one", async () => {
        const web = api.gateways[0];
        await eventually(() => web.status !== undefined);
        expect(web.status.addresses).toEqual([]);
        expect(web.status.conditions.find((c: any) => c.type === "Programmed")).toMatchObject({ status: "False", observedGeneration: 3 });
    });

    test("then status.addresses carries the load balancer's IP, Accepted and Programmed", async () => {
        api.services.get("gateway/cilium-gateway-web").status = { loadBalancer: { ingress: [{ ip: "203.0.113.30" }] } };
        const web = api.gateways[0];
        await eventually(() => web.status.addresses.length > 0);
        expect(web.status.addresses).toEqual([{ type: "IPAddress", value: "203.0.113.30" }]);
        for (const type of ["Accepted", "Programmed"]) {
            expect(web.status.conditions.find((c: any) => c.type === type)).toMatchObject({ status: "True", observedGeneration: 3 });
        }
        expect(api.gateways[1].status).toBeUndefined();
    });

    test("a status that holds is not written again", async () => {
        const patches = api.patches;
        const rounds = api.lists;
        await eventually(() => api.lists >= rounds + 5);
        expect(api.patches).toBe(patches);
    });
});

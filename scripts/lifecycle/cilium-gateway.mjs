#!/usr/bin/env node
// A stand-in for what DOKS's managed Gateway API (Cilium) does with a Gateway, for the lifecycle
// harness's control plane (scripts/lifecycle-gateway-move.sh), which runs no Cilium:
//   - the GatewayClass "cilium" (controller io.cilium/gateway-controller), as DOKS provides it;
//   - per Gateway of that class, the LoadBalancer Service cilium-gateway-<name> in its namespace,
//     owned by the Gateway, with spec.infrastructure's labels and annotations and a port per
//     listener port (cilium/cilium operator/pkg/gateway-api/translation: ciliumGatewayPrefix;
//     infrastructure copied: cilium/cilium#29122); the harness's cloud controller makes its load
//     balancer, as DigitalOcean's does;
//   - the Gateway's status: addresses from the Service's load balancer status, Accepted and
//     Programmed once it has one.
// Traffic is not emulated: no listener serves, no route is programmed.
// Usage: node cilium-gateway.mjs --kube-server URL --kube-token-file FILE [--kube-ca FILE] [--log FILE]
//        (an http:// server needs no CA: tests/cilium-gateway.test.ts)
import fs from "node:fs";
import http from "node:http";
import https from "node:https";

const args = process.argv.slice(2);
const opt = (name) => {
    const i = args.indexOf(`--${name}`);
    if (i < 0 || i + 1 >= args.length) throw new Error(`--${name} is required`);
    return args[i + 1];
};
const KUBE = opt("kube-server");
const CA = args.includes("--kube-ca") ? fs.readFileSync(opt("kube-ca")) : undefined;
const TOKEN = fs.readFileSync(opt("kube-token-file"), "utf8").trim();
const LOG = args.includes("--log") ? opt("log") : "";
const INTERVAL_MS = Number(process.env.CILIUM_GATEWAY_INTERVAL_MS ?? 1000);
const CLASS = "cilium";
const CONTROLLER = "io.cilium/gateway-controller";
const GW = "/apis/gateway.networking.k8s.io/v1";

function log(line) {
    const l = `${new Date().toISOString()} ${line}\n`;
    if (LOG) fs.appendFileSync(LOG, l);
    else process.stderr.write(l);
}

function kube(method, path, body, contentType = "application/json") {
    return new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : JSON.stringify(body);
        const url = new URL(path, KUBE);
        const req = (url.protocol === "https:" ? https : http).request(
            url,
            { method, ca: CA, timeout: 20000, headers: { Authorization: `Bearer ${TOKEN}`, Accept: "application/json", ...(data && { "Content-Type": contentType }) } },
            (res) => {
                let b = "";
                res.on("data", (c) => (b += c));
                res.on("end", () => resolve({ status: res.statusCode, body: b ? JSON.parse(b) : null }));
            },
        );
        req.on("timeout", () => req.destroy(new Error(`timeout ${method} ${path}`)));
        req.on("error", reject);
        if (data) req.write(data);
        req.end();
    });
}

async function ok(p, what) {
    const r = await p;
    if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body;
}

async function ensureClass() {
    const r = await kube("GET", `${GW}/gatewayclasses/${CLASS}`);
    if (r.status === 200) return;
    await ok(kube("POST", `${GW}/gatewayclasses`, { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: CLASS }, spec: { controllerName: CONTROLLER } }), "creating the GatewayClass");
    log(`GatewayClass ${CLASS} created`);
}

const serviceName = (gw) => `cilium-gateway-${gw.metadata.name}`;

function wantedService(gw) {
    const infra = gw.spec.infrastructure ?? {};
    const ports = [...new Set(gw.spec.listeners.map((l) => l.port))].sort((a, b) => a - b);
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
            name: serviceName(gw),
            namespace: gw.metadata.namespace,
            labels: { ...(infra.labels ?? {}), "gateway.networking.k8s.io/gateway-name": gw.metadata.name, "io.cilium.gateway/owning-gateway": gw.metadata.name },
            annotations: infra.annotations ?? {},
            ownerReferences: [{ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", name: gw.metadata.name, uid: gw.metadata.uid, controller: true }],
        },
        spec: { type: "LoadBalancer", ports: ports.map((port) => ({ name: `port-${port}`, port, protocol: "TCP" })) },
    };
}

function condition(gw, type, status, reason, message) {
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const before = (gw.status?.conditions ?? []).find((c) => c.type === type);
    const lastTransitionTime = before && before.status === status ? before.lastTransitionTime : now;
    return { type, status, reason, message, observedGeneration: gw.metadata.generation, lastTransitionTime };
}

async function reconcile(gw) {
    const ns = gw.metadata.namespace;
    const svcPath = `/api/v1/namespaces/${ns}/services/${serviceName(gw)}`;
    let svc = await kube("GET", svcPath);
    if (svc.status === 404) {
        svc = { body: await ok(kube("POST", `/api/v1/namespaces/${ns}/services`, wantedService(gw)), `creating Service ${ns}/${serviceName(gw)}`) };
        log(`Gateway ${ns}/${gw.metadata.name}: Service ${ns}/${serviceName(gw)} created (annotations ${JSON.stringify(gw.spec.infrastructure?.annotations ?? {})})`);
    } else if (svc.status !== 200) throw new Error(`reading Service ${ns}/${serviceName(gw)}: HTTP ${svc.status}`);
    const ingress = svc.body.status?.loadBalancer?.ingress ?? [];
    const addresses = ingress.flatMap((i) => (i.ip ? [{ type: "IPAddress", value: i.ip }] : i.hostname ? [{ type: "Hostname", value: i.hostname }] : []));
    const programmed = addresses.length > 0;
    const status = {
        addresses,
        conditions: [
            condition(gw, "Accepted", "True", "Accepted", "Gateway successfully scheduled"),
            condition(gw, "Programmed", programmed ? "True" : "False", programmed ? "Programmed" : "AddressNotAssigned", programmed ? "Gateway successfully reconciled" : "waiting for the load balancer"),
        ],
    };
    const shape = (s) => JSON.stringify({ addresses: s?.addresses ?? [], conditions: (s?.conditions ?? []).map((c) => [c.type, c.status, c.observedGeneration]) });
    if (shape(gw.status) === shape(status)) return;
    await ok(kube("PATCH", `${GW}/namespaces/${ns}/gateways/${gw.metadata.name}/status`, { status }, "application/merge-patch+json"), `setting the status of Gateway ${ns}/${gw.metadata.name}`);
    log(`Gateway ${ns}/${gw.metadata.name}: status.addresses = ${JSON.stringify(addresses)}`);
}

async function loop() {
    for (;;) {
        try {
            await ensureClass();
            const list = await ok(kube("GET", `${GW}/gateways`), "listing Gateways");
            for (const gw of list.items.filter((g) => g.spec.gatewayClassName === CLASS && !g.metadata.deletionTimestamp)) {
                await reconcile(gw).catch((e) => log(`Gateway ${gw.metadata.namespace}/${gw.metadata.name}: ${e.message}`));
            }
        } catch (e) {
            log(e.message);
        }
        await new Promise((r) => setTimeout(r, INTERVAL_MS));
    }
}

log(`watching Gateways of class ${CLASS} on ${KUBE}`);
loop();

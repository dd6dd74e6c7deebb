import * as pulumi from "@pulumi/pulumi";
import program from "../index";
import { DEFAULT_CHARTS } from "../components/config";
import { ACME_SERVERS, ingressNginxValues, metricsServerValues } from "../components/platform";
import {
    evaluate,
    evaluateFailure,
    Evaluation,
    hasUnknown,
    isKnown,
    LB_ID,
    LB_IP,
    LB_IP_BY_NAME,
    one,
    ofType,
    programResources,
    readsOf,
    resolve,
    StackName,
    toWire,
    unwrapSecrets,
    USER_VALUES,
} from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";
const SERVICE = "kubernetes:core/v1:Service";
const LB = "service.beta.kubernetes.io/do-loadbalancer";

const perStack = {
    dev: { ingressReplicas: 1, metricsReplicas: 1, issuer: "letsencrypt-staging" },
    prod: { ingressReplicas: 2, metricsReplicas: 2, issuer: "letsencrypt-production" },
};

describe.each(["dev", "prod"] as const)("%s stack", (stack: StackName) => {
    let e: Evaluation;
    beforeAll(async () => {
        e = await evaluate(program, stack);
    });
    const x = perStack[stack];
    const release = (name: string) => one(e, RELEASE, `platform-${name}`);

    test("three releases, each pinned, from its repository or OCI registry, in a namespace of its own", () => {
        const releases = ofType(e, RELEASE).map((r) => ({
            name: r.inputs.name,
            chart: r.inputs.chart,
            version: r.inputs.version,
            repo: r.inputs.repositoryOpts?.repo,
            namespace: r.inputs.namespace,
        }));
        expect(releases.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
            // cert-manager from its OCI home, by reference (no repository).
            { name: "cert-manager", chart: "oci://quay.io/jetstack/charts/cert-manager", version: DEFAULT_CHARTS.certManager, repo: undefined, namespace: "cert-manager" },
            { name: "ingress-nginx", chart: "ingress-nginx", version: DEFAULT_CHARTS.ingressNginx, repo: "https://kubernetes.github.io/ingress-nginx", namespace: "ingress-nginx" },
            { name: "metrics-server", chart: "metrics-server", version: DEFAULT_CHARTS.metricsServer, repo: "https://kubernetes-sigs.github.io/metrics-server", namespace: "metrics-server" },
        ]);
        const namespaces = ofType(e, NAMESPACE)
            .filter((n) => n.opts.parent === "platform")
            .map((n) => n.inputs.metadata.name)
            .sort();
        expect(namespaces).toEqual(["cert-manager", "ingress-nginx", "metrics-server"]);
    });

    test("ingress-nginx: named DigitalOcean load balancer, IngressClass nginx, PROXY protocol off", () => {
        const v = release("ingress-nginx").inputs.values.controller;
        expect(v.service.type).toBe("LoadBalancer");
        expect(v.service.annotations).toEqual({
            [`${LB}-name`]: `django-doks-${stack}`,
            [`${LB}-enable-proxy-protocol`]: "false",
        });
        expect(v.ingressClassResource).toMatchObject({ name: "nginx", enabled: true });
        expect(v.config["use-proxy-protocol"]).toBe("false");
        expect(v.replicaCount).toBe(x.ingressReplicas);
    });

    test("every chart PodDisruptionBudget the stack turns on evicts unready pods (ingress-nginx from 2 replicas, metrics-server from 2)", () => {
        const ingress = release("ingress-nginx").inputs.values.controller;
        expect(ingress.unhealthyPodEvictionPolicy).toBe("AlwaysAllow");
        const metrics = release("metrics-server").inputs.values.podDisruptionBudget;
        expect(metrics).toEqual({ enabled: x.metricsReplicas > 1, minAvailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" });
        // cert-manager runs one replica of each component: the chart's budgets stay off (its default), and
        // carry the policy for whoever turns them on (chart v1.21.1 values.schema.json has it for all three).
        const cm = release("cert-manager").inputs.values;
        const off = { enabled: false, unhealthyPodEvictionPolicy: "AlwaysAllow" };
        expect([cm.podDisruptionBudget, cm.webhook.podDisruptionBudget, cm.cainjector.podDisruptionBudget]).toEqual([off, off, off]);
    });

    test("every chart's pods run on the worker pool's nodes", () => {
        const workers = { "django-doks/pool": "workers" };
        expect(release("ingress-nginx").inputs.values.controller.nodeSelector).toEqual(workers);
        // Merged into every cert-manager component's own (templates/deployment.yaml, webhook-, cainjector-, startupapicheck-).
        expect(release("cert-manager").inputs.values.global.nodeSelector).toEqual(workers);
        expect(release("metrics-server").inputs.values.nodeSelector).toEqual(workers);
    });

    test("cert-manager installs its CRDs", () => {
        expect(release("cert-manager").inputs.values.crds).toMatchObject({ enabled: true });
        expect(release("cert-manager").inputs.values.installCRDs).toBeUndefined();
    });

    test("metrics-server verifies kubelet TLS and prefers internal IPs", () => {
        const v = release("metrics-server").inputs.values;
        expect(v.replicas).toBe(x.metricsReplicas);
        expect(v.defaultArgs).toContain("--kubelet-preferred-address-types=InternalIP");
        expect(JSON.stringify(v)).not.toContain("kubelet-insecure-tls");
    });

    test("staging and production ClusterIssuers, HTTP-01 through nginx, after cert-manager", () => {
        const issuers = ofType(e, ISSUER);
        expect(issuers.map((i) => i.inputs.metadata.name).sort()).toEqual(["letsencrypt-production", "letsencrypt-staging"]);
        for (const i of issuers) {
            const kind = i.inputs.metadata.name === "letsencrypt-staging" ? "staging" : "production";
            expect(i.inputs.apiVersion).toBe("cert-manager.io/v1");
            expect(i.inputs.spec).toEqual({
                acme: {
                    server: ACME_SERVERS[kind],
                    email: USER_VALUES.acmeEmail,
                    privateKeySecretRef: { name: `letsencrypt-${kind}-account-key` },
                    solvers: [{ http01: { ingress: { ingressClassName: "nginx" } } }],
                },
            });
            expect(i.opts.dependsOn).toEqual(["platform-cert-manager"]);
            expect(i.seq).toBeGreaterThan(release("cert-manager").seq);
        }
    });

    test("the stack's default issuer", async () => {
        expect((await resolve(e.outputs.clusterIssuer)).value).toBe(x.issuer);
    });

    test("the load balancer's IP and id come from the ingress controller Service, read after the release", async () => {
        const reads = readsOf(e, SERVICE);
        expect(reads.map((r) => [r.name, r.read])).toEqual([["platform-ingress-controller", "ingress-nginx/ingress-nginx-controller"]]);
        const read = reads[0];
        expect(read.opts.dependsOn).toEqual(["platform-ingress-nginx"]);
        expect(read.seq).toBeGreaterThan(release("ingress-nginx").seq);
        expect(read.provider).toBe(release("ingress-nginx").provider);
        // Never by name: the IP from the status, the id from the cloud controller's annotation.
        expect(e.invokes.filter((i) => i.token.endsWith("getLoadBalancer"))).toEqual([]);
        expect(await resolve(e.outputs.loadBalancerIp)).toEqual({ value: LB_IP, secret: false });
        expect(await resolve(e.outputs.loadBalancerId)).toEqual({ value: LB_ID, secret: false });
    });

    test("the app's future URL", async () => {
        expect((await resolve(e.outputs.appUrl)).value).toBe(`https://${USER_VALUES.hostname}`);
    });
});

describe.each(["dev", "prod"] as const)("%s: the preview of an ingress-nginx chart upgrade on a running stack", (stack: StackName) => {
    // The stack ran `up` at the chart version before; the preview asks for the pinned one. The
    // kubernetes provider plans a release update from its inputs alone and leaves `status` unknown
    // (pulumi-kubernetes provider/pkg/provider/helm_release.go, Update: checkpointRelease of the inputs).
    const ingressRelease = "platform-ingress-nginx";
    let before: Evaluation;
    let preview: Evaluation;
    beforeAll(async () => {
        before = await evaluate(program, stack, { set: { charts: { ...DEFAULT_CHARTS, ingressNginx: "4.15.0" } } });
        preview = await evaluate(program, stack, { previewUpdate: { [ingressRelease]: ["status"] } });
    });
    const byKey = (e: Evaluation) => new Map(programResources(e).map((r) => [r.key, r]));

    test("the release is the only change: every other resource's inputs are known and as the stack holds them", () => {
        const was = byKey(before);
        const now = byKey(preview);
        expect([...now.keys()].sort()).toEqual([...was.keys()].sort());
        const changed = [...now.values()].filter((r) => JSON.stringify(toWire(r.inputs)) !== JSON.stringify(toWire(was.get(r.key)!.inputs)));
        expect(changed.map((r) => r.name)).toEqual([ingressRelease]);
        expect(changed[0].inputs.version).toBe(DEFAULT_CHARTS.ingressNginx);
        expect([...now.values()].filter((r) => hasUnknown(r.inputs)).map((r) => r.name)).toEqual([]);
    });

    test("the DNS update and gate, the Ingress and the load balancer alerts carry the known IP and id", () => {
        const host = USER_VALUES.hostname;
        const dns = [`dns-record-${host}`, `dns-propagated-${host}`].map((n) => one(preview, "command:local:Command", n));
        for (const c of dns) expect(unwrapSecrets(c.inputs.environment).DNS_IP).toBe(LB_IP);
        const ingress = one(preview, "kubernetes:networking.k8s.io/v1:Ingress", "app-web");
        expect(toWire(ingress.inputs)).toEqual(toWire(one(before, ingress.type, ingress.name).inputs));
        const lbAlerts = ofType(preview, "digitalocean:index/monitorAlert:MonitorAlert").filter((a) => a.inputs.type.startsWith("v1/insights/lbaas/"));
        expect(lbAlerts.length).toBeGreaterThan(0);
        for (const a of lbAlerts) expect(a.inputs.entities).toEqual([LB_ID]);
    });

    test("the controller Service is read by its known id, after the release", async () => {
        const read = readsOf(preview, SERVICE)[0];
        expect(read.read).toBe("ingress-nginx/ingress-nginx-controller");
        expect(read.opts.dependsOn).toEqual([ingressRelease]);
        expect(read.seq).toBeGreaterThan(one(preview, RELEASE, ingressRelease).seq);
        expect(await resolve(preview.outputs.loadBalancerIp)).toEqual({ value: LB_IP, secret: false });
        expect(await resolve(preview.outputs.loadBalancerId)).toEqual({ value: LB_ID, secret: false });
    });
});

describe("a preview on a live cluster where the release is still to be created (a retry after a failed first up)", () => {
    // The engine would read an object whose id and provider are known, and fail the preview with
    // "resource '<id>' does not exist" (seen with the real engine for the Gateway's reads).
    test("the controller Service is not read until the release exists, and nothing fails", async () => {
        const e = await evaluate(program, "dev", { previewUpdate: {}, creating: ["platform-ingress-nginx"] });
        const read = readsOf(e, SERVICE)[0];
        expect(read.read).toBe(pulumi.runtime.unknownValue);
        expect(read.outputs).toEqual({});
        expect(await isKnown(e.outputs.loadBalancerIp)).toBe(false);
        // The rest of the live stack is read as it is.
        expect(await isKnown(e.outputs.clusterId)).toBe(true);
    });
});

describe("platform options", () => {
    test("PROXY protocol on: a REGIONAL load balancer, and the LB hostname so HTTP-01 self-checks pass", async () => {
        const e = await evaluate(program, "dev", { set: { ingressProxyProtocol: true, loadBalancerName: "django-doks-dev-edge" } });
        const v = one(e, RELEASE, "platform-ingress-nginx").inputs.values.controller;
        expect(v.service.annotations).toEqual({
            [`${LB}-name`]: "django-doks-dev-edge",
            [`${LB}-enable-proxy-protocol`]: "true",
            [`${LB}-hostname`]: USER_VALUES.hostname,
            [`${LB}-type`]: "REGIONAL",
        });
        expect(v.config["use-proxy-protocol"]).toBe("true");
    });

    test("with the hostname annotation the Service status has no IP: the IP comes from the load balancer by its id", async () => {
        const e = await evaluate(program, "dev", { set: { ingressProxyProtocol: true } });
        const lookups = e.invokes.filter((i) => i.token.endsWith("getLoadBalancer"));
        expect(lookups.map((i) => i.args)).toEqual([{ id: LB_ID }]);
        expect(lookups[0].seq).toBeGreaterThan(readsOf(e, SERVICE)[0].seq);
        expect(await resolve(e.outputs.loadBalancerIp)).toEqual({ value: LB_IP_BY_NAME, secret: false });
    });

    test("a Service the cloud controller has not annotated fails the deployment, saying so", async () => {
        const { error } = await evaluateFailure(program, "dev", { loadBalancerIdAnnotation: null });
        expect(error.message).toContain(
            "The load balancer's Service ingress-nginx/ingress-nginx-controller has no kubernetes.digitalocean.com/load-balancer-id annotation",
        );
        expect(error.message).toContain("kubectl -n ingress-nginx describe service ingress-nginx-controller");
    });

    test("preview of a new stack: the Service cannot be read yet, the IP is unknown, nothing fails", async () => {
        // The status this Service would have on `up` (none) would fail the run; a preview never reads
        // it: the kubernetes provider's configuration (the cluster's kubeconfig) is unknown.
        const e = await evaluate(program, "dev", { preview: true, loadBalancerIngress: [] });
        const read = readsOf(e, SERVICE)[0];
        expect(read.opts.dependsOn).toEqual(["platform-ingress-nginx"]);
        // Not even asked for: its id waits for the release's, which a create leaves unknown.
        expect(read.read).toBe(pulumi.runtime.unknownValue);
        expect(read.outputs).toEqual({});
        expect(await isKnown(e.outputs.loadBalancerIp)).toBe(false);
        expect(e.invokes.filter((i) => i.token.endsWith("getLoadBalancer"))).toEqual([]);
    });

    test("a dual-stack load balancer: the IPv4 entry, whatever the order", async () => {
        const e = await evaluate(program, "prod", { loadBalancerIngress: [{ ip: "2001:db8::10" }, { ip: "198.51.100.7" }] });
        expect((await resolve(e.outputs.loadBalancerIp)).value).toBe("198.51.100.7");
    });

    test.each([
        ["no status", [], {}],
        ["only an IPv6 address", [{ ip: "2001:db8::10" }], {}],
        ["a hostname, and the load balancer has no IP yet", [{ hostname: USER_VALUES.hostname }], { ip: "" }],
    ])("no IPv4 (%s) fails the deployment with what the Service and DigitalOcean reported", async (_case, ingress, byName) => {
        const { error } = await evaluateFailure(program, "dev", { loadBalancerIngress: ingress, loadBalancerByName: byName });
        expect(error.message).toContain("The ingress controller's load balancer has no public IPv4");
        expect(error.message).toContain(`Service ingress-nginx/ingress-nginx-controller reports status.loadBalancer.ingress = ${JSON.stringify(ingress)}`);
        expect(error.message).toContain("kubectl -n ingress-nginx describe service ingress-nginx-controller");
        if ("ip" in byName) expect(error.message).toContain(`the DigitalOcean load balancer ${LB_ID} reports ip ""`);
    });

    test("chart versions come from config", async () => {
        const charts = { ingressNginx: "4.15.0", certManager: "v1.20.2", metricsServer: "3.12.2" };
        const e = await evaluate(program, "prod", { set: { charts } });
        const versions = Object.fromEntries(ofType(e, RELEASE).map((r) => [r.inputs.name, r.inputs.version]));
        expect(versions).toEqual({ "ingress-nginx": "4.15.0", "cert-manager": "v1.20.2", "metrics-server": "3.12.2" });
    });

    test("a production certificate in dev when asked", async () => {
        const e = await evaluate(program, "dev", { set: { certIssuer: "production" } });
        expect((await resolve(e.outputs.clusterIssuer)).value).toBe("letsencrypt-production");
    });

    test("value builders: the charts' PodDisruptionBudgets evict unready pods too", () => {
        const two = ingressNginxValues({ replicas: 2, loadBalancerName: "lb", proxyProtocol: false, hostname: "a.b.org", nodeSelector: {} });
        expect(two.controller).toMatchObject({ minAvailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" });
        expect(metricsServerValues(1, {}).podDisruptionBudget).toEqual({ enabled: false, minAvailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" });
        expect(metricsServerValues(2, {}).podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" });
    });
});

import program from "../index";
import { DEFAULT_CHARTS } from "../components/config";
import { ACME_SERVERS, ingressNginxValues, metricsServerValues } from "../components/platform";
import { evaluate, Evaluation, LB_IP, one, ofType, resolve, StackName, USER_VALUES } from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";
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

    test("three releases, each pinned, from its repository, in a namespace of its own", () => {
        const releases = ofType(e, RELEASE).map((r) => ({
            name: r.inputs.name,
            chart: r.inputs.chart,
            version: r.inputs.version,
            repo: r.inputs.repositoryOpts.repo,
            namespace: r.inputs.namespace,
        }));
        expect(releases.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
            { name: "cert-manager", chart: "cert-manager", version: DEFAULT_CHARTS.certManager, repo: "https://charts.jetstack.io", namespace: "cert-manager" },
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

    test("the load balancer IP is read by name after ingress-nginx is installed", async () => {
        const lookup = e.invokes.filter((i) => i.token === "digitalocean:index/getLoadBalancer:getLoadBalancer");
        // The platform reads the IP, the monitoring the id (tests/monitoring.test.ts): both by name.
        expect(lookup.map((i) => i.args.name)).toEqual([`django-doks-${stack}`, `django-doks-${stack}`]);
        for (const l of lookup) expect(l.seq).toBeGreaterThan(release("ingress-nginx").seq);
        expect(await resolve(e.outputs.loadBalancerIp)).toEqual({ value: LB_IP, secret: false });
    });

    test("the app's future URL", async () => {
        expect((await resolve(e.outputs.appUrl)).value).toBe(`https://${USER_VALUES.hostname}`);
    });
});

describe("platform options", () => {
    test("PROXY protocol on also names the LB hostname, so HTTP-01 self-checks pass", async () => {
        const e = await evaluate(program, "dev", { set: { ingressProxyProtocol: true, loadBalancerName: "edge-lb" } });
        const v = one(e, RELEASE, "platform-ingress-nginx").inputs.values.controller;
        expect(v.service.annotations).toEqual({
            [`${LB}-name`]: "edge-lb",
            [`${LB}-enable-proxy-protocol`]: "true",
            [`${LB}-hostname`]: USER_VALUES.hostname,
        });
        expect(v.config["use-proxy-protocol"]).toBe("true");
        expect(e.invokes.find((i) => i.token.endsWith("getLoadBalancer"))?.args.name).toBe("edge-lb");
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

    test("value builders", () => {
        const two = ingressNginxValues({ replicas: 2, loadBalancerName: "lb", proxyProtocol: false, hostname: "a.b.org" });
        expect((two.controller as Record<string, unknown>).minAvailable).toBe(1);
        expect(metricsServerValues(1).podDisruptionBudget).toEqual({ enabled: false, minAvailable: 1 });
        expect(metricsServerValues(2).podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
    });
});

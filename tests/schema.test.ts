import program from "../index";
import { evaluate, kubernetesObjects, StackName, validateObjects as validate, Verdict } from "./harness";

describe.each(["dev", "prod"] as const)("%s stack: every Kubernetes object against the real schemas", (stack: StackName) => {
    let verdicts: Verdict[];
    let kinds: string[];
    beforeAll(async () => {
        const e = await evaluate(program, stack);
        const objects = kubernetesObjects(e).map((o) => o.object);
        kinds = objects.map((o) => o.kind);
        verdicts = validate(objects);
    });

    test("all of them validate", () => {
        expect(verdicts.filter((v) => v.error !== null)).toEqual([]);
    });

    test("the check covers every kind the program creates, the cluster issuers included", () => {
        expect(verdicts).toHaveLength(kinds.length);
        expect(new Set(kinds)).toEqual(
            new Set([
                "Namespace",
                "ClusterIssuer",
                "Secret",
                "ConfigMap",
                "Job",
                "CronJob",
                "Deployment",
                "Service",
                "HorizontalPodAutoscaler",
                "PodDisruptionBudget",
                "PersistentVolumeClaim",
                "Ingress",
                "NetworkPolicy",
            ]),
        );
    });
});

describe("the validator", () => {
    const deployment = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web" },
        spec: {
            selector: { matchLabels: { app: "web" } },
            template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.29" }] } },
        },
    };

    test("catches a deliberately broken object", () => {
        const broken = structuredClone(deployment);
        (broken.spec.template.spec.containers[0] as Record<string, unknown>).ports = [{ containerPort: "8080" }];
        const [good, bad] = validate([deployment, broken]);
        expect(good.error).toBeNull();
        expect(bad.error).toMatch(/containerPort must be integer/);
    });

    test("catches a broken cert-manager ClusterIssuer", () => {
        const [v] = validate([{ apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "x" }, spec: { acme: { server: 42 } } }]);
        expect(v.error).not.toBeNull();
    });

    test("checks a cert-manager HTTP-01 solver through a Gateway (gatewayHTTPRoute.parentRefs)", () => {
        const issuer = (parentRef: Record<string, string>) => ({
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: "letsencrypt-staging" },
            spec: {
                acme: {
                    server: "https://acme-staging-v02.api.letsencrypt.org/directory",
                    privateKeySecretRef: { name: "letsencrypt-staging" },
                    solvers: [{ http01: { gatewayHTTPRoute: { parentRefs: [parentRef] } } }],
                },
            },
        });
        const [good, bad] = validate([issuer({ name: "web", namespace: "app", kind: "Gateway" }), issuer({ namespace: "app", kind: "Gateway" })]);
        expect(good.error).toBeNull();
        expect(bad.error).toMatch(/gatewayHTTPRoute\/parentRefs\/0 must have required property name/);
    });

    test("refuses a kind it has no schema for", () => {
        const [v] = validate([{ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }]);
        expect(v.error).toMatch(/no schema/);
    });
});

describe("the validator on Gateway API objects (gateway.networking.k8s.io/v1)", () => {
    const gateway = {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: { name: "web", namespace: "app", annotations: { "cert-manager.io/cluster-issuer": "letsencrypt-staging" } },
        spec: {
            gatewayClassName: "cilium",
            infrastructure: { annotations: { "service.beta.kubernetes.io/do-loadbalancer-name": "app-gw" } },
            listeners: [
                { name: "http-app", hostname: "app.example.com", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } },
                {
                    name: "https-app",
                    hostname: "app.example.com",
                    port: 443,
                    protocol: "HTTPS",
                    tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "app-tls" }] },
                },
            ],
        },
    };
    const httpRoute = <Rule>(name: string, listener: string, rules: Rule[]) => ({
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name, namespace: "app" },
        spec: { parentRefs: [{ name: "web", sectionName: listener }], hostnames: ["app.example.com"], rules },
    });
    const redirect = httpRoute("app-redirect", "http-app", [
        { filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] },
    ]);
    const route = httpRoute("app", "https-app", [
        { matches: [{ path: { type: "PathPrefix", value: "/static" } }], backendRefs: [{ name: "static", port: 8080 }] },
        { backendRefs: [{ name: "web", port: 8000 }] },
    ]);

    test("a Gateway with HTTP and HTTPS listeners and infrastructure annotations, a redirect and a routed HTTPRoute pass", () => {
        expect(validate([gateway, redirect, route])).toEqual([
            { name: "web", kind: "Gateway", error: null },
            { name: "app-redirect", kind: "HTTPRoute", error: null },
            { name: "app", kind: "HTTPRoute", error: null },
        ]);
    });

    test("a Gateway without a class or with a port as a string fails", () => {
        const [v] = validate([{ ...gateway, spec: { listeners: [{ ...gateway.spec.listeners[0], port: "80" }] } }]);
        expect(v.error).toMatch(/must have required property gatewayClassName/);
        expect(v.error).toMatch(/listeners\/0\/port must be integer/);
    });

    test("a redirect with a status code the API does not allow fails", () => {
        const broken = structuredClone(redirect);
        broken.spec.rules[0].filters[0].requestRedirect.statusCode = 399;
        const [v] = validate([broken]);
        expect(v.error).toMatch(/requestRedirect\/statusCode must be equal to one of the allowed values/);
    });

    test("a backendRef with a port out of range fails", () => {
        const broken = structuredClone(route);
        broken.spec.rules[1].backendRefs[0].port = 70000;
        const [v] = validate([broken]);
        expect(v.error).toMatch(/backendRefs\/0\/port must be <= 65535/);
    });
});

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

    test("refuses a kind it has no schema for", () => {
        const [v] = validate([{ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }]);
        expect(v.error).toMatch(/no schema/);
    });
});

import program from "../index";
import { CONTROLLERS, evaluate, Evaluation, MOCK_IMAGE_DIGEST, resolve, SECRET_TEXTS, STACKS_BY_CONTROLLER, USER_VALUES } from "./harness";

const SECRET_OUTPUTS = ["databasePoolUri", "databaseUri", "kubeconfig"];

/** Every secret's text, and the forms it takes once encoded into a URI or a config file. */
const LEAK_PATTERNS = Object.values(SECRET_TEXTS).flatMap((s) => [s, encodeURIComponent(s)]);

function leaks(value: unknown): string[] {
    const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
    return LEAK_PATTERNS.filter((p) => text.includes(p));
}

describe.each(STACKS_BY_CONTROLLER)("%s stack outputs with ingress.controller %s", (stack, controller) => {
    const { set, lbIp, lbId } = CONTROLLERS[controller];
    let e: Evaluation;
    beforeAll(async () => {
        e = await evaluate(program, stack, { set });
    });

    test("the outputs a user and later components need", () => {
        expect(Object.keys(e.outputs).sort()).toEqual(
            [
                "appImage",
                "appNamespace",
                "appUrl",
                "dnsProvider",
                "dnsRecords",
                "estimatedMonthlyCostUsd",
                "clusterId",
                "clusterIssuer",
                "clusterName",
                "databaseHost",
                "databaseName",
                "databasePoolUri",
                "databasePort",
                "databaseRuntimeUser",
                "databaseUri",
                "databaseUser",
                // How traffic enters: the IngressClass, or the Gateway ("<namespace>/<name>").
                controller === "nginx" ? "ingressClassName" : "gateway",
                "kubeconfig",
                "kubernetesVersion",
                "loadBalancerId",
                "loadBalancerIp",
                "monitoring",
                "registryEndpoint",
                "uptimeCheckIds",
                "vpcId",
                "workerPool",
            ].sort(),
        );
    });

    test("values", async () => {
        const plain = async (k: string) => (await resolve(e.outputs[k])).value;
        expect(await plain("clusterName")).toBe(`django-doks-${stack}`);
        expect(await plain("clusterId")).toBe("cluster-id");
        expect(await plain("loadBalancerIp")).toBe(lbIp);
        expect(await plain("databaseHost")).toBe(`private-django-doks-${stack}-pg-do-user-1.k.db.ondigitalocean.com`);
        expect(await plain("databasePort")).toBe(25060);
        expect(await plain("databaseName")).toBe("app");
        expect(await plain("databaseUser")).toBe("app");
        expect(await plain("databaseRuntimeUser")).toBe("app_web");
        expect(await plain("loadBalancerId")).toBe(lbId);
        expect(await plain("workerPool")).toEqual({ name: "workers-s-2vcpu-4gb", size: "s-2vcpu-4gb" });
        if (controller === "nginx") expect(await plain("ingressClassName")).toBe("nginx");
        else expect(await plain("gateway")).toBe("gateway/web");
        expect(await plain("appImage")).toBe(`registry.digitalocean.com/${USER_VALUES.registryName}/django@${MOCK_IMAGE_DIGEST}`);
        expect(await plain("appNamespace")).toBe("django");
        expect(await plain("dnsProvider")).toBe("namecheap");
        const cost = (await plain("estimatedMonthlyCostUsd")) as { totalUsd: number; maxUsd?: number; unpriced: unknown[] };
        expect(cost.totalUsd).toBeGreaterThan(50);
        expect(cost.unpriced).toEqual([]);
        // Only prod's worker pool autoscales.
        if (stack === "prod") expect(cost.maxUsd).toBeGreaterThan(cost.totalUsd);
        else expect(cost.maxUsd).toBeUndefined();
        expect(await plain("dnsRecords")).toEqual([{ name: USER_VALUES.hostname, type: "A", value: lbIp }]);
        expect(await plain("databaseUri")).toBe(
            `postgresql://app:${SECRET_TEXTS.dbPassword}@private-django-doks-${stack}-pg-do-user-1.k.db.ondigitalocean.com:25060/app?sslmode=require`,
        );
        expect(await plain("databasePoolUri")).toBe(
            `postgresql://app_web:${SECRET_TEXTS.dbPassword}@private-pool-do-user-1.k.db.ondigitalocean.com:25061/app-pool?sslmode=require`,
        );
    });

    test("exactly the credential-bearing outputs are secret", async () => {
        const secret: string[] = [];
        for (const [k, o] of Object.entries(e.outputs)) if ((await resolve(o)).secret) secret.push(k);
        expect(secret.sort()).toEqual(SECRET_OUTPUTS);
    });

    test("no output carries a secret in plain text", async () => {
        const found: Record<string, string[]> = {};
        for (const [k, o] of Object.entries(e.outputs)) {
            const { value, secret } = await resolve(o);
            const hits = leaks(value);
            if (!secret && hits.length) found[k] = hits;
        }
        expect(found).toEqual({});
    });

    test("the secret outputs do hold the secrets the walk looks for", async () => {
        // Guards the walk above: if the mocks' secrets stopped flowing, it would pass vacuously.
        expect(leaks((await resolve(e.outputs.databaseUri)).value)).toContain(SECRET_TEXTS.dbPassword);
        expect(leaks((await resolve(e.outputs.kubeconfig)).value)).toContain(SECRET_TEXTS.kubeconfigToken);
    });
});

describe("the leak check", () => {
    test("flags a plain output that embeds a secret", () => {
        expect(leaks({ url: `postgresql://app:${encodeURIComponent(SECRET_TEXTS.dbPassword)}@h/app` })).not.toEqual([]);
        expect(leaks("registry.digitalocean.com/acme")).toEqual([]);
    });
});

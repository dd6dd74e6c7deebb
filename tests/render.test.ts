import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { render, SECRET_MASK } from "../scripts/render";
import { SECRET_TEXTS } from "./harness";

describe.each(["dev", "prod"])("npm run render -- %s", (stack) => {
    let dir: string;
    let files: string[];
    beforeAll(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
        files = await render(stack, dir);
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const read = (f: string) => fs.readFileSync(path.join(dir, stack, f), "utf8");

    test("every Kubernetes object as its own YAML file, parseable, with secrets masked", () => {
        const yamls = files.filter((f) => f.endsWith(".yaml"));
        expect(yamls.length).toBeGreaterThanOrEqual(30);
        const kinds = new Set(yamls.map((f) => (parseYaml(read(f)) as { kind: string }).kind));
        for (const k of ["Namespace", "Deployment", "Ingress", "HorizontalPodAutoscaler", "CronJob", "ClusterIssuer", "NetworkPolicy"]) expect(kinds).toContain(k);
        const secret = parseYaml(read(yamls.find((f) => f.includes("secret-app-secret"))!)) as { stringData: unknown };
        expect(secret.stringData).toBe(SECRET_MASK);
    });

    test("the plan lists cloud resources, releases with chart and values, outputs and the cost", () => {
        const plan = read("plan.md");
        expect(plan).toContain("digitalocean:index/kubernetesCluster:KubernetesCluster");
        expect(plan).toMatch(/### ingress-nginx 4\.15\.1/);
        expect(plan).toContain("Chart `oci://quay.io/jetstack/charts/cert-manager`, namespace `cert-manager`.");
        expect(plan).toContain("Chart `ingress-nginx` from https://kubernetes.github.io/ingress-nginx, namespace `ingress-nginx`.");
        expect(plan).toContain(`loadBalancerIp: "«load balancer IP: known after deploy»"`);
        expect(plan).toMatch(/\| \*\*Total\*\* \| +\| +\| \*\*\d+\.\d\d\*\* \|/);
        expect(plan).toContain("Example values stand in");
    });

    test("nothing rendered holds a secret or a mock value from the tests", () => {
        for (const f of files) {
            const text = read(f);
            for (const s of Object.values(SECRET_TEXTS)) expect(text).not.toContain(s);
            expect(text).not.toContain("203.0.113.10");
        }
    });
});

test("an unknown stack is refused with the stacks that exist", async () => {
    await expect(render("staging", os.tmpdir())).rejects.toThrow("no stack file Pulumi.staging.yaml");
});

import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import { createRequire } from "module";
import * as os from "os";
import * as path from "path";
import * as digitalocean from "@pulumi/digitalocean";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import program from "../index";
import { currentStack } from "../policy/common";
import { policies } from "../policy/policies";
import { DO, K8S } from "../policy/resource-types";
import { imageProblem } from "../policy/workloads";
import { evaluate, hasUnknown, programResources, Registered, ROOT, StackName, toWire } from "./harness";

// ---------------------------------------------------------------------------------------------
// A runner that calls the policies the way the policy SDK's analyzer server does
// ---------------------------------------------------------------------------------------------

class NotApplicable extends Error {}

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

interface Fixture {
    type: string;
    name: string;
    props: Record<string, any>;
    protect?: boolean;
    ignoreChanges?: string[];
    provider?: { type: string; name: string; props: Record<string, any> };
    /** Stack policies: what this resource references, by input property. */
    propertyDependencies?: Record<string, string[]>;
}

const urnOf = (f: { type: string; name: string }) => `urn:pulumi:test::django-doks::${f.type}::${f.name}`;

function isType(type: string) {
    return (cls: any) => {
        const t = cls?.__pulumiType;
        if (typeof t === "string") return t === type;
        return typeof cls?.isInstance === "function" && cls.isInstance({ __pulumiType: type }) === true;
    };
}

function optionsOf(f: Fixture) {
    return {
        protect: f.protect ?? false,
        ignoreChanges: f.ignoreChanges ?? [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
}

function resourceArgs(f: Fixture, config: object = {}): ResourceValidationArgs {
    return {
        type: f.type,
        name: f.name,
        urn: urnOf(f),
        props: f.props,
        opts: optionsOf(f),
        provider: f.provider ? { ...f.provider, urn: urnOf(f.provider) } : undefined,
        stackTags: new Map(),
        isType: isType(f.type),
        asType: ((cls: any) => (isType(f.type)(cls) ? f.props : undefined)) as any,
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

function stackArgs(fixtures: Fixture[], config: object = {}): StackValidationArgs {
    const resources: PolicyResource[] = fixtures.map((f) => ({
        type: f.type,
        name: f.name,
        urn: urnOf(f),
        props: f.props,
        opts: optionsOf(f),
        dependencies: [],
        propertyDependencies: {},
        isType: isType(f.type),
        asType: ((cls: any) => (isType(f.type)(cls) ? f.props : undefined)) as any,
    }));
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    fixtures.forEach((f, i) => {
        for (const [prop, targets] of Object.entries(f.propertyDependencies ?? {})) {
            const deps = targets.map((t) => byUrn.get(t)).filter((d): d is PolicyResource => d !== undefined);
            resources[i].propertyDependencies[prop] = deps;
            resources[i].dependencies.push(...deps);
        }
    });
    return {
        resources,
        stackTags: new Map(),
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

interface Outcome {
    /** How many validation functions applied (did not declare themselves not applicable). */
    applied: number;
    violations: string[];
}

async function checkResource(policy: AnyPolicy, args: ResourceValidationArgs): Promise<Outcome> {
    const validations = (policy as ResourceValidationPolicy).validateResource;
    const list = validations === undefined ? [] : Array.isArray(validations) ? validations : [validations];
    const out: Outcome = { applied: 0, violations: [] };
    for (const v of list) {
        try {
            await v(args, (message) => out.violations.push(message));
            out.applied++;
        } catch (e) {
            if (!(e instanceof NotApplicable)) throw e;
        }
    }
    return out;
}

async function checkStack(policy: AnyPolicy, args: StackValidationArgs): Promise<Outcome> {
    const out: Outcome = { applied: 0, violations: [] };
    const validate = (policy as StackValidationPolicy).validateStack;
    if (!validate) return out;
    try {
        await validate(args, (message, urn) => out.violations.push(urn ? `${message} [${urn}]` : message));
        out.applied++;
    } catch (e) {
        if (!(e instanceof NotApplicable)) throw e;
    }
    return out;
}

function policy(name: string): AnyPolicy {
    const p = policies.find((x) => x.name === name);
    if (!p) throw new Error(`no policy named ${name}`);
    return p;
}

const violations = async (name: string, f: Fixture, config?: object) => (await checkResource(policy(name), resourceArgs(f, config))).violations;
const stackViolations = async (name: string, fs: Fixture[], config?: object) =>
    (await checkStack(policy(name), stackArgs(fs, config))).violations;

/** Points pulumi.getStack() at a stack the way the mocks (and the CLI's environment) do. */
async function onStack(stack: string): Promise<void> {
    await pulumi.runtime.setMocks(
        { newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs },
        "django-doks",
        stack,
        false,
    );
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const T = {
    deployment: "kubernetes:apps/v1:Deployment",
    job: "kubernetes:batch/v1:Job",
    cronJob: "kubernetes:batch/v1:CronJob",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    service: "kubernetes:core/v1:Service",
    configMap: "kubernetes:core/v1:ConfigMap",
    release: "kubernetes:helm.sh/v3:Release",
    chartV4: "kubernetes:helm.sh/v4:Chart",
    cluster: "digitalocean:index/kubernetesCluster:KubernetesCluster",
    db: "digitalocean:index/databaseCluster:DatabaseCluster",
    dbDb: "digitalocean:index/databaseDb:DatabaseDb",
    firewall: "digitalocean:index/databaseFirewall:DatabaseFirewall",
    uptimeCheck: "digitalocean:index/uptimeCheck:UptimeCheck",
    uptimeAlert: "digitalocean:index/uptimeAlert:UptimeAlert",
    monitorAlert: "digitalocean:index/monitorAlert:MonitorAlert",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
};

const goodContainer = (name = "web", extra: Record<string, any> = {}) => ({
    name,
    image: "registry.digitalocean.com/acme-django/app:1.4.2",
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false },
    ...extra,
});

const podSpec = (extra: Record<string, any> = {}) => ({
    initContainers: [goodContainer("migrate-wait")],
    containers: [goodContainer()],
    ...extra,
});

const deployment = (pod: Record<string, any> = podSpec(), spec: Record<string, any> = { replicas: 2 }, name = "web"): Fixture => ({
    type: T.deployment,
    name,
    props: { metadata: { name, namespace: "app" }, spec: { ...spec, template: { spec: pod } } },
});

const job = (pod: Record<string, any>): Fixture => ({
    type: T.job,
    name: "migrate",
    props: { metadata: { name: "migrate", namespace: "app" }, spec: { template: { spec: pod } } },
});

const cronJob = (pod: Record<string, any>): Fixture => ({
    type: T.cronJob,
    name: "git-sync",
    props: {
        metadata: { name: "git-sync", namespace: "app" },
        spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: { spec: pod } } } },
    },
});

const hpa = (minReplicas: number | undefined, target = "web"): Fixture => ({
    type: T.hpa,
    name: `${target}-hpa`,
    props: {
        metadata: { name: target, namespace: "app" },
        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target }, minReplicas, maxReplicas: 6 },
    },
});

const dbCluster = (extra: Record<string, any> = {}, opts: Partial<Fixture> = {}): Fixture => ({
    type: T.db,
    name: "database",
    props: { name: "django-doks-prod-pg", engine: "pg", version: "17", size: "db-s-1vcpu-2gb", nodeCount: 2, privateNetworkUuid: "vpc-1", ...extra },
    ...opts,
});

const firewallFor = (db: Fixture, rules: any[] = [{ type: "k8s", value: "cluster-id" }]): Fixture => ({
    type: T.firewall,
    name: "database-firewall",
    props: { clusterId: "database-id", rules },
    propertyDependencies: { clusterId: [urnOf(db)] },
});

// ---------------------------------------------------------------------------------------------
// Each policy: a violating and a compliant resource
// ---------------------------------------------------------------------------------------------

describe("the pack", () => {
    test("has at least 10 policies, uniquely named, all mandatory", () => {
        expect(policies.length).toBeGreaterThanOrEqual(10);
        expect(new Set(policies.map((p) => p.name)).size).toBe(policies.length);
        for (const p of policies) expect(p.enforcementLevel).toBe("mandatory");
    });
});

describe("k8s-container-resources", () => {
    test("a compliant Deployment passes", async () => {
        expect(await violations("k8s-container-resources", deployment())).toEqual([]);
    });

    test("names each missing request and limit, init containers included", async () => {
        const pod = podSpec({
            initContainers: [{ ...goodContainer("git-clone"), resources: { limits: { cpu: "1", memory: "64Mi" } } }],
            containers: [{ ...goodContainer(), resources: undefined }],
        });
        expect(await violations("k8s-container-resources", deployment(pod))).toEqual([
            'Deployment "web": init container "git-clone" has no requests.cpu, requests.memory.',
            'Deployment "web": container "web" has no requests.cpu, requests.memory, limits.cpu, limits.memory.',
        ]);
    });

    test("covers Jobs and CronJobs", async () => {
        const bare = podSpec({ containers: [{ ...goodContainer("sync"), resources: { requests: { cpu: "10m", memory: "32Mi" } } }] });
        expect(await violations("k8s-container-resources", job(bare))).toEqual([
            'Job "migrate": container "sync" has no limits.cpu, limits.memory.',
        ]);
        expect(await violations("k8s-container-resources", cronJob(bare))).toEqual([
            'CronJob "git-sync": container "sync" has no limits.cpu, limits.memory.',
        ]);
        expect(await violations("k8s-container-resources", cronJob(podSpec()))).toEqual([]);
    });

    test("does not apply to other types", async () => {
        const out = await checkResource(policy("k8s-container-resources"), resourceArgs({ type: T.service, name: "web", props: {} }));
        expect(out).toEqual({ applied: 0, violations: [] });
    });
});

describe("k8s-image-pinned", () => {
    test.each([
        ["nginx", 'uses an untagged image "nginx" (pin a tag or a digest)'],
        ["nginx:latest", 'uses the tag "latest" in "nginx:latest" (pin a version or a digest)'],
        ["registry.example.org:5000/app", 'uses an untagged image "registry.example.org:5000/app" (pin a tag or a digest)'],
        ["app@sha256:abc", 'has a malformed digest in "app@sha256:abc"'],
        [undefined, "has no image"],
    ])("%s is refused", (image, problem) => {
        expect(imageProblem(image)).toBe(problem);
    });

    test.each([
        "nginxinc/nginx-unprivileged:1.29.3-alpine",
        "registry.example.org:5000/app:2024.11.1",
        `registry.k8s.io/git-sync/git-sync@sha256:${"a".repeat(64)}`,
        `app:1.0@sha256:${"0".repeat(64)}`,
    ])("%s is pinned", (image) => {
        expect(imageProblem(image)).toBeUndefined();
    });

    test("an image unknown during preview is left to pulumi up", async () => {
        const container = new Proxy(goodContainer(), {
            get: (o, k) => {
                if (k === "image") throw new Error("string value at .image can't be known during preview");
                return (o as any)[k];
            },
        });
        expect(await violations("k8s-image-pinned", deployment(podSpec({ initContainers: [], containers: [container] })))).toEqual([]);
    });

    test("reports the container", async () => {
        const pod = podSpec({ initContainers: [goodContainer("git-clone", { image: "alpine/git" })] });
        expect(await violations("k8s-image-pinned", deployment(pod))).toEqual([
            'Deployment "web": init container "git-clone" uses an untagged image "alpine/git" (pin a tag or a digest).',
        ]);
        expect(await violations("k8s-image-pinned", deployment())).toEqual([]);
    });
});

describe("k8s-run-as-non-root", () => {
    test("needs runAsNonRoot from the container or the pod, and no UID 0", async () => {
        const noFlag = { ...goodContainer(), securityContext: { allowPrivilegeEscalation: false } };
        expect(await violations("k8s-run-as-non-root", deployment(podSpec({ containers: [noFlag] })))).toEqual([
            'Deployment "web": container "web" does not set runAsNonRoot: true (container or pod securityContext).',
        ]);
        const root = goodContainer("web", { securityContext: { runAsNonRoot: true, runAsUser: 0, allowPrivilegeEscalation: false } });
        expect(await violations("k8s-run-as-non-root", deployment(podSpec({ containers: [root] })))).toEqual([
            'Deployment "web": container "web" runs as UID 0 (runAsUser: 0).',
        ]);
    });

    test("the pod's securityContext is enough", async () => {
        const noFlag = { ...goodContainer(), securityContext: { allowPrivilegeEscalation: false } };
        const pod = { containers: [noFlag], securityContext: { runAsNonRoot: true, runAsUser: 101 } };
        expect(await violations("k8s-run-as-non-root", deployment(pod))).toEqual([]);
        expect(await violations("k8s-run-as-non-root", deployment())).toEqual([]);
    });
});

describe("k8s-no-privileged", () => {
    test("refuses a privileged container", async () => {
        const priv = goodContainer("debug", { securityContext: { runAsNonRoot: true, privileged: true, allowPrivilegeEscalation: false } });
        expect(await violations("k8s-no-privileged", cronJob(podSpec({ containers: [priv] })))).toEqual([
            'CronJob "git-sync": container "debug" is privileged.',
        ]);
        expect(await violations("k8s-no-privileged", cronJob(podSpec()))).toEqual([]);
    });
});

describe("k8s-no-privilege-escalation", () => {
    test("needs an explicit false, because Kubernetes defaults to true", async () => {
        const implicit = goodContainer("web", { securityContext: { runAsNonRoot: true } });
        expect(await violations("k8s-no-privilege-escalation", job(podSpec({ containers: [implicit] })))).toEqual([
            'Job "migrate": container "web" does not set securityContext.allowPrivilegeEscalation: false.',
        ]);
        expect(await violations("k8s-no-privilege-escalation", job(podSpec()))).toEqual([]);
    });
});

describe("k8s-ingress-tls", () => {
    const ingress = (spec: Record<string, any>): Fixture => ({
        type: T.ingress,
        name: "web",
        props: { metadata: { name: "web", namespace: "app" }, spec: { ingressClassName: "nginx", ...spec } },
    });
    const rule = (host?: string) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } });

    test("every host needs a TLS entry with a secret", async () => {
        const bad = ingress({
            tls: [{ hosts: ["app.example.org"] }],
            rules: [rule("app.example.org"), rule("static.example.org"), rule()],
        });
        expect(await violations("k8s-ingress-tls", bad)).toEqual([
            'Ingress "web": tls[0] names no secretName.',
            'Ingress "web": host "static.example.org" has no TLS entry (spec.tls[].hosts).',
            'Ingress "web": rules[2] has no host, so no TLS entry can cover it.',
        ]);
    });

    test("an Ingress without TLS is refused, a covered one passes", async () => {
        expect(await violations("k8s-ingress-tls", ingress({ rules: [rule("app.example.org")] }))).toEqual([
            'Ingress "web": host "app.example.org" has no TLS entry (spec.tls[].hosts).',
        ]);
        const good = ingress({ tls: [{ hosts: ["app.example.org"], secretName: "web-tls" }], rules: [rule("app.example.org")] });
        expect(await violations("k8s-ingress-tls", good)).toEqual([]);
    });
});

describe("k8s-gateway-tls", () => {
    const gateway = (listeners: Record<string, any>[]): Fixture => ({
        type: T.gateway,
        name: "web",
        props: { metadata: { name: "web", namespace: "gateway" }, spec: { gatewayClassName: "cilium", listeners } },
    });
    const http = (hostname?: string) => ({ name: `http-${hostname}`, protocol: "HTTP", port: 80, hostname });
    const https = (hostname?: string, tls?: Record<string, any>) => ({ name: `https-${hostname}`, protocol: "HTTPS", port: 443, hostname, tls });
    const terminate = { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "web-tls", namespace: "django" }] };

    test("each HTTPS listener names its host and a certificate, each host has one", async () => {
        const bad = gateway([http("app.example.org"), https("app.example.org", { mode: "Passthrough" }), https(undefined, terminate), http("www.example.org")]);
        expect(await violations("k8s-gateway-tls", bad)).toEqual([
            'Gateway "web": HTTPS listener "https-app.example.org" does not terminate TLS.',
            'Gateway "web": HTTPS listener "https-app.example.org" names no certificate Secret (tls.certificateRefs).',
            'Gateway "web": HTTPS listener "https-undefined" names no hostname.',
            'Gateway "web": host "www.example.org" of listener "http-www.example.org" has no HTTPS listener.',
        ]);
    });

    test("the stack's shape passes; other kinds are not its business", async () => {
        expect(await violations("k8s-gateway-tls", gateway([http("app.example.org"), https("app.example.org", terminate)]))).toEqual([]);
        expect(await checkResource(policy("k8s-gateway-tls"), resourceArgs({ type: T.ingress, name: "x", props: {} }))).toEqual({ applied: 0, violations: [] });
    });
});

describe("k8s-hpa-min-replicas", () => {
    test("minReplicas must be at least 2 (omitted means 1)", async () => {
        expect(await violations("k8s-hpa-min-replicas", hpa(undefined))).toEqual([
            'HorizontalPodAutoscaler "web-hpa" has minReplicas 1; at least 2 are required.',
        ]);
        expect(await violations("k8s-hpa-min-replicas", hpa(2))).toEqual([]);
    });
});

describe("k8s-prod-replicas (stack policy, production only)", () => {
    afterAll(() => onStack("dev"));

    test("in prod a Deployment without an HPA needs replicas >= 2", async () => {
        await onStack("prod");
        expect(currentStack()).toBe("prod");
        expect(await stackViolations("k8s-prod-replicas", [deployment(podSpec(), {})])).toEqual([
            `Deployment "web" runs 1 replica(s) and no HorizontalPodAutoscaler scales it; production needs at least 2. [${urnOf(deployment())}]`,
        ]);
        expect(await stackViolations("k8s-prod-replicas", [deployment(podSpec(), { replicas: 3 })])).toEqual([]);
    });

    test("a Deployment the engine passes without outputs (a stack's first preview) is left to pulumi up", async () => {
        await onStack("prod");
        const planned: Fixture = { type: T.deployment, name: "web", props: {} };
        expect(await stackViolations("k8s-prod-replicas", [planned])).toEqual([]);
        expect(await stackViolations("k8s-prod-replicas", [planned, deployment(podSpec(), {}, "api")])).toHaveLength(1);
    });

    test("in prod an HPA-scaled Deployment may omit replicas; the HPA's minReplicas counts", async () => {
        await onStack("prod");
        expect(await stackViolations("k8s-prod-replicas", [deployment(podSpec(), {}), hpa(2)])).toEqual([]);
        expect(await stackViolations("k8s-prod-replicas", [deployment(podSpec(), {}), hpa(1)])).toEqual([
            `Deployment "web" is scaled by HorizontalPodAutoscaler "web-hpa" with minReplicas 1; production needs at least 2. [${urnOf(deployment())}]`,
        ]);
        // An HPA for another Deployment does not count.
        expect(await stackViolations("k8s-prod-replicas", [deployment(podSpec(), {}), hpa(3, "static")])).toHaveLength(1);
    });

    test("dev is exempt; a fully qualified stack name and the prodStacks config are honoured", async () => {
        await onStack("dev");
        expect(await stackViolations("k8s-prod-replicas", [deployment(podSpec(), {})])).toEqual([]);
        await onStack("acme/django-doks/prod");
        expect(currentStack()).toBe("prod");
        expect(await stackViolations("k8s-prod-replicas", [deployment(podSpec(), {})])).toHaveLength(1);
        await onStack("staging");
        expect(await stackViolations("k8s-prod-replicas", [deployment(podSpec(), {})], { prodStacks: ["staging"] })).toHaveLength(1);
    });

    test("a policy config can accept a named single-replica Deployment", async () => {
        await onStack("prod");
        expect(await stackViolations("k8s-prod-replicas", [deployment(podSpec(), {})], { exemptDeployments: ["web"] })).toEqual([]);
    });
});

describe("k8s-hpa-owns-replicas (stack policy)", () => {
    test("replicas set under an HPA is refused unless changes to it are ignored", async () => {
        expect(await stackViolations("k8s-hpa-owns-replicas", [deployment(), hpa(2)])).toEqual([
            `Deployment "web" sets spec.replicas while HorizontalPodAutoscaler "web-hpa" scales it; omit replicas or add ignoreChanges: ["spec.replicas"]. [${urnOf(deployment())}]`,
        ]);
        expect(await stackViolations("k8s-hpa-owns-replicas", [{ ...deployment(), ignoreChanges: ["spec.replicas"] }, hpa(2)])).toEqual([]);
        expect(await stackViolations("k8s-hpa-owns-replicas", [deployment(podSpec(), {}), hpa(2)])).toEqual([]);
        expect(await stackViolations("k8s-hpa-owns-replicas", [deployment()])).toEqual([]);
    });
});

describe("k8s-service-exposure", () => {
    const service = (type: string | undefined, namespace: string): Fixture => ({
        type: T.service,
        name: "web",
        props: { metadata: { name: "web", namespace }, spec: { type, ports: [{ port: 80 }] } },
    });
    const release = (namespace: string, values: Record<string, any>): Fixture => ({
        type: T.release,
        name: "platform-extra",
        props: { name: "extra", chart: "extra", version: "1.0.0", namespace, values },
    });

    test("the app's Services are ClusterIP", async () => {
        expect(await violations("k8s-service-exposure", service("LoadBalancer", "app"))).toEqual([
            'Service "web" in namespace "app" has type LoadBalancer; outside ingress-nginx Services are ClusterIP (traffic enters through the Ingress).',
        ]);
        expect(await violations("k8s-service-exposure", service("NodePort", "app"))).toHaveLength(1);
        expect(await violations("k8s-service-exposure", service(undefined, "app"))).toEqual([]);
        expect(await violations("k8s-service-exposure", service("ClusterIP", "app"))).toEqual([]);
        expect(await violations("k8s-service-exposure", service("LoadBalancer", "ingress-nginx"))).toEqual([]);
    });

    test("Helm values asking for a LoadBalancer outside the ingress namespace are refused", async () => {
        expect(await violations("k8s-service-exposure", release("monitoring", { grafana: { service: { type: "LoadBalancer" } } }))).toEqual([
            'Helm release "platform-extra" in namespace "monitoring" asks for a LoadBalancer Service; only ingress-nginx may expose one.',
        ]);
        expect(await violations("k8s-service-exposure", release("ingress-nginx", { controller: { service: { type: "LoadBalancer" } } }))).toEqual([]);
        expect(await violations("k8s-service-exposure", release("monitoring", { service: { type: "ClusterIP" } }))).toEqual([]);
    });

    test("the allowed namespaces are configurable", async () => {
        expect(await violations("k8s-service-exposure", service("LoadBalancer", "gateway"), { allowedNamespaces: ["gateway"] })).toEqual([]);
    });
});

describe("helm-chart-pinned", () => {
    const release = (version?: string): Fixture => ({
        type: T.release,
        name: "platform-ingress-nginx",
        props: { name: "ingress-nginx", chart: "ingress-nginx", version, namespace: "ingress-nginx" },
    });

    test.each([
        [undefined, 'Helm release "platform-ingress-nginx" (chart ingress-nginx) pins no chart version.'],
        ["", 'Helm release "platform-ingress-nginx" (chart ingress-nginx) pins no chart version.'],
        ["^4.15.0", 'Helm release "platform-ingress-nginx" (chart ingress-nginx) has chart version "^4.15.0", which is not one exact version.'],
        ["4.x", 'Helm release "platform-ingress-nginx" (chart ingress-nginx) has chart version "4.x", which is not one exact version.'],
        ["latest", 'Helm release "platform-ingress-nginx" (chart ingress-nginx) has chart version "latest", which is not one exact version.'],
        [">=1.0.0 <2.0.0", 'Helm release "platform-ingress-nginx" (chart ingress-nginx) has chart version ">=1.0.0 <2.0.0", which is not one exact version.'],
    ])("version %p is refused", async (version, message) => {
        expect(await violations("helm-chart-pinned", release(version))).toEqual([message]);
    });

    test.each(["4.15.1", "v1.21.1", "3.13.1", "1.0.0-rc.1"])("version %s is pinned", async (version) => {
        expect(await violations("helm-chart-pinned", release(version))).toEqual([]);
    });

    test("helm.sh/v4 Charts too", async () => {
        const chart: Fixture = { type: T.chartV4, name: "extra", props: { chart: "oci://example/extra", version: "~1.2" } };
        expect(await violations("helm-chart-pinned", chart)).toEqual([
            'Helm chart "extra" (chart oci://example/extra) has chart version "~1.2", which is not one exact version.',
        ]);
    });
});

describe("doks-version-pinned", () => {
    const cluster = (version: string | undefined): Fixture => ({ type: T.cluster, name: "cluster", props: { name: "django-doks-dev", version } });

    test("latest is refused, a resolved slug passes", async () => {
        expect(await violations("doks-version-pinned", cluster("latest"))).toEqual([
            'Kubernetes cluster "cluster" has version "latest"; use a resolved DOKS slug (getKubernetesVersions).',
        ]);
        expect(await violations("doks-version-pinned", cluster("1.36"))).toHaveLength(1);
        expect(await violations("doks-version-pinned", cluster(undefined))).toHaveLength(1);
        expect(await violations("doks-version-pinned", cluster("1.36.4-do.1"))).toEqual([]);
    });
});

describe("do-database-private-network", () => {
    test("the cluster must join a VPC", async () => {
        const noVpc = { ...dbCluster().props };
        delete noVpc.privateNetworkUuid;
        expect(await violations("do-database-private-network", { ...dbCluster(), props: noVpc })).toEqual([
            'Database cluster "database" has no privateNetworkUuid: it must join the stack\'s VPC.',
        ]);
        expect(await violations("do-database-private-network", dbCluster())).toEqual([]);
    });

    test("a VPC id unknown during preview counts as set", async () => {
        const props = new Proxy(dbCluster().props, {
            get: (o, k) => {
                if (k === "privateNetworkUuid") {
                    const e = new Error("string value at .privateNetworkUuid can't be known during preview");
                    throw e;
                }
                return (o as any)[k];
            },
        });
        expect(await violations("do-database-private-network", { ...dbCluster(), props })).toEqual([]);
    });
});

describe("do-database-standby-plan", () => {
    test("the smallest plan cannot have standby nodes", async () => {
        expect(await violations("do-database-standby-plan", dbCluster({ size: "db-s-1vcpu-1gb", nodeCount: 2 }))).toEqual([
            'Database cluster "database" asks for 2 nodes on db-s-1vcpu-1gb, which DigitalOcean offers only as a single node; pick db-s-1vcpu-2gb or larger.',
        ]);
        expect(await violations("do-database-standby-plan", dbCluster({ size: "db-s-1vcpu-1gb", nodeCount: 1 }))).toEqual([]);
        expect(await violations("do-database-standby-plan", dbCluster())).toEqual([]);
    });
});

describe("do-database-firewall (stack policy)", () => {
    test("a cluster without a firewall is refused", async () => {
        expect(await stackViolations("do-database-firewall", [dbCluster()])).toEqual([
            `Database cluster "database" has no DatabaseFirewall: without one it accepts connections from anywhere. [${urnOf(dbCluster())}]`,
        ]);
    });

    test("a firewall for another cluster does not count", async () => {
        const other: Fixture = { ...dbCluster(), name: "other-db" };
        expect(await stackViolations("do-database-firewall", [dbCluster(), other, firewallFor(other)])).toHaveLength(1);
    });

    test("empty or Internet-wide rules are refused; the cluster rule passes", async () => {
        const db = dbCluster();
        const fw = firewallFor(db, []);
        expect(await stackViolations("do-database-firewall", [db, fw])).toEqual([`DatabaseFirewall "database-firewall" has no rules. [${urnOf(fw)}]`]);
        const open = firewallFor(db, [{ type: "k8s", value: "c" }, { type: "ip_addr", value: "0.0.0.0/0" }]);
        expect(await stackViolations("do-database-firewall", [db, open])).toEqual([
            `DatabaseFirewall "database-firewall" admits 0.0.0.0/0, the whole Internet. [${urnOf(open)}]`,
        ]);
        expect(await stackViolations("do-database-firewall", [db, firewallFor(db)])).toEqual([]);
    });
});

describe("do-prod-database-protected (stack policy, production only)", () => {
    afterAll(() => onStack("dev"));
    const db = (protect: boolean) => dbCluster({}, { protect });
    const appDb = (protect: boolean): Fixture => ({ type: T.dbDb, name: "database-db", props: { name: "app" }, protect });

    test("prod refuses unprotected database cluster and database", async () => {
        await onStack("prod");
        expect(await stackViolations("do-prod-database-protected", [db(false), appDb(false)])).toEqual([
            `Database cluster "database" is not protected; production sets protect (config dbProtect: true). [${urnOf(db(false))}]`,
            `Database "database-db" is not protected; production sets protect (config dbProtect: true). [${urnOf(appDb(false))}]`,
        ]);
        expect(await stackViolations("do-prod-database-protected", [db(true), appDb(true)])).toEqual([]);
    });

    test("dev may leave them unprotected", async () => {
        await onStack("dev");
        expect(await stackViolations("do-prod-database-protected", [db(false), appDb(false)])).toEqual([]);
    });
});

describe("do-prod-monitoring (stack policy, production only)", () => {
    afterAll(() => onStack("dev"));
    const check = (enabled = true): Fixture => ({ type: T.uptimeCheck, name: "monitoring-app", props: { type: "https", target: "https://app.example.org/readyz", enabled } });
    const uptimeAlert = (on: Fixture | undefined, emails: string[] = ["ops@example.org"], slacks: unknown[] = []): Fixture => ({
        type: T.uptimeAlert,
        name: "monitoring-app-down",
        props: { checkId: on ? `${on.name}-id` : "other-check", type: "down", period: "5m", notifications: [{ emails, slacks }] },
        propertyDependencies: on ? { checkId: [urnOf(on)] } : {},
    });
    const monitorAlert = (emails: string[] = ["ops@example.org"], slacks: unknown[] = []): Fixture => ({
        type: T.monitorAlert,
        name: "monitoring-node-cpu",
        props: { type: "v1/insights/droplet/cpu", compare: "GreaterThan", value: 85, window: "10m", enabled: true, tags: ["k8s:c"], alerts: { emails, slacks } },
    });
    const noCheck = 'Production has no enabled uptime check with an alert on it: set monitoring.enabled true and monitoring.alertEmails (README, "Monitoring").';
    const noResourceAlert = 'Production has no enabled resource alert (nodes, load balancer, database): set monitoring.enabled true (README, "Monitoring").';

    test("prod without monitoring is refused", async () => {
        await onStack("prod");
        expect(await stackViolations("do-prod-monitoring", [dbCluster()])).toEqual([noCheck, noResourceAlert]);
    });

    test("a check needs an alert on it, and a disabled check does not count", async () => {
        await onStack("prod");
        const c = check();
        expect(await stackViolations("do-prod-monitoring", [c, uptimeAlert(undefined), monitorAlert()])).toEqual([noCheck]);
        const off = check(false);
        expect(await stackViolations("do-prod-monitoring", [off, uptimeAlert(off), monitorAlert()])).toEqual([noCheck]);
    });

    test("every alert needs an email address or a Slack channel", async () => {
        await onStack("prod");
        const c = check();
        const silent = uptimeAlert(c, []);
        const silentResource = monitorAlert([]);
        expect(await stackViolations("do-prod-monitoring", [c, silent, silentResource])).toEqual([
            `Uptime alert "monitoring-app-down" sends to no email address and no Slack channel. [${urnOf(silent)}]`,
            `Resource alert "monitoring-node-cpu" sends to no email address and no Slack channel. [${urnOf(silentResource)}]`,
        ]);
        const slack = [{ channel: "#ops", url: "https://hooks.slack.com/services/x" }];
        expect(await stackViolations("do-prod-monitoring", [c, uptimeAlert(c, [], slack), monitorAlert([], slack)])).toEqual([]);
        expect(await stackViolations("do-prod-monitoring", [c, uptimeAlert(c), monitorAlert()])).toEqual([]);
    });

    test("dev may go unwatched", async () => {
        await onStack("dev");
        expect(await stackViolations("do-prod-monitoring", [dbCluster()])).toEqual([]);
    });
});

describe("k8s-configmap-no-credentials", () => {
    const cm = (data: Record<string, string>): Fixture => ({ type: T.configMap, name: "app-config", props: { metadata: { name: "app", namespace: "app" }, data } });

    test("credential-like keys and URIs with passwords are refused", async () => {
        expect(
            await violations("k8s-configmap-no-credentials", cm({ DJANGO_SECRET_KEY: "x", DATABASE_URL: "postgresql://app:hunter2@db:25060/app", DEBUG: "0" })),
        ).toEqual([
            'ConfigMap "app-config" has key "DJANGO_SECRET_KEY", which names a credential; put it in a Secret.',
            'ConfigMap "app-config" key "DATABASE_URL" holds a URI with a password; put it in a Secret.',
        ]);
    });

    test("plain settings pass", async () => {
        expect(
            await violations("k8s-configmap-no-credentials", cm({ DJANGO_ALLOWED_HOSTS: "app.example.org", DATABASE_HOST: "private-db", REDIS_URL: "redis://cache:6379/0" })),
        ).toEqual([]);
    });
});

describe("k8s-no-default-namespace", () => {
    const svc = (metadata: Record<string, any>, providerNamespace?: string): Fixture => ({
        type: T.service,
        name: "web",
        props: { metadata, spec: {} },
        provider: { type: "pulumi:providers:kubernetes", name: "k8s", props: providerNamespace ? { namespace: providerNamespace } : {} },
    });

    test("explicit or implicit default namespace is refused", async () => {
        expect(await violations("k8s-no-default-namespace", svc({ name: "web", namespace: "default" }))).toEqual([
            'Service "web" is in the "default" namespace; use the app\'s namespace.',
        ]);
        expect(await violations("k8s-no-default-namespace", svc({ name: "web" }))).toEqual([
            'Service "web" names no namespace, so it lands in "default"; set metadata.namespace.',
        ]);
        const release: Fixture = { type: T.release, name: "x", props: { chart: "x", version: "1.0.0" } };
        expect(await violations("k8s-no-default-namespace", release)).toEqual([
            'Release "x" names no namespace, so it lands in "default"; set namespace.',
        ]);
    });

    test("a namespace, or a provider whose default namespace is not default, passes", async () => {
        expect(await violations("k8s-no-default-namespace", svc({ name: "web", namespace: "app" }))).toEqual([]);
        expect(await violations("k8s-no-default-namespace", svc({ name: "web" }, "app"))).toEqual([]);
    });

    test("cluster-scoped objects are not its business", async () => {
        const ns: Fixture = { type: "kubernetes:core/v1:Namespace", name: "app", props: { metadata: { name: "app" } } };
        expect(await checkResource(policy("k8s-no-default-namespace"), resourceArgs(ns))).toEqual({ applied: 0, violations: [] });
    });
});

// ---------------------------------------------------------------------------------------------
// The whole pack over everything the program registers
// ---------------------------------------------------------------------------------------------

function unwrapSecrets(v: unknown): any {
    if (Array.isArray(v)) return v.map(unwrapSecrets);
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return unwrapSecrets(o.value);
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrapSecrets(x)]));
    }
    return v;
}

/** Strings anywhere in a value. */
function strings(v: unknown): string[] {
    if (typeof v === "string") return [v];
    if (Array.isArray(v)) return v.flatMap(strings);
    if (v && typeof v === "object") return Object.values(v).flatMap(strings);
    return [];
}

/**
 * The program's registrations as the analyzer sees them: inputs with secrets unwrapped, options,
 * the provider's inputs, and property dependencies (the mocks give every resource the id
 * "<name>-id", so an input holding that id references that resource).
 */
function fixturesOf(resources: Registered[]): Fixture[] {
    const byMockId = new Map(resources.map((r) => [`${r.name}-id`, r]));
    const byName = new Map(resources.map((r) => [r.name, r]));
    return resources.map((r) => {
        const props = unwrapSecrets(r.inputs) as Record<string, any>;
        const propertyDependencies: Record<string, string[]> = {};
        for (const [key, value] of Object.entries(props)) {
            const deps = strings(value)
                .map((s) => byMockId.get(s))
                .filter((d): d is Registered => d !== undefined && d !== r)
                .map((d) => urnOf(d));
            if (deps.length > 0) propertyDependencies[key] = [...new Set(deps)];
        }
        // The engine's provider reference is "<urn>::<id>"; the URN ends with the provider's name.
        const providerName = r.provider?.split("::").slice(-2, -1)[0];
        const providerReg = providerName ? byName.get(providerName) : undefined;
        return {
            type: r.type,
            name: r.name,
            props,
            protect: r.opts.protect ?? false,
            ignoreChanges: r.opts.ignoreChanges ?? [],
            provider: providerReg ? { type: providerReg.type, name: providerReg.name, props: unwrapSecrets(providerReg.inputs) } : undefined,
            propertyDependencies,
        };
    });
}

interface PackRun {
    violations: string[];
    /** Per policy: how many resources (resource policies) or stacks (stack policies) it applied to. */
    applied: Record<string, number>;
    /** Resource validations offered: resources x validation functions. */
    offered: number;
}

async function runPack(fixtures: Fixture[]): Promise<PackRun> {
    const run: PackRun = { violations: [], applied: {}, offered: 0 };
    for (const p of policies) {
        run.applied[p.name] = 0;
        if ("validateStack" in p) {
            const out = await checkStack(p, stackArgs(fixtures));
            run.applied[p.name] += out.applied;
            run.violations.push(...out.violations.map((m) => `${p.name}: ${m}`));
            continue;
        }
        for (const f of fixtures) {
            const out = await checkResource(p, resourceArgs(f));
            const fns = Array.isArray(p.validateResource) ? p.validateResource.length : 1;
            run.offered += fns;
            run.applied[p.name] += out.applied > 0 ? 1 : 0;
            run.violations.push(...out.violations.map((m) => `${p.name}: ${m}`));
        }
    }
    return run;
}

const WORKLOAD_TYPES = [
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:batch/v1:CronJob",
    "kubernetes:core/v1:Pod",
];

describe.each([
    ["dev", "nginx"],
    ["prod", "nginx"],
    ["dev", "gateway"],
    ["prod", "gateway"],
] as const)("the whole pack over the %s program with ingress.controller %s", (stack: StackName, controller) => {
    let fixtures: Fixture[];
    let run: PackRun;
    const count = (type: string) => fixtures.filter((f) => f.type === type).length;

    beforeAll(async () => {
        const e = await evaluate(program, stack, controller === "gateway" ? { set: { ingress: { controller } } } : {});
        // Stack policies read the stack from the runtime, as in a real preview.
        expect(currentStack()).toBe(stack);
        // Objects the program only reads (Resource.get) never reach a policy pack (pulumi/pulumi#3950).
        fixtures = fixturesOf(programResources(e).filter((r) => r.read === undefined));
        run = await runPack(fixtures);
    });

    test("finds no violation", () => {
        expect(run.violations).toEqual([]);
    });

    test("really checked the program: every resource offered to every resource policy", () => {
        const resourcePolicyFns = policies
            .filter((p): p is ResourceValidationPolicy => !("validateStack" in p))
            .reduce((n, p) => n + (Array.isArray(p.validateResource) ? p.validateResource.length : 1), 0);
        expect(fixtures.length).toBeGreaterThanOrEqual(20);
        expect(run.offered).toBe(fixtures.length * resourcePolicyFns);
    });

    test("really checked the program: the policies applied to the resources they govern", () => {
        const releases = count(T.release);
        // ingress-nginx, cert-manager, metrics-server; no ingress-nginx with the Gateway.
        expect(releases).toBe(controller === "nginx" ? 3 : 2);
        expect(count(T.gateway)).toBe(controller === "gateway" ? 1 : 0);
        expect(run.applied["k8s-gateway-tls"]).toBe(count(T.gateway));
        expect(run.applied["helm-chart-pinned"]).toBe(releases);
        expect(run.applied["k8s-service-exposure"]).toBe(releases + count(T.service));
        expect(run.applied["doks-version-pinned"]).toBe(1);
        expect(run.applied["do-database-private-network"]).toBe(1);
        expect(run.applied["do-database-standby-plan"]).toBe(1);
        expect(run.applied["k8s-no-default-namespace"]).toBeGreaterThanOrEqual(releases);
        const workloads = fixtures.filter((f) => WORKLOAD_TYPES.includes(f.type)).length;
        for (const name of ["k8s-container-resources", "k8s-image-pinned", "k8s-run-as-non-root", "k8s-no-privileged", "k8s-no-privilege-escalation"]) {
            expect(run.applied[name]).toBe(workloads);
        }
        expect(run.applied["k8s-ingress-tls"]).toBe(count(T.ingress));
        for (const p of policies.filter((x) => "validateStack" in x)) expect(run.applied[p.name]).toBe(1);
    });

    test("the firewall is matched to the database cluster through its clusterId", () => {
        const firewall = fixtures.find((f) => f.type === T.firewall);
        const db = fixtures.find((f) => f.type === T.db);
        expect(firewall?.propertyDependencies?.clusterId).toEqual([urnOf(db!)]);
    });

    test("the same mapping catches a broken variant of this program", async () => {
        const broken = fixtures
            .filter((f) => f.type !== T.firewall && f.type !== T.uptimeCheck)
            .map((f) => {
                if (f.type === T.release) return { ...f, props: { ...f.props, version: "^1.0.0" } };
                if (f.type === T.db) return { ...f, protect: false, props: { ...f.props, privateNetworkUuid: undefined } };
                if (f.type === T.dbDb) return { ...f, protect: false };
                return f;
            });
        const before = new Set(run.violations);
        const added = (await runPack(broken)).violations.filter((v) => !before.has(v));
        const names = new Set(added.map((v) => v.split(":")[0]));
        const expected = ["helm-chart-pinned", "do-database-private-network", "do-database-firewall"];
        if (stack === "prod") expected.push("do-prod-database-protected", "do-prod-monitoring");
        expect([...names].sort()).toEqual(expected.sort());
    });
});

// ---------------------------------------------------------------------------------------------
// The pack as the Pulumi CLI starts it: node run-policy-pack in policy/, talking gRPC
// ---------------------------------------------------------------------------------------------

/** The pack as the CLI runs it (its own process, gRPC), for a stack given as the CLI names it. */
interface ServedPack {
    call<T>(method: string, req: unknown): Promise<T>;
    pb: any;
    structpb: any;
    close(): void;
}

/** An Analyze request for a fixture, as the engine sends it (pulumi sdk/go/common/resource/plugin/analyzer_plugin.go, Analyze). */
function analyzeRequest(served: ServedPack, f: Fixture): unknown {
    const req = new served.pb.AnalyzeRequest();
    req.setType(f.type);
    req.setName(f.name);
    req.setUrn(urnOf(f));
    req.setProperties(served.structpb.Struct.fromJavaScript(f.props));
    const options = new served.pb.AnalyzerResourceOptions();
    options.setProtect(f.protect ?? false);
    req.setOptions(options);
    return req;
}

interface PackStart {
    /** The pack's folder (default: the repository's policy/). */
    packDir?: string;
    /** Node options before the runner (a test's probe). */
    nodeArgs?: string[];
    env?: NodeJS.ProcessEnv;
}

async function servePack(stack: string, start: PackStart = {}): Promise<ServedPack> {
    const packDir = start.packDir ?? path.join(ROOT, "policy");
    // The gRPC client and protobuf types the SDK itself uses, resolved from @pulumi/pulumi.
    const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
    const grpc = fromPulumi("@grpc/grpc-js");
    const services = fromPulumi("./proto/analyzer_grpc_pb.js");
    // The nodejs language host's RunPlugin (kind analyzer) resolves run-policy-pack from the pack's
    // directory and starts it there, the directory (absolute) as its last argument, with the stack
    // in PULUMI_NODEJS_STACK (pulumi: sdk/nodejs/cmd/pulumi-language-nodejs/main.go, RunPlugin;
    // pkg/resource/plugin/plugin.go, NewProgramInfo).
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    const child = spawn(process.execPath, [...(start.nodeArgs ?? []), runner, "127.0.0.1:1", packDir], {
        cwd: packDir,
        env: { ...process.env, ...start.env, PULUMI_NODEJS_STACK: stack, PULUMI_NODEJS_PROJECT: "django-doks" },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const port = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (d) => {
            out += d;
            const m = /^(\d+)\s*$/m.exec(out);
            if (m) resolve(m[1]);
        });
        child.on("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${stderr}`)));
    });
    const client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return {
        call: <T>(method: string, req: unknown): Promise<T> =>
            new Promise((resolve, reject) => client[method](req, (err: Error | null, res: T) => (err ? reject(err) : resolve(res)))),
        pb: fromPulumi("./proto/analyzer_pb.js"),
        structpb: fromPulumi("google-protobuf/google/protobuf/struct_pb.js"),
        close: () => {
            client.close();
            child.kill();
        },
    };
}

/** One pack process per stack, started on first use and shared by this file's tests (a start costs seconds). */
const packs = new Map<string, Promise<ServedPack>>();
function packFor(stack: string): Promise<ServedPack> {
    if (!packs.has(stack)) packs.set(stack, servePack(stack));
    return packs.get(stack)!;
}
// Both stacks' packs start together, each on its own process, while the tests before them run.
beforeAll(() => {
    for (const stack of ["prod", "dev"]) void packFor(`acme/django-doks/${stack}`).catch(() => undefined);
});
afterAll(() => Promise.all([...packs.values()].map((p) => p.then((served) => served.close(), () => undefined))));

describe("policy/ starts from its JavaScript build, no TypeScript compiled at start", () => {
    const packDir = path.join(ROOT, "policy");
    const tmp: string[] = [];
    const tmpDir = (prefix: string) => {
        tmp.push(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
        return tmp[tmp.length - 1];
    };
    afterAll(() => tmp.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
    const empty = () => new (createRequire(require.resolve("@pulumi/pulumi/package.json"))("google-protobuf/google/protobuf/empty_pb.js").Empty)();

    test("the runner loads main.js and dist/, not one of the pack's .ts files", async () => {
        const dir = tmpDir("policy-start-");
        const probe = path.join(dir, "probe.js");
        const loaded = path.join(dir, "loaded.json");
        // Records the loaded modules when the pack prints its port, i.e. once it serves.
        fs.writeFileSync(
            probe,
            `const fs = require("fs");
const write = process.stdout.write;
process.stdout.write = function (chunk, ...rest) {
    if (/^\\d+\\s*$/.test(String(chunk))) fs.writeFileSync(process.env.PACK_LOADED, JSON.stringify(Object.keys(require.cache)));
    return write.call(this, chunk, ...rest);
};
`,
        );
        const served = await servePack("acme/django-doks/dev", { nodeArgs: ["--require", probe], env: { PACK_LOADED: loaded } });
        served.close();
        const loadedModules = JSON.parse(fs.readFileSync(loaded, "utf8")) as string[];
        const ofPack = loadedModules
            .filter((f) => f.startsWith(packDir + path.sep))
            .map((f) => path.relative(packDir, f))
            .filter((f) => f !== "package.json")
            .sort();
        const sources = fs.readdirSync(packDir).filter((f) => f.endsWith(".ts"));
        expect(sources.length).toBeGreaterThan(5);
        expect(ofPack).toEqual(["build.js", ...sources.map((f) => path.join("dist", f.replace(/\.ts$/, ".js"))), "main.js"].sort());
        // The provider SDKs are for types only: the pack matches resources by their type tokens.
        const sdk = (name: string) => loadedModules.filter((f) => f.includes(`${path.sep}node_modules${path.sep}@pulumi${path.sep}${name}${path.sep}`));
        expect(sdk("policy").length).toBeGreaterThan(0);
        expect({ kubernetes: sdk("kubernetes"), digitalocean: sdk("digitalocean") }).toEqual({ kubernetes: [], digitalocean: [] });
    }, 60_000);

    test("each resource class the policies match has the type token of the provider SDK's class", () => {
        const classes = {
            Deployment: k8s.apps.v1.Deployment,
            StatefulSet: k8s.apps.v1.StatefulSet,
            DaemonSet: k8s.apps.v1.DaemonSet,
            Job: k8s.batch.v1.Job,
            CronJob: k8s.batch.v1.CronJob,
            Pod: k8s.core.v1.Pod,
            ConfigMap: k8s.core.v1.ConfigMap,
            Service: k8s.core.v1.Service,
            Ingress: k8s.networking.v1.Ingress,
            HorizontalPodAutoscalerV2: k8s.autoscaling.v2.HorizontalPodAutoscaler,
            HorizontalPodAutoscalerV1: k8s.autoscaling.v1.HorizontalPodAutoscaler,
            HelmRelease: k8s.helm.v3.Release,
            HelmChartV4: k8s.helm.v4.Chart,
            KubernetesCluster: digitalocean.KubernetesCluster,
            DatabaseCluster: digitalocean.DatabaseCluster,
            DatabaseFirewall: digitalocean.DatabaseFirewall,
            DatabaseDb: digitalocean.DatabaseDb,
            UptimeCheck: digitalocean.UptimeCheck,
            UptimeAlert: digitalocean.UptimeAlert,
            MonitorAlert: digitalocean.MonitorAlert,
        };
        const token = (c: unknown) => (c as { __pulumiType: string }).__pulumiType;
        const ours = { ...K8S, ...DO };
        expect(Object.keys(ours).sort()).toEqual(Object.keys(classes).sort());
        for (const [name, cls] of Object.entries(classes)) {
            expect(token(cls)).toMatch(/^(kubernetes|digitalocean):/);
            expect([name, token(ours[name as keyof typeof ours])]).toEqual([name, token(cls)]);
        }
    });

    test("policy/dist is what a fresh build of the sources writes (npm ci and npm test build it)", () => {
        expect(() => execFileSync(process.execPath, [path.join(packDir, "build.js"), "--check"], { stdio: "pipe" })).not.toThrow();
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        expect(pkg.scripts.prepare).toBe("node policy/build.js");
        expect(pkg.scripts["build:policy"]).toBe(pkg.scripts.prepare);
        expect(fs.readFileSync(path.join(ROOT, "scripts", "test-setup.sh"), "utf8")).toMatch(/^npm run build:policy$/m);
    });

    test("a build older than its sources is refused at start; built again, the change is what runs", async () => {
        // A copy of the repository's pack beside the root tsconfig.json its own extends.
        const dir = tmpDir("policy-stale-");
        const copy = path.join(dir, "policy");
        fs.cpSync(packDir, copy, { recursive: true });
        fs.copyFileSync(path.join(ROOT, "tsconfig.json"), path.join(dir, "tsconfig.json"));
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
        const index = path.join(copy, "index.ts");
        const source = fs.readFileSync(index, "utf8");
        const edited = source.replace(/description: "[^"]*"/, 'description: "Edited guardrails."');
        expect(edited).not.toBe(source);
        fs.writeFileSync(index, edited);

        const stale = await servePack("acme/django-doks/dev", { packDir: copy }).then(
            (served) => (served.close(), "served"),
            (e: Error) => e.message,
        );
        expect(stale).toContain(`the policy pack in ${copy} is not built from its current sources: index.ts (changed). Run "npm run build:policy"`);
        let check = "";
        try {
            execFileSync(process.execPath, [path.join(copy, "build.js"), "--check"], { stdio: "pipe" });
        } catch (e) {
            check = String((e as { stderr: Buffer }).stderr);
        }
        expect(check).toContain("policy/dist differs from a fresh build in: index.js, sources.json.");

        execFileSync(process.execPath, [path.join(copy, "build.js")]);
        const served = await servePack("acme/django-doks/dev", { packDir: copy });
        try {
            const info: any = await served.call("getAnalyzerInfo", empty());
            expect(info.getDescription()).toBe("Edited guardrails.");
        } finally {
            served.close();
        }
    }, 60_000);
});

describe("an Analyze call converts a resource's properties once per policy that may apply to it", () => {
    // The analyzer server converts the protobuf properties for every validation it calls; it skips
    // without converting only a single validation made for another type (server.js, makeAnalyzeRpcFun).
    const mayApply = (type: string) =>
        policies.filter((p): p is ResourceValidationPolicy => {
            const v = (p as ResourceValidationPolicy).validateResource;
            if (v === undefined || p.enforcementLevel === "disabled") return false;
            const only = (v as { __pulumiType?: string }).__pulumiType;
            return Array.isArray(v) || only === undefined || only === type;
        }).length;

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-conversions-"));
    const counter = path.join(dir, "count");
    let served: ServedPack;
    beforeAll(async () => {
        const probe = path.join(dir, "probe.js");
        // Counts top-level Struct conversions (a nested Struct converts inside its parent's).
        fs.writeFileSync(
            probe,
            `const fs = require("fs");
const { createRequire } = require("module");
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd()] }));
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb.js");
const toJavaScript = Struct.prototype.toJavaScript;
let depth = 0;
Struct.prototype.toJavaScript = function () {
    if (depth++ === 0) fs.appendFileSync(process.env.PACK_CONVERSIONS, "x");
    try { return toJavaScript.call(this); } finally { depth--; }
};
`,
        );
        served = await servePack("acme/django-doks/dev", { nodeArgs: ["--require", probe], env: { PACK_CONVERSIONS: counter } });
    }, 60_000);
    afterAll(() => {
        served?.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test.each([
        ["a Deployment", deployment()],
        ["a Helm release", { type: T.release, name: "ingress-nginx", props: { chart: "ingress-nginx", version: "4.15.1", namespace: "ingress-nginx", values: {} } }],
        ["an HPA", { type: T.hpa, name: "web", props: { metadata: { namespace: "django" }, spec: { minReplicas: 2 } } }],
        ["a DigitalOcean VPC", { type: "digitalocean:index/vpc:Vpc", name: "vpc", props: { region: "fra1" } }],
    ] as [string, Fixture][])("%s", async (_label, f) => {
        fs.writeFileSync(counter, "");
        await served.call("analyze", analyzeRequest(served, f));
        const conversions = fs.readFileSync(counter, "utf8").length;
        expect(conversions).toBeGreaterThan(0);
        expect(conversions).toBe(mayApply(f.type));
    });
});

describe("policy/ as a local policy pack (pulumi preview --policy-pack policy)", () => {
    const packDir = path.join(ROOT, "policy");
    const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
    let served: ServedPack;
    let pb: any;
    let structpb: any;

    beforeAll(async () => {
        served = await packFor("acme/django-doks/prod");
        ({ pb, structpb } = served);
    }, 90_000);

    const call = <T>(method: string, req: unknown): Promise<T> => served.call<T>(method, req);

    const options = (protect = false) => {
        const o = new pb.AnalyzerResourceOptions();
        o.setProtect(protect);
        return o;
    };

    test("needs its own package.json with a version (PolicyPack reads it from the working directory)", () => {
        expect(JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8")).version).toMatch(/^\d+\.\d+\.\d+$/);
    });

    test("serves the pack with every policy, mandatory", async () => {
        const info: any = await call("getAnalyzerInfo", new (fromPulumi("google-protobuf/google/protobuf/empty_pb.js").Empty)());
        expect(info.getName()).toBe("django-doks-guardrails");
        expect(info.getPoliciesList().map((p: any) => p.getName())).toEqual(policies.map((p) => p.name));
        const mandatory = pb.EnforcementLevel.MANDATORY;
        for (const p of info.getPoliciesList()) expect(p.getEnforcementlevel()).toBe(mandatory);
    });

    test("reports a violating Deployment through the real analyzer", async () => {
        const d = deployment(podSpec({ containers: [{ name: "web", image: "nginx:latest" }] }));
        const res: any = await call("analyze", analyzeRequest(served, d));
        const got = res.getDiagnosticsList().map((x: any) => `${x.getPolicyname()}: ${x.getMessage()}`);
        const names = new Set(got.map((g: string) => g.split(":")[0]));
        expect([...names].sort()).toEqual([
            "k8s-container-resources",
            "k8s-image-pinned",
            "k8s-no-privilege-escalation",
            "k8s-run-as-non-root",
        ]);
        expect(got.join("\n")).toContain('Deployment "web": container "web" uses the tag "latest" in "nginx:latest"');
        // Mandatory: the engine fails the preview on it (pulumi pkg/resource/deploy/step_generator.go).
        const levels = new Set(res.getDiagnosticsList().map((x: any) => x.getEnforcementlevel()));
        expect([...levels]).toEqual([pb.EnforcementLevel.MANDATORY]);
    });

    test("values unknown during preview do not trip presence checks", async () => {
        // The engine's sentinel for an unknown string (an image digest or VPC id not built yet).
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const analyze = async (f: Fixture) => {
            const res: any = await call("analyze", analyzeRequest(served, f));
            return res.getDiagnosticsList().map((x: any) => `${x.getPolicyname()}: ${x.getMessage()}`);
        };
        expect(await analyze(deployment(podSpec({ containers: [goodContainer("web", { image: unknown })] })))).toEqual([]);
        expect(await analyze(dbCluster({ privateNetworkUuid: unknown }))).toEqual([]);
    });

    test("learns the stack from the CLI's environment: prod rules apply to acme/django-doks/prod", async () => {
        const req = new pb.AnalyzeStackRequest();
        const db = new pb.AnalyzerResource();
        db.setType(T.db);
        db.setName("database");
        db.setUrn(urnOf(dbCluster()));
        db.setProperties(structpb.Struct.fromJavaScript(dbCluster().props));
        db.setOptions(options(false));
        req.setResourcesList([db]);
        const res: any = await call("analyzeStack", req);
        const got = res.getDiagnosticsList().map((x: any) => x.getPolicyname());
        expect(got.sort()).toEqual(["do-database-firewall", "do-prod-database-protected", "do-prod-monitoring", "do-prod-monitoring"]);
    });
});

// ---------------------------------------------------------------------------------------------
// The first `pulumi preview` of each stack (nothing exists yet), through the pack's real analyzer
// ---------------------------------------------------------------------------------------------

describe.each(["dev", "prod"] as const)("the pack over the first preview of %s (real analyzer, dry run)", (stack: StackName) => {
    let served: ServedPack;
    let resources: Registered[];
    /** Every diagnostic, as "<policy>: <message>", from Analyze (inputs) and AnalyzeStack (planned outputs). */
    const diagnostics: string[] = [];

    beforeAll(async () => {
        const starting = packFor(`acme/django-doks/${stack}`);
        const e = await evaluate(program, stack, { preview: true });
        // Objects the program only reads never reach a policy pack (pulumi/pulumi#3950).
        resources = programResources(e).filter((r) => r.read === undefined);
        served = await starting;
        const { pb, structpb } = served;
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        const fill = (msg: any, r: Registered, props: unknown) => {
            msg.setType(r.type);
            msg.setName(r.name);
            msg.setUrn(r.urn);
            msg.setProperties(structpb.Struct.fromJavaScript(toWire(props)));
            const o = new pb.AnalyzerResourceOptions();
            o.setProtect(r.opts.protect ?? false);
            msg.setOptions(o);
            // The engine's provider reference is "<urn>::<id>".
            const provider = byUrn.get(r.provider?.split("::").slice(0, -1).join("::"));
            if (provider) {
                const p = new pb.AnalyzerProviderResource();
                p.setType(provider.type);
                p.setName(provider.name);
                p.setUrn(provider.urn);
                p.setProperties(structpb.Struct.fromJavaScript(toWire(provider.inputs)));
                msg.setProvider(p);
            }
            return msg;
        };
        const collect = (res: any) =>
            diagnostics.push(...res.getDiagnosticsList().map((d: any) => `${d.getPolicyname()}: ${d.getMessage()}`));
        for (const r of resources) collect(await served.call("analyze", fill(new pb.AnalyzeRequest(), r, r.inputs)));
        const req = new pb.AnalyzeStackRequest();
        req.setResourcesList(
            resources.map((r) => {
                const a = fill(new pb.AnalyzerResource(), r, r.outputs);
                a.setDependenciesList(r.dependencyUrns ?? []);
                for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
                    const deps = new pb.AnalyzerPropertyDependencies();
                    deps.setUrnsList(urns);
                    a.getPropertydependenciesMap().set(key, deps);
                }
                return a;
            }),
        );
        collect(await served.call("analyzeStack", req));
    }, 120_000);

    test("really a first preview: inputs hold unknowns, Kubernetes objects have no planned outputs", () => {
        const db = resources.find((r) => r.type === T.db)!;
        expect(pulumi.isUnknown(db.inputs.privateNetworkUuid)).toBe(true);
        expect(resources.filter((r) => hasUnknown(r.inputs)).length).toBeGreaterThan(5);
        const web = resources.find((r) => r.type === T.deployment && r.name === "app-web")!;
        expect(web.outputs).toEqual({});
    });

    test("every policy could run: no \"can't run ... during preview\"", () => {
        expect(diagnostics.filter((d) => d.includes("can't run"))).toEqual([]);
    });

    test("and none reports a violation", () => {
        expect(diagnostics).toEqual([]);
    });
});

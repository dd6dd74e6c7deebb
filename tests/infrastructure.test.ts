import program from "../index";
import { buildKubeconfig } from "../components/kubeconfig";
import { postgresUri } from "../components/database";
import { pickVersion } from "../components/cluster";
import { resourceName, stackTags } from "../components/naming";
import {
    evaluate,
    Evaluation,
    MOCK_IMAGE_DIGEST,
    ofType,
    one,
    resolve,
    SECRET_TEXTS,
    secretInput,
    StackName,
    unwrapSecrets,
    USER_VALUES,
} from "./harness";

const T = {
    vpc: "digitalocean:index/vpc:Vpc",
    cluster: "digitalocean:index/kubernetesCluster:KubernetesCluster",
    provider: "pulumi:providers:kubernetes",
    db: "digitalocean:index/databaseCluster:DatabaseCluster",
    dbDb: "digitalocean:index/databaseDb:DatabaseDb",
    dbUser: "digitalocean:index/databaseUser:DatabaseUser",
    pool: "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool",
    firewall: "digitalocean:index/databaseFirewall:DatabaseFirewall",
    registry: "digitalocean:index/containerRegistry:ContainerRegistry",
    pull: "digitalocean:index/containerRegistryDockerCredentials:ContainerRegistryDockerCredentials",
};

const networks = {
    dev: { vpc: "172.24.0.0/20", pods: "172.25.0.0/16", services: "172.26.0.0/19" },
    prod: { vpc: "172.28.0.0/20", pods: "172.29.0.0/16", services: "172.30.0.0/19" },
};

const expected = {
    dev: { ha: false, dbNodes: 1, dbSize: "db-s-1vcpu-1gb", pool: 10, protect: false, autoscale: undefined, maintenance: { day: "sunday", startTime: "04:00" } },
    prod: { ha: true, dbNodes: 2, dbSize: "db-s-1vcpu-2gb", pool: 20, protect: true, autoscale: { min: 3, max: 5 }, maintenance: { day: "sunday", startTime: "03:00" } },
};

describe.each(["dev", "prod"] as const)("%s stack", (stack: StackName) => {
    let e: Evaluation;
    beforeAll(async () => {
        e = await evaluate(program, stack);
    });
    const x = expected[stack];
    const tags = ["django-doks", `django-doks:${stack}`];

    test("VPC in the stack's region", () => {
        const vpc = one(e, T.vpc);
        expect(vpc.inputs).toMatchObject({ name: `django-doks-${stack}`, region: "fra1" });
        expect(vpc.opts.parent).toBe("network");
    });

    test("a VPC-native cluster: the stack's pod and Service ranges, in the stack's VPC range", () => {
        expect(one(e, T.vpc).inputs.ipRange).toBe(networks[stack].vpc);
        const c = one(e, T.cluster).inputs;
        expect([c.clusterSubnet, c.serviceSubnet]).toEqual([networks[stack].pods, networks[stack].services]);
    });

    test("DOKS cluster in the VPC with 3 x s-2vcpu-4gb", () => {
        const c = one(e, T.cluster).inputs;
        expect(c.vpcUuid).toBe("network-id");
        expect(c.region).toBe("fra1");
        expect(c.nodePool).toMatchObject({ size: "s-2vcpu-4gb", nodeCount: 3, tags });
        expect(c.tags).toEqual(tags);
    });

    test("node pool autoscaling follows config", () => {
        const pool = one(e, T.cluster).inputs.nodePool;
        if (x.autoscale) {
            expect(pool).toMatchObject({ autoScale: true, minNodes: x.autoscale.min, maxNodes: x.autoscale.max });
            expect(one(e, T.cluster).opts.ignoreChanges).toEqual(["nodePool.nodeCount"]);
        } else {
            expect(pool.autoScale).toBe(false);
            expect(pool.minNodes).toBeUndefined();
            expect(one(e, T.cluster).opts.ignoreChanges ?? []).toEqual([]);
        }
    });

    test("version is the newest release for the prefix, never latest", () => {
        const c = one(e, T.cluster).inputs;
        // The default minor is the newest every pinned chart supports (1.35), not DOKS's newest.
        expect(c.version).toBe("1.35.8-do.2");
        const call = e.invokes.find((i) => i.token.endsWith("getKubernetesVersions"));
        expect(call?.args.versionPrefix).toBe("1.35.");
    });

    test("surge upgrades, maintenance window, HA and associated-resource cleanup", () => {
        const c = one(e, T.cluster).inputs;
        expect(c.surgeUpgrade).toBe(true);
        expect(c.autoUpgrade).toBe(true);
        expect(c.maintenancePolicy).toEqual(x.maintenance);
        expect(c.ha).toBe(x.ha);
        expect(c.destroyAllAssociatedResources).toBe(true);
    });

    test("kubernetes Provider: API-token kubeconfig, secret, identified by the cluster id", () => {
        const p = one(e, T.provider);
        expect(p.inputs.clusterIdentifier).toBe("cluster-id");
        const kubeconfig = secretInput<string>(p.inputs.kubeconfig);
        expect(kubeconfig.secret).toBe(true);
        const parsed = JSON.parse(kubeconfig.value);
        expect(parsed.users[0].user).toEqual({ token: SECRET_TEXTS.doToken });
        expect(parsed.clusters[0].cluster.server).toBe("https://cluster-id.k8s.ondigitalocean.com");
        // Not the 7-day credential of the cluster's own kubeconfig.
        expect(kubeconfig.value).not.toContain(SECRET_TEXTS.kubeconfigToken);
    });

    test("every Kubernetes object goes through that provider", () => {
        const k8sObjects = e.resources.filter((r) => r.type.startsWith("kubernetes:"));
        expect(k8sObjects.length).toBeGreaterThan(0);
        for (const r of k8sObjects) {
            expect([r.name, r.provider]).toEqual([r.name, expect.stringMatching(/\$pulumi:providers:kubernetes::cluster-k8s::cluster-k8s-id$/)]);
        }
    });

    test("managed PostgreSQL on the private network", () => {
        const db = one(e, T.db);
        expect(db.inputs).toMatchObject({
            engine: "pg",
            version: "17",
            size: x.dbSize,
            nodeCount: x.dbNodes,
            region: "fra1",
            privateNetworkUuid: "network-id",
            name: `django-doks-${stack}-pg`,
            tags,
        });
    });

    test("application database, user and transaction-mode pool", () => {
        expect(one(e, T.dbDb).inputs).toEqual({ clusterId: "database-id", name: "app" });
        expect(one(e, T.dbUser).inputs).toMatchObject({ clusterId: "database-id", name: "app" });
        expect(one(e, T.pool).inputs).toMatchObject({
            clusterId: "database-id",
            name: "app-pool",
            mode: "transaction",
            size: x.pool,
            dbName: "app",
            user: "app",
        });
    });

    test("the database firewall trusts only the cluster", () => {
        expect(one(e, T.firewall).inputs).toEqual({
            clusterId: "database-id",
            rules: [{ type: "k8s", value: "cluster-id" }],
        });
    });

    test("database protection follows config", () => {
        expect(one(e, T.db).opts.protect).toBe(x.protect);
        expect(one(e, T.dbDb).opts.protect).toBe(x.protect);
    });

    test("read-only registry pull credentials", () => {
        expect(one(e, T.pull, "registry-pull").inputs).toMatchObject({ registryName: USER_VALUES.registryName, write: false });
    });

    test("push credentials only for the image the stack builds", async () => {
        expect(one(e, T.pull, "app-image-push").inputs).toMatchObject({ registryName: USER_VALUES.registryName, write: true });
        const prebuilt = await evaluate(program, stack, {
            set: { app: { image: `registry.digitalocean.com/acme/django@${MOCK_IMAGE_DIGEST}` } },
        });
        expect(ofType(prebuilt, T.pull).map((r) => r.name)).toEqual(["registry-pull"]);
        expect(ofType(prebuilt, "docker-build:index:Image")).toEqual([]);
    });
});

describe("registry ownership", () => {
    test("dev creates the registry", async () => {
        const e = await evaluate(program, "dev", { set: { registryRegion: "ams3", registryTier: "starter" } });
        expect(one(e, T.registry).inputs).toEqual({ name: "acme-django", subscriptionTierSlug: "starter", region: "ams3" });
        expect(e.invokes.filter((i) => i.token.endsWith("getContainerRegistry"))).toEqual([]);
        expect((await resolve(e.outputs.registryEndpoint)).value).toBe("registry.digitalocean.com/acme-django");
    });

    test("prod references it by name and creates none", async () => {
        const e = await evaluate(program, "prod");
        expect(ofType(e, T.registry)).toEqual([]);
        expect((await resolve(e.outputs.registryEndpoint)).value).toBe("registry.digitalocean.com/acme-django");
    });
});

// The provider's registry lookups answer every attribute null today (terraform-provider-digitalocean
// #1535); the harness mocks them that way, so nothing may depend on them.
describe.each([
    ["prod", {}],
    ["dev switched to existing", { registryMode: "existing" }],
] as const)("a registry referenced by name (%s)", (label, set) => {
    const stack: StackName = label === "prod" ? "prod" : "dev";
    const name = USER_VALUES.registryName;
    let e: Evaluation;
    beforeAll(async () => {
        e = await evaluate(program, stack, { set });
    });

    test("no registry lookup at all", () => {
        expect(ofType(e, T.registry)).toEqual([]);
        expect(e.invokes.map((i) => i.token).filter((t) => /getContainerRegistr/.test(t))).toEqual([]);
    });

    test("pull and push credentials name the registry from config", () => {
        expect(one(e, T.pull, "registry-pull").inputs).toMatchObject({ registryName: name, write: false });
        expect(one(e, T.pull, "app-image-push").inputs).toMatchObject({ registryName: name, write: true });
    });

    test("the pull secret carries the pull credentials", () => {
        const pull = one(e, T.pull, "registry-pull");
        const secret = one(e, "kubernetes:core/v1:Secret", "app-registry");
        const data = secretInput(secret.inputs.stringData);
        expect(data.secret).toBe(true);
        expect(unwrapSecrets(data.value)[".dockerconfigjson"]).toBe(
            JSON.stringify({ auths: { "registry.digitalocean.com": { auth: SECRET_TEXTS.registryAuth } } }),
        );
        expect(pull.inputs.registryName).toBe(name);
    });

    test("the image is pushed to and pulled from registry.digitalocean.com/<name>", async () => {
        const image = unwrapSecrets(one(e, "docker-build:index:Image", "app-image").inputs);
        expect(image.tags).toEqual([`registry.digitalocean.com/${name}/django:${stack}`]);
        expect(image.registries[0].address).toBe("registry.digitalocean.com");
        const web = unwrapSecrets(one(e, "kubernetes:apps/v1:Deployment", "app-web").inputs);
        expect(web.spec.template.spec.containers[0].image).toBe(`registry.digitalocean.com/${name}/django@${MOCK_IMAGE_DIGEST}`);
        expect((await resolve(e.outputs.registryEndpoint)).value).toBe(`registry.digitalocean.com/${name}`);
    });
});

describe("overrides reach the resources", () => {
    test("node count, size, database version and VPC range", async () => {
        const e = await evaluate(program, "dev", {
            set: {
                nodeCount: 5,
                nodeSize: "s-4vcpu-8gb",
                dbVersion: "16",
                vpcIpRange: "10.20.0.0/16",
                haControlPlane: true,
                autoUpgrade: false,
                destroyAllAssociatedResources: false,
            },
        });
        expect(one(e, T.cluster).inputs.nodePool).toMatchObject({ nodeCount: 5, size: "s-4vcpu-8gb" });
        expect(one(e, T.cluster).inputs).toMatchObject({ ha: true, autoUpgrade: false, destroyAllAssociatedResources: false });
        expect(one(e, T.db).inputs.version).toBe("16");
        expect(one(e, T.vpc).inputs.ipRange).toBe("10.20.0.0/16");
    });
});

describe("pure helpers", () => {
    test("pickVersion returns the newest, or names the key and how to list releases", () => {
        expect(pickVersion("1.36.", "1.36.4-do.1")).toBe("1.36.4-do.1");
        expect(() => pickVersion("1.29.", "")).toThrow(
            /kubernetesVersionPrefix "1.29." matches no DigitalOcean Kubernetes release.*doctl kubernetes options versions/,
        );
    });

    test("buildKubeconfig authenticates with the given token", () => {
        const k = JSON.parse(buildKubeconfig({ clusterName: "c", endpoint: "https://x", caCertificate: "Q0E=", token: "t0k" }));
        expect(k["current-context"]).toBe("do-c");
        expect(k.clusters[0].cluster).toEqual({ server: "https://x", "certificate-authority-data": "Q0E=" });
        expect(k.users[0].user).toEqual({ token: "t0k" });
        expect(k.contexts[0].context).toEqual({ cluster: "do-c", user: "do-c-token" });
    });

    test("postgresUri escapes credentials and requires TLS", () => {
        expect(postgresUri({ user: "app", password: "p@ss/w:rd", host: "h", port: 25060, database: "app" })).toBe(
            "postgresql://app:p%40ss%2Fw%3Ard@h:25060/app?sslmode=require",
        );
    });

    test("resourceName and stackTags are DigitalOcean-safe", () => {
        expect(resourceName({ project: "django-doks", stack: "Feature_X" }, "pg")).toBe("django-doks-feature-x-pg");
        // Never cut (a cut could erase what tells two stacks apart): config validation refuses such stacks first.
        expect(resourceName({ project: "p", stack: "s".repeat(61) })).toBe(`p-${"s".repeat(61)}`);
        expect(() => resourceName({ project: "p", stack: "s".repeat(62) })).toThrow("longer than 63 characters");
        expect(stackTags({ project: "django-doks", stack: "feature.x" })).toEqual(["django-doks", "django-doks:feature-x"]);
    });
});

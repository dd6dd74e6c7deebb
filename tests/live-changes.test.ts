import program from "../index";
import { changedKeys, liveChangeError } from "../components/live";
import { versionPlan } from "../components/cluster";
import { evaluate, evaluateFailure, Evaluation, ofType, one, programResources, readsOf } from "./harness";

// A stack that exists: its resources' state holds what they were created with (`live`, over the
// inputs), as Pulumi's state does for a key the resource ignores in its diff. The checks refuse
// what DigitalOcean could only do by replacing a resource with a fixed name (ForceNew fields in
// terraform-provider-digitalocean: digitalocean_vpc region, ip_range; digitalocean_kubernetes_cluster
// region, cluster_subnet, service_subnet; digitalocean_database_db and _user name;
// digitalocean_container_registry name, region).

const T = {
    vpc: "digitalocean:index/vpc:Vpc",
    cluster: "digitalocean:index/kubernetesCluster:KubernetesCluster",
    workers: "digitalocean:index/kubernetesNodePool:KubernetesNodePool",
    provider: "pulumi:providers:kubernetes",
    db: "digitalocean:index/databaseCluster:DatabaseCluster",
    dbDb: "digitalocean:index/databaseDb:DatabaseDb",
    pool: "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool",
    firewall: "digitalocean:index/databaseFirewall:DatabaseFirewall",
    registry: "digitalocean:index/containerRegistry:ContainerRegistry",
    pull: "digitalocean:index/containerRegistryDockerCredentials:ContainerRegistryDockerCredentials",
    stackRef: "pulumi:pulumi:StackReference",
};

const kubernetesObjects = (e: Evaluation) => e.resources.filter((r) => r.type.startsWith("kubernetes:"));

interface Case {
    key: string;
    live: Record<string, Record<string, unknown>>;
    set?: Record<string, unknown>;
    configured: string;
    was: string;
    /** What must not have been registered: everything after the resource that found the change. */
    absent: string[];
    because: RegExp;
}

const cases: Case[] = [
    {
        key: "vpcIpRange",
        live: { network: { ipRange: "172.27.0.0/20" } },
        configured: "172.24.0.0/20",
        was: "172.27.0.0/20",
        absent: [T.cluster, T.db, T.workers, T.provider],
        because: /a new VPC, and with it the cluster and the database/,
    },
    {
        key: "region",
        live: { network: { region: "ams3" } },
        configured: "fra1",
        was: "ams3",
        absent: [T.cluster, T.db],
        because: /a new VPC/,
    },
    {
        key: "clusterSubnet",
        live: { cluster: { clusterSubnet: "172.27.0.0/16" } },
        configured: "172.25.0.0/16",
        was: "172.27.0.0/16",
        absent: [T.workers, T.provider, T.firewall],
        because: /the cluster, and with it every workload, volume and the load balancer's IP/,
    },
    {
        key: "serviceSubnet",
        live: { cluster: { serviceSubnet: "172.27.0.0/19" } },
        configured: "172.26.0.0/19",
        was: "172.27.0.0/19",
        absent: [T.workers, T.provider],
        because: /the cluster/,
    },
    {
        key: "dbName",
        live: { "database-db": { name: "shop" } },
        configured: "app",
        was: "shop",
        absent: [T.pool],
        because: /cannot rename a database: a new, empty one would replace it/,
    },
    {
        key: "dbUser",
        live: { "database-user": { name: "shop" } },
        configured: "app",
        was: "shop",
        absent: [T.pool],
        because: /the new one would own none of the app's tables/,
    },
    {
        key: "registryName",
        live: { registry: { name: "acme-old" } },
        configured: "acme-django",
        was: "acme-old",
        absent: [T.pull],
        because: /a second registry, which DigitalOcean refuses while the account has one/,
    },
    {
        key: "registryRegion",
        live: { registry: { region: "fra1" } },
        set: { registryRegion: "ams3" },
        configured: "ams3",
        was: "fra1",
        absent: [T.pull],
        because: /a second registry/,
    },
];

describe.each(cases)("$key changed on a stack that exists", (c) => {
    let error: Error;
    let evaluation: Evaluation;
    beforeAll(async () => {
        ({ error, evaluation } = await evaluateFailure(program, "dev", { live: c.live, set: c.set }));
    });

    test("is refused, naming the key, both values, why, and the command that keeps the stack", () => {
        expect(error.name).toBe("LiveChangeError");
        expect(error.message).toMatch(/^Refused for stack "dev" \(nothing was changed\): these keys cannot change on a stack that exists:\n/);
        const line = error.message.split("\n").find((l) => l.startsWith(`  - django-doks:${c.key} = `));
        expect(line).toBeDefined();
        expect(line).toContain(`  - django-doks:${c.key} = "${c.configured}": expected "${c.was}", the value the stack's resources were created with (`);
        expect(line).toMatch(c.because);
        expect(line).toMatch(new RegExp(`To keep the stack: pulumi config set --stack dev ${c.key} ${c.was.replace(/\./g, "\\.")}$`));
    });

    test("before anything that depends on the resource is registered", () => {
        for (const type of c.absent) expect([type, ofType(evaluation, type).length]).toEqual([type, 0]);
        if (c.absent.includes(T.provider)) expect(kubernetesObjects(evaluation)).toEqual([]);
    });
});

describe("what the checks leave alone", () => {
    test("the same values pass, in an existing stack as in a new one", async () => {
        const live = { network: { ipRange: "172.24.0.0/20", region: "fra1" }, cluster: { clusterSubnet: "172.25.0.0/16" }, "database-db": { name: "app" } };
        const e = await evaluate(program, "dev", { live });
        expect(ofType(e, T.pool)).toHaveLength(1);
    });

    test("a range the stack leaves to DigitalOcean is not compared", async () => {
        const e = await evaluate(program, "dev", {
            unset: ["vpcIpRange", "clusterSubnet", "serviceSubnet"],
            live: { network: { ipRange: "10.110.16.0/20" }, cluster: { clusterSubnet: "10.244.0.0/16", serviceSubnet: "10.245.0.0/16" } },
        });
        expect(ofType(e, T.workers)).toHaveLength(1);
    });

    test("a first preview, where nothing exists and computed values are unknown, registers everything", async () => {
        const e = await evaluate(program, "dev", { preview: true });
        expect(ofType(e, T.workers)).toHaveLength(1);
        expect(ofType(e, T.pool)).toHaveLength(1);
        expect(kubernetesObjects(e).length).toBeGreaterThan(20);
    });

    test("changedKeys skips unset keys and values the cloud has not reported", () => {
        const check = { key: "k", consequence: "c" };
        expect(changedKeys([{ ...check, configured: undefined, live: "a" }])).toEqual([]);
        expect(changedKeys([{ ...check, configured: "a", live: undefined }])).toEqual([]);
        expect(changedKeys([{ ...check, configured: "a", live: "" }])).toEqual([]);
        expect(changedKeys([{ ...check, configured: "a", live: "a" }])).toEqual([]);
        expect(changedKeys([{ ...check, configured: "a", live: "b" }])).toHaveLength(1);
        expect(liveChangeError({ project: "p", stack: "s" }, [{ ...check, configured: "a", live: "b" }]).message).toContain(
            '  - p:k = "a": expected "b", the value the stack\'s resources were created with (c). To keep the stack: pulumi config set --stack s k b',
        );
    });
});

describe("the cluster's version on a stack that exists (its last pulumi up recorded it)", () => {
    const versionOf = (e: Evaluation) => one(e, T.cluster);

    test("the program reads its own stack's last outputs, before anything else", async () => {
        const e = await evaluate(program, "dev");
        const self = readsOf(e, T.stackRef);
        expect(self.map((r) => r.read)).toEqual(["organization/django-doks/dev"]);
        expect(Math.min(...programResources(e).filter((r) => r.type !== T.stackRef).map((r) => r.seq))).toBeGreaterThan(self[0].seq);
    });

    test("under autoUpgrade, a patch DigitalOcean applied or will apply is left to it: the version is ignored in the diff", async () => {
        const e = await evaluate(program, "dev", { priorOutputs: { kubernetesVersion: "1.35.4-do.0" } });
        expect(versionOf(e).opts.ignoreChanges).toContain("version");
    });

    test("a new minor in kubernetesVersionPrefix upgrades: the version is the program's again", async () => {
        const e = await evaluate(program, "dev", { priorOutputs: { kubernetesVersion: "1.34.6-do.1" } });
        expect(versionOf(e).opts.ignoreChanges).not.toContain("version");
        expect(versionOf(e).inputs.version).toBe("1.35.8-do.2");
    });

    test("without autoUpgrade, every patch goes through pulumi up", async () => {
        const e = await evaluate(program, "dev", { set: { autoUpgrade: false }, priorOutputs: { kubernetesVersion: "1.35.4-do.0" } });
        expect(versionOf(e).opts.ignoreChanges).not.toContain("version");
    });

    test("a lower minor is refused before anything is registered: the provider would replace the cluster", async () => {
        const { error, evaluation } = await evaluateFailure(program, "dev", { priorOutputs: { kubernetesVersion: "1.36.3-do.0" } });
        expect(error.message).toContain(
            '  - django-doks:kubernetesVersionPrefix = "1.35.": expected 1.36 or later, the cluster runs 1.36.3-do.0 (DOKS cannot downgrade a cluster',
        );
        expect(programResources(evaluation).filter((r) => r.type !== T.stackRef)).toEqual([]);
    });

    test("versionPlan compares minors as numbers", () => {
        const id = { project: "p", stack: "s" };
        expect(versionPlan({ stackId: id, prefix: "1.35.", autoUpgrade: true, running: "1.35.10-do.0" })).toEqual({ keepRunning: true });
        expect(versionPlan({ stackId: id, prefix: "1.10.", autoUpgrade: true, running: "1.9.2-do.0" })).toEqual({ keepRunning: false });
        expect(() => versionPlan({ stackId: id, prefix: "1.9.", autoUpgrade: true, running: "1.10.0-do.0" })).toThrow(/cannot downgrade/);
        expect(versionPlan({ stackId: id, prefix: "1.35.", autoUpgrade: true, running: undefined })).toEqual({ keepRunning: false });
    });
});

describe("a new node size on a stack that exists", () => {
    test("is a new worker pool, named by its size, beside the cluster's unchanged own pool", async () => {
        const before = await evaluate(program, "dev");
        const after = await evaluate(program, "dev", { set: { nodeSize: "s-4vcpu-8gb" } });
        expect(one(after, T.cluster).inputs).toEqual(one(before, T.cluster).inputs);
        expect(one(before, T.workers).inputs.name).toBe("workers-s-2vcpu-4gb");
        expect(one(after, T.workers).inputs.name).toBe("workers-s-4vcpu-8gb");
        // The pool keeps its Pulumi name: the engine replaces it (size is ForceNew), create-first.
        expect(one(after, T.workers).name).toBe(one(before, T.workers).name);
        expect(one(after, T.workers).opts.deleteBeforeReplace).toBeUndefined();
    });
});

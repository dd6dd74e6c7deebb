import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { afterLiveChecks, REBUILD, StackId } from "./live";

export interface DatabaseArgs {
    stackId: StackId;
    name: string;
    region: string;
    /** The VPC's id, once its own checks passed. */
    vpcId: pulumi.Input<string>;
    /** The only source the database firewall trusts. */
    kubernetesClusterId: pulumi.Input<string>;
    version: string;
    size: string;
    nodeCount: number;
    databaseName: string;
    /** Runs the migrations and owns the tables. */
    userName: string;
    /** The web pods' role: reads and writes rows, changes no table. */
    runtimeUserName: string;
    poolSize: number;
    /** Refuse `pulumi destroy` of the cluster and the database. */
    protect: boolean;
    tags: string[];
}

export interface PostgresUriParts {
    user: string;
    password: string;
    host: string;
    port: number;
    database: string;
}

/** A libpq URI that requires TLS, with the credentials escaped. */
export function postgresUri(p: PostgresUriParts): string {
    const cred = `${encodeURIComponent(p.user)}:${encodeURIComponent(p.password)}`;
    return `postgresql://${cred}@${p.host}:${p.port}/${encodeURIComponent(p.database)}?sslmode=require`;
}

/** digitalocean_database_db and digitalocean_database_user: name is ForceNew. */
const DB_RENAMED = `DigitalOcean cannot rename a database: a new, empty one would replace it and the one with the app's data be dropped; to move the data: ${REBUILD}`;
const USER_RENAMED =
    "DigitalOcean cannot rename a user: the new one would own none of the app's tables, and the old one, which owns them, cannot be dropped while they exist";

/**
 * Managed PostgreSQL on the VPC: the app's database, its two roles, a transaction pool and a
 * firewall. The database and the roles DigitalOcean's API creates leave the database owned by
 * doadmin with no grants to the roles; the app grants them in the cluster before its migrations
 * (components/app/database-roles.ts, docs/design.md "Database roles").
 */
export class Database extends pulumi.ComponentResource {
    public readonly clusterId: pulumi.Output<string>;
    public readonly privateHost: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;
    public readonly database: pulumi.Output<string>;
    public readonly user: pulumi.Output<string>;
    public readonly runtimeUser: pulumi.Output<string>;
    /** Direct connection as the owner role, for migrations and admin work (secret). */
    public readonly privateUri: pulumi.Output<string>;
    /** Direct connection to the app's database as doadmin, for the role grants only (secret). */
    public readonly adminUri: pulumi.Output<string>;
    public readonly poolName: pulumi.Output<string>;
    public readonly poolPrivateHost: pulumi.Output<string>;
    public readonly poolPort: pulumi.Output<number>;
    /** Through pgbouncer in transaction mode as the runtime role, for the application's requests (secret). */
    public readonly poolPrivateUri: pulumi.Output<string>;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("django-doks:infra:Database", name, {}, opts);
        const kept = { parent: this, protect: args.protect };

        const cluster = new digitalocean.DatabaseCluster(
            name,
            {
                name: args.name,
                engine: "pg",
                version: args.version,
                size: args.size,
                region: args.region,
                nodeCount: args.nodeCount,
                privateNetworkUuid: args.vpcId,
                tags: args.tags,
            },
            kept,
        );
        // A user's and a database's name are ForceNew: kept in the diff, and a change refused.
        const named = { parent: this, ignoreChanges: ["name"] };
        const owner = new digitalocean.DatabaseUser(`${name}-user`, { clusterId: cluster.id, name: args.userName }, named);
        const runtime = new digitalocean.DatabaseUser(`${name}-runtime-user`, { clusterId: cluster.id, name: args.runtimeUserName }, named);
        // After the roles, so `pulumi destroy` drops the database first: a role that owns
        // objects (the app's tables) cannot be dropped while they exist.
        const db = new digitalocean.DatabaseDb(
            `${name}-db`,
            { clusterId: cluster.id, name: args.databaseName },
            { ...kept, ignoreChanges: ["name"], dependsOn: [owner, runtime] },
        );
        // The runtime role's name derives from dbUser: the owner's check covers both.
        const checks = [
            { key: "dbName", configured: args.databaseName, live: db.name, consequence: DB_RENAMED },
            { key: "dbUser", configured: args.userName, live: owner.name, consequence: USER_RENAMED },
        ];
        const database = afterLiveChecks(args.stackId, db.name, checks);

        // Every argument of a pool is ForceNew and DigitalOcean addresses pools by name, so a
        // replacement goes delete-first: the same name, host and port come back and the app reconnects.
        const pool = new digitalocean.DatabaseConnectionPool(
            `${name}-pool`,
            { clusterId: cluster.id, name: `${args.databaseName}-pool`, mode: "transaction", size: args.poolSize, dbName: database, user: runtime.name },
            { parent: this, deleteBeforeReplace: true },
        );
        new digitalocean.DatabaseFirewall(
            `${name}-firewall`,
            { clusterId: cluster.id, rules: [{ type: "k8s", value: args.kubernetesClusterId }] },
            { parent: this },
        );

        const uri = (
            user: pulumi.Input<string>,
            password: pulumi.Input<string>,
            host: pulumi.Output<string>,
            port: pulumi.Output<number>,
            dbName: pulumi.Output<string>,
        ) =>
            pulumi.secret(
                pulumi.all([user, password, host, port, dbName]).apply(([u, pw, h, p, d]) => postgresUri({ user: u, password: pw, host: h, port: p, database: d })),
            );

        this.clusterId = cluster.id;
        this.privateHost = cluster.privateHost;
        this.port = cluster.port;
        this.database = database;
        this.user = owner.name;
        this.runtimeUser = runtime.name;
        this.privateUri = uri(owner.name, owner.password, cluster.privateHost, cluster.port, database);
        this.adminUri = uri(cluster.user, cluster.password, cluster.privateHost, cluster.port, database);
        this.poolName = pool.name;
        this.poolPrivateHost = pool.privateHost;
        this.poolPort = pool.port;
        // Clients of a DigitalOcean pool name the pool as their database.
        this.poolPrivateUri = uri(runtime.name, runtime.password, pool.privateHost, pool.port, pool.name);

        this.registerOutputs({
            clusterId: this.clusterId,
            privateHost: this.privateHost,
            port: this.port,
            database: this.database,
            user: this.user,
            runtimeUser: this.runtimeUser,
            poolName: this.poolName,
        });
    }
}

import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";

export interface DatabaseArgs {
    name: string;
    region: string;
    vpcId: pulumi.Input<string>;
    /** The only source the database firewall trusts. */
    kubernetesClusterId: pulumi.Input<string>;
    version: string;
    size: string;
    nodeCount: number;
    databaseName: string;
    userName: string;
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

/** Managed PostgreSQL on the VPC: the app's database, user, a transaction pool and a firewall. */
export class Database extends pulumi.ComponentResource {
    public readonly clusterId: pulumi.Output<string>;
    public readonly privateHost: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;
    public readonly database: pulumi.Output<string>;
    public readonly user: pulumi.Output<string>;
    /** Direct connection for migrations and admin work (secret). */
    public readonly privateUri: pulumi.Output<string>;
    public readonly poolName: pulumi.Output<string>;
    public readonly poolPrivateHost: pulumi.Output<string>;
    public readonly poolPort: pulumi.Output<number>;
    /** Through pgbouncer in transaction mode, for the application's requests (secret). */
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
        const db = new digitalocean.DatabaseDb(`${name}-db`, { clusterId: cluster.id, name: args.databaseName }, kept);
        const user = new digitalocean.DatabaseUser(`${name}-user`, { clusterId: cluster.id, name: args.userName }, { parent: this });
        const pool = new digitalocean.DatabaseConnectionPool(
            `${name}-pool`,
            { clusterId: cluster.id, name: `${args.databaseName}-pool`, mode: "transaction", size: args.poolSize, dbName: db.name, user: user.name },
            { parent: this },
        );
        new digitalocean.DatabaseFirewall(
            `${name}-firewall`,
            { clusterId: cluster.id, rules: [{ type: "k8s", value: args.kubernetesClusterId }] },
            { parent: this },
        );

        const appUserUri = (host: pulumi.Output<string>, port: pulumi.Output<number>, database: pulumi.Output<string>) =>
            pulumi.secret(
                pulumi
                    .all([user.name, user.password, host, port, database])
                    .apply(([u, password, h, p, d]) => postgresUri({ user: u, password, host: h, port: p, database: d })),
            );

        this.clusterId = cluster.id;
        this.privateHost = cluster.privateHost;
        this.port = cluster.port;
        this.database = db.name;
        this.user = user.name;
        this.privateUri = appUserUri(cluster.privateHost, cluster.port, db.name);
        this.poolName = pool.name;
        this.poolPrivateHost = pool.privateHost;
        this.poolPort = pool.port;
        // Clients of a DigitalOcean pool name the pool as their database.
        this.poolPrivateUri = appUserUri(pool.privateHost, pool.port, pool.name);

        this.registerOutputs({
            clusterId: this.clusterId,
            privateHost: this.privateHost,
            port: this.port,
            database: this.database,
            user: this.user,
            poolName: this.poolName,
        });
    }
}

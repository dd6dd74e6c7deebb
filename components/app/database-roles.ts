import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "fs";
import * as path from "path";
import { AppScope } from "./namespace";
import { awaitedJob, POD_SECURITY, RESTRICTED_CONTAINER, TMP_MOUNT, TMP_VOLUME } from "./workload";

/**
 * psql for the grants: the official image at the newest PostgreSQL 17 patch of its versions.json
 * (docker-library/postgres); psql 17 speaks to the servers of both dbVersion 16 and 17. It runs
 * as the image's postgres user (uid 70 in the alpine variant).
 */
export const PSQL_IMAGE = "postgres:17.9-alpine";
const PSQL_UID = 70;

/** The SQL the Job runs: as doadmin, then as the owner role (components/app/sql/). */
export const ROLE_GRANTS = {
    admin: readFileSync(path.join(__dirname, "sql", "admin.sql"), "utf8"),
    owner: readFileSync(path.join(__dirname, "sql", "owner.sql"), "utf8"),
};

export interface DatabaseRolesArgs {
    /** The app's database, and its two roles. */
    database: pulumi.Input<string>;
    owner: pulumi.Input<string>;
    runtime: pulumi.Input<string>;
    /** doadmin on the app's database, direct (secret): used by this Job only. */
    adminUrl: pulumi.Input<string>;
    /** The owner role on the app's database, direct (secret). */
    ownerUrl: pulumi.Input<string>;
}

/** The shell the container runs: admin.sql as doadmin, then owner.sql as the owner; psql stops at the first error. */
export const ROLE_GRANTS_SCRIPT = [
    'psql "$ADMIN_DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -v database="$DATABASE" -v owner="$OWNER" -v runtime="$RUNTIME" -f /sql/admin.sql',
    'psql "$OWNER_DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -v runtime="$RUNTIME" -f /sql/owner.sql',
].join(" && ");

/**
 * The Job that gives the app's roles what they need on a database DigitalOcean's API created:
 * the database belongs to doadmin, and since PostgreSQL 15 only its owner may create in schema
 * public. It runs before the migrations, in the cluster (the database's firewall admits only the
 * cluster), with doadmin's credentials in a Secret of its own; a Job's spec cannot change, so it
 * runs again only when the SQL, the image or the credentials change (the grants are idempotent).
 */
export function createDatabaseRoles(scope: AppScope, args: DatabaseRolesArgs): k8s.batch.v1.Job {
    const { name, namespace, labels } = scope;
    const sql = new k8s.core.v1.ConfigMap(
        `${name}-db-roles-sql`,
        { metadata: { namespace, labels: labels.labels("roles") }, data: { "admin.sql": ROLE_GRANTS.admin, "owner.sql": ROLE_GRANTS.owner } },
        scope.opts,
    );
    const credentials = new k8s.core.v1.Secret(
        `${name}-db-roles`,
        {
            metadata: { namespace, labels: labels.labels("roles") },
            type: "Opaque",
            stringData: {
                ADMIN_DATABASE_URL: pulumi.secret(args.adminUrl),
                OWNER_DATABASE_URL: pulumi.secret(args.ownerUrl),
            },
        },
        scope.opts,
    );
    return awaitedJob(scope, "db-roles", "roles", {
        backoffLimit: 3,
        deadlineSeconds: 300,
        pod: {
            securityContext: { ...POD_SECURITY, runAsUser: PSQL_UID, runAsGroup: PSQL_UID },
            containers: [
                {
                    name: "grants",
                    image: PSQL_IMAGE,
                    command: ["sh", "-ec", ROLE_GRANTS_SCRIPT],
                    env: [
                        { name: "DATABASE", value: args.database },
                        { name: "OWNER", value: args.owner },
                        { name: "RUNTIME", value: args.runtime },
                        { name: "HOME", value: "/tmp" },
                    ],
                    envFrom: [{ secretRef: { name: credentials.metadata.name } }],
                    resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
                    securityContext: RESTRICTED_CONTAINER,
                    volumeMounts: [{ name: "sql", mountPath: "/sql", readOnly: true }, TMP_MOUNT],
                },
            ],
            volumes: [{ name: "sql", configMap: { name: sql.metadata.name } }, TMP_VOLUME],
        },
    });
}

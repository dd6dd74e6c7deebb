import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AppScope } from "./namespace";
import { APP_PORT } from "./web";
import { contentHash } from "./workload";

export interface AppEnvArgs {
    hostnames: string[];
    /** Plain environment variables (the ConfigMap). */
    env: Record<string, string>;
    /** Secret environment variables (a Pulumi secret). */
    secretEnv: pulumi.Input<Record<string, string>>;
    /** Through the connection pool (secret). */
    databaseUrl: pulumi.Input<string>;
    /** Direct connection, for migrations (secret). */
    migrationDatabaseUrl: pulumi.Input<string>;
    /** .dockerconfigjson for the registry (secret). */
    registryDockerConfigJson: pulumi.Input<string>;
    gunicornWorkers: number;
}

export interface AppEnv {
    /** The registry's pull secret. */
    readonly pullSecret: k8s.core.v1.Secret;
    /** Digest of the ConfigMap's data: on the web pods, so a change rolls them. */
    readonly configHash: string;
    /** The app's environment: the ConfigMap, then the Secret (with DATABASE_URL through the pool). */
    readonly envFrom: k8s.types.input.core.v1.EnvFromSource[];
    /** DATABASE_URL, the direct connection: the migrations put it after `envFrom`. */
    readonly migrationSecret: k8s.core.v1.Secret;
}

/**
 * The app's environment: the registry pull secret, the ConfigMap (env plus the host names,
 * port and worker count), the Secret (secret env, the pooled DATABASE_URL and a generated
 * SECRET_KEY) and the migrations' Secret with the direct DATABASE_URL.
 */
export function createAppEnv(scope: AppScope, args: AppEnvArgs): AppEnv {
    const { name, namespace, labels, opts } = scope;
    const pullSecret = new k8s.core.v1.Secret(
        `${name}-registry`,
        {
            metadata: scope.metadata("registry", "web"),
            type: "kubernetes.io/dockerconfigjson",
            stringData: { ".dockerconfigjson": pulumi.secret(args.registryDockerConfigJson) },
        },
        opts,
    );

    // Named by Pulumi with a suffix, and replaced on change: a new name rolls the pods.
    const configData: Record<string, string> = {
        ...args.env,
        ALLOWED_HOSTS: args.hostnames.join(","),
        CSRF_TRUSTED_ORIGINS: args.hostnames.map((h) => `https://${h}`).join(","),
        PORT: String(APP_PORT),
        GUNICORN_WORKERS: String(args.gunicornWorkers),
    };
    const config = new k8s.core.v1.ConfigMap(
        `${name}-config`,
        { metadata: { namespace, labels: labels.labels("web") }, data: configData },
        opts,
    );

    const secretKey = new random.RandomPassword(
        `${name}-django-secret-key`,
        { length: 64, special: true, overrideSpecial: "!#%*()-_=+[]{}:?" },
        { parent: opts.parent },
    );
    const secret = new k8s.core.v1.Secret(
        `${name}-secret`,
        {
            metadata: { namespace, labels: labels.labels("web") },
            type: "Opaque",
            stringData: pulumi.secret(
                pulumi
                    .all([args.secretEnv, args.databaseUrl, secretKey.result])
                    .apply(([extra, databaseUrl, key]) => ({ ...extra, DATABASE_URL: databaseUrl, SECRET_KEY: key })),
            ),
        },
        opts,
    );
    const migrationSecret = new k8s.core.v1.Secret(
        `${name}-migration-secret`,
        {
            metadata: { namespace, labels: labels.labels("migrate") },
            type: "Opaque",
            stringData: { DATABASE_URL: pulumi.secret(args.migrationDatabaseUrl) },
        },
        opts,
    );

    return {
        pullSecret,
        configHash: contentHash(configData),
        envFrom: [{ configMapRef: { name: config.metadata.name } }, { secretRef: { name: secret.metadata.name } }],
        migrationSecret,
    };
}

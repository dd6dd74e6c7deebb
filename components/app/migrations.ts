import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppScope } from "./namespace";
import { awaitedJob, ComputeResources, POD_SECURITY, RESTRICTED_CONTAINER, TMP_MOUNT, TMP_VOLUME } from "./workload";

export interface MigrationsArgs {
    /** The app's image by tag or digest. */
    image: pulumi.Input<string>;
    command: string[];
    /** The app's environment (AppEnv.envFrom). */
    envFrom: k8s.types.input.core.v1.EnvFromSource[];
    /** The Secret with the direct DATABASE_URL: it comes last, so it wins. */
    migrationSecretName: pulumi.Input<string>;
    pullSecretName: pulumi.Input<string>;
    resources: ComputeResources;
    /** The Job runs after these (the database roles' grants). */
    dependsOn: pulumi.Resource[];
}

/**
 * The migrations Job, with the app's image and environment and the direct database connection.
 * Pulumi awaits its completion; the web Deployment waits for it.
 */
export function createMigrations(scope: AppScope, args: MigrationsArgs): k8s.batch.v1.Job {
    // A new image changes the Job's spec, so the migrations run again.
    return awaitedJob(scope, "migrate", "migrate", {
        backoffLimit: 2,
        deadlineSeconds: 900,
        dependsOn: args.dependsOn,
        pod: {
            securityContext: POD_SECURITY,
            imagePullSecrets: [{ name: args.pullSecretName }],
            containers: [
                {
                    name: "migrate",
                    image: args.image,
                    command: args.command,
                    // The last source wins: DATABASE_URL is the direct connection here.
                    envFrom: [...args.envFrom, { secretRef: { name: args.migrationSecretName } }],
                    resources: args.resources,
                    securityContext: RESTRICTED_CONTAINER,
                    volumeMounts: [TMP_MOUNT],
                },
            ],
            volumes: [TMP_VOLUME],
        },
    });
}

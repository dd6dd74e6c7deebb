// What the app's pods share: security contexts, the tmp volume, probes, the config hash, Services.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { AppComponent } from "./labels";
import { AppScope } from "./namespace";

export interface ComputeResources {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
}

/** Every pod: not root, the runtime's default seccomp profile. */
export const POD_SECURITY = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };

/** Every container: the restricted pod security standard with a read-only root filesystem. */
export const RESTRICTED_CONTAINER: k8s.types.input.core.v1.SecurityContext = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
};

/** The one writable place of a container. */
export const TMP_VOLUME = { name: "tmp", emptyDir: { sizeLimit: "64Mi" } };
export const TMP_MOUNT = { name: "tmp", mountPath: "/tmp" };

/** On a Job: one that failed is replaced on the next `pulumi up` instead of awaited again. */
export const REPLACE_UNREADY = { "pulumi.com/replaceUnready": "true" };

export interface AwaitedJobArgs {
    backoffLimit: number;
    /** The Job's activeDeadlineSeconds; Pulumi waits a minute longer. */
    deadlineSeconds: number;
    /** The pod's spec: restartPolicy Never, no service-account token and the worker pool's nodes are added. */
    pod: k8s.types.input.core.v1.PodSpec;
    /** The Job runs after these (by default after the namespace, as every object of the app). */
    dependsOn?: pulumi.Resource[];
}

/**
 * A Job of the app that Pulumi awaits to completion: a failed one is replaced on the next
 * `pulumi up` instead of awaited again, and, since a Job's spec cannot change, any change of it
 * replaces the Job and runs it again.
 */
export function awaitedJob(scope: AppScope, suffix: string, component: AppComponent, args: AwaitedJobArgs): k8s.batch.v1.Job {
    const minutes = `${Math.ceil(args.deadlineSeconds / 60) + 1}m`;
    return new k8s.batch.v1.Job(
        `${scope.name}-${suffix}`,
        {
            metadata: { namespace: scope.namespace, labels: scope.labels.labels(component), annotations: REPLACE_UNREADY },
            spec: {
                backoffLimit: args.backoffLimit,
                activeDeadlineSeconds: args.deadlineSeconds,
                template: {
                    metadata: { labels: scope.labels.selector(component) },
                    spec: { restartPolicy: "Never", automountServiceAccountToken: false, nodeSelector: scope.nodeSelector, ...args.pod },
                },
            },
        },
        { ...scope.opts, dependsOn: args.dependsOn ?? scope.opts.dependsOn, customTimeouts: { create: minutes, update: minutes } },
    );
}

/** An HTTP probe on the container's `http` port. */
export function httpProbe(path: string, periodSeconds: number, failureThreshold: number) {
    return {
        httpGet: { path, port: "http" },
        periodSeconds,
        timeoutSeconds: 3,
        failureThreshold,
    };
}

/** A stable digest of non-secret data: changes roll the pods that use it. */
export function contentHash(data: Record<string, string>): string {
    const canonical = JSON.stringify(Object.keys(data).sort().map((k) => [k, data[k]]));
    return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

/** A ClusterIP Service named after the component, in front of its pods' `http` port. */
export function clusterIpService(scope: AppScope, component: AppComponent, port: number): k8s.core.v1.Service {
    return new k8s.core.v1.Service(
        `${scope.name}-${component}`,
        {
            metadata: scope.metadata(component, component),
            spec: {
                type: "ClusterIP",
                selector: scope.labels.selector(component),
                ports: [{ name: "http", port, targetPort: "http", protocol: "TCP" }],
            },
        },
        scope.opts,
    );
}

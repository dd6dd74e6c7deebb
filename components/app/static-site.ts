import * as k8s from "@pulumi/kubernetes";
import { AppScope } from "./namespace";
import { clusterIpService, contentHash, httpProbe, POD_SECURITY, REPLACE_UNREADY, RESTRICTED_CONTAINER, TMP_MOUNT, TMP_VOLUME } from "./workload";

export const STATIC_PORT = 8080;
/** Where the static server and the git-sync pods mount the content volume. */
export const CONTENT_ROOT = "/content";
/** The symlink git-sync swaps atomically to the newest checkout. */
export const CONTENT_LINK = "current";

export const IMAGES = {
    staticServer: "nginxinc/nginx-unprivileged:1.29.4-alpine",
    gitSync: "registry.k8s.io/git-sync/git-sync:v4.4.0",
} as const;

/** UIDs the two third-party images run as (nginx-unprivileged, git-sync). */
const NGINX_UID = 101;
const GIT_SYNC_UID = 65533;

/** DigitalOcean's block storage class: ReadWriteOnce volumes. */
export const STORAGE_CLASS = "do-block-storage";

export interface StaticContentArgs {
    repository: string;
    branch: string;
    /** Folder of the repository served at /static ("" for its root). */
    path: string;
    /** Cron schedule of the sync. */
    schedule: string;
    /** Size of the content volume (a Kubernetes quantity). */
    size: string;
}

export interface StaticSite {
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
}

/** The nginx server block: /static from the current checkout, nothing else. */
export function staticServerConfig(contentPath: string): string {
    const dir = [CONTENT_ROOT, CONTENT_LINK, contentPath].filter((p) => p !== "").join("/");
    return [
        "server {",
        `    listen ${STATIC_PORT};`,
        "    server_tokens off;",
        "    location = /healthz { access_log off; default_type text/plain; return 200 \"ok\\n\"; }",
        "    location /static/ {",
        `        alias ${dir}/;`,
        "        autoindex off;",
        "        expires 1h;",
        "    }",
        "    location / { return 404; }",
        "}",
        "",
    ].join("\n");
}

/**
 * The static site: a content volume, the nginx server in front of it with its Service, and
 * git-sync filling it from the repository once at deploy (a Job) and then on a schedule (a CronJob).
 */
export function createStaticSite(scope: AppScope, args: StaticContentArgs): StaticSite {
    const { name, namespace, labels } = scope;
    const staticServer = labels.selector("static");

    // One RWO volume, so the server and both sync workloads share one node.
    const claim = new k8s.core.v1.PersistentVolumeClaim(
        `${name}-static-content`,
        {
            metadata: scope.metadata("static-content", "static"),
            spec: {
                accessModes: ["ReadWriteOnce"],
                storageClassName: STORAGE_CLASS,
                resources: { requests: { storage: args.size } },
            },
        },
        scope.opts,
    );
    const contentVolume = (readOnly: boolean) => ({
        name: "content",
        persistentVolumeClaim: { claimName: claim.metadata.name, readOnly },
    });
    const serverConfigData = { "default.conf": staticServerConfig(args.path) };
    const serverConfig = new k8s.core.v1.ConfigMap(
        `${name}-static-server`,
        { metadata: { namespace, labels: labels.labels("static") }, data: serverConfigData },
        scope.opts,
    );
    const deployment = new k8s.apps.v1.Deployment(
        `${name}-static`,
        {
            metadata: scope.metadata("static", "static"),
            spec: {
                replicas: 1,
                // The volume attaches to one node at a time: stop the old pod before the new one.
                strategy: { type: "Recreate" },
                selector: { matchLabels: staticServer },
                template: {
                    metadata: {
                        labels: labels.labels("static"),
                        annotations: { "django-doks/config-hash": contentHash(serverConfigData) },
                    },
                    spec: {
                        automountServiceAccountToken: false,
                        securityContext: { ...POD_SECURITY, runAsUser: NGINX_UID, runAsGroup: NGINX_UID },
                        nodeSelector: scope.nodeSelector,
                        containers: [
                            {
                                name: "nginx",
                                image: IMAGES.staticServer,
                                command: ["nginx", "-g", "daemon off;"],
                                ports: [{ name: "http", containerPort: STATIC_PORT, protocol: "TCP" }],
                                resources: {
                                    requests: { cpu: "20m", memory: "32Mi" },
                                    limits: { cpu: "200m", memory: "128Mi" },
                                },
                                readinessProbe: httpProbe("/healthz", 10, 3),
                                livenessProbe: httpProbe("/healthz", 20, 3),
                                securityContext: RESTRICTED_CONTAINER,
                                volumeMounts: [
                                    { name: "content", mountPath: CONTENT_ROOT, readOnly: true },
                                    { name: "server-config", mountPath: "/etc/nginx/conf.d", readOnly: true },
                                    TMP_MOUNT,
                                ],
                            },
                        ],
                        volumes: [
                            contentVolume(true),
                            { name: "server-config", configMap: { name: serverConfig.metadata.name } },
                            TMP_VOLUME,
                        ],
                    },
                },
            },
        },
        scope.opts,
    );
    const service = clusterIpService(scope, "static", STATIC_PORT);

    const syncPod = {
        metadata: { labels: labels.labels("sync") },
        spec: {
            restartPolicy: "OnFailure",
            automountServiceAccountToken: false,
            securityContext: {
                ...POD_SECURITY,
                runAsUser: GIT_SYNC_UID,
                runAsGroup: GIT_SYNC_UID,
                fsGroup: GIT_SYNC_UID,
                fsGroupChangePolicy: "OnRootMismatch",
            },
            nodeSelector: scope.nodeSelector,
            affinity: {
                podAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [
                        { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: staticServer } },
                    ],
                },
            },
            containers: [
                {
                    name: "git-sync",
                    image: IMAGES.gitSync,
                    env: [
                        { name: "GITSYNC_REPO", value: args.repository },
                        { name: "GITSYNC_REF", value: args.branch },
                        { name: "GITSYNC_ROOT", value: CONTENT_ROOT },
                        // Checks out into a new worktree, then swaps this symlink atomically.
                        { name: "GITSYNC_LINK", value: CONTENT_LINK },
                        { name: "GITSYNC_DEPTH", value: "1" },
                        // Each pod syncs once and exits; the CronJob repeats it.
                        { name: "GITSYNC_ONE_TIME", value: "true" },
                        { name: "HOME", value: "/tmp" },
                    ],
                    resources: {
                        requests: { cpu: "50m", memory: "64Mi" },
                        limits: { cpu: "500m", memory: "256Mi" },
                    },
                    securityContext: RESTRICTED_CONTAINER,
                    volumeMounts: [{ name: "content", mountPath: CONTENT_ROOT }, TMP_MOUNT],
                },
            ],
            volumes: [contentVolume(false), TMP_VOLUME],
        },
    };
    new k8s.batch.v1.Job(
        `${name}-static-sync-init`,
        {
            metadata: { namespace, labels: labels.labels("sync"), annotations: REPLACE_UNREADY },
            spec: { backoffLimit: 4, activeDeadlineSeconds: 600, template: syncPod },
        },
        { ...scope.opts, dependsOn: [deployment], customTimeouts: { create: "11m", update: "11m" } },
    );
    new k8s.batch.v1.CronJob(
        `${name}-static-sync`,
        {
            metadata: scope.metadata("static-sync", "sync"),
            spec: {
                schedule: args.schedule,
                concurrencyPolicy: "Forbid",
                startingDeadlineSeconds: 300,
                successfulJobsHistoryLimit: 1,
                failedJobsHistoryLimit: 3,
                jobTemplate: {
                    spec: { backoffLimit: 2, activeDeadlineSeconds: 600, template: syncPod },
                },
            },
        },
        { ...scope.opts, dependsOn: [deployment] },
    );
    return { deployment, service };
}

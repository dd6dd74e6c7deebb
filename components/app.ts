import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createHash } from "crypto";
import { UNHEALTHY_POD_EVICTION_POLICY } from "./disruption";

/** The app's namespace: everything of the workload lives in it. */
export const APP_NAMESPACE = "django";
export const APP_PORT = 8080;
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

export interface Route {
    path: string;
    /** "app", "static" or the name of another Service in the app namespace. */
    service: string;
    port?: number;
}

export interface ComputeResources {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
}

export interface StaticContentArgs {
    repository: string;
    branch: string;
    /** Folder of the repository served at /static ("" for its root). */
    path: string;
    schedule: string;
    size: string;
}

export interface AppArgs {
    provider: k8s.Provider;
    namespace: string;
    /** Instance label: the stack. */
    instance: string;
    /** Image by tag or digest. */
    image: pulumi.Input<string>;
    hostnames: string[];
    env: Record<string, string>;
    /** Secret environment variables (a Pulumi secret). */
    secretEnv: pulumi.Input<Record<string, string>>;
    /** Through the connection pool (secret). */
    databaseUrl: pulumi.Input<string>;
    /** Direct connection, for migrations (secret). */
    migrationDatabaseUrl: pulumi.Input<string>;
    /** Where the database listens: the VPC range and the direct and pool ports. */
    database: { cidr: pulumi.Input<string>; ports: pulumi.Input<number>[] };
    /** .dockerconfigjson for the registry (secret). */
    registryDockerConfigJson: pulumi.Input<string>;
    ingressClassName: pulumi.Input<string>;
    ingressNamespace: pulumi.Input<string>;
    clusterIssuer: pulumi.Input<string>;
    /** Resolves once DNS points at the load balancer: the Ingress (and its certificate) waits for it. */
    dnsReady: pulumi.Input<string>;
    routes: Route[];
    scaling: {
        minReplicas: number;
        maxReplicas: number;
        autoscaling: boolean;
        cpuUtilization: number;
        memoryUtilization: number;
    };
    resources: ComputeResources;
    probes: { liveness: string; readiness: string; startup: string };
    gunicornWorkers: number;
    migrateCommand: string[];
    staticContent: StaticContentArgs;
    /** "restricted": pods reach only DNS, the database (app) and HTTPS (git-sync). */
    egress: "restricted" | "open";
}

const RESTRICTED_CONTAINER: k8s.types.input.core.v1.SecurityContext = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
};

const TMP_VOLUME = { name: "tmp", emptyDir: { sizeLimit: "64Mi" } };
const TMP_MOUNT = { name: "tmp", mountPath: "/tmp" };

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

/** A stable digest of non-secret data: changes roll the pods that use it. */
export function contentHash(data: Record<string, string>): string {
    const canonical = JSON.stringify(Object.keys(data).sort().map((k) => [k, data[k]]));
    return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

/**
 * The Django application and its static site: configuration, secrets, migrations, the web
 * Deployment with its Service, Ingress, autoscaler and disruption budget, the static-content
 * volume with its nginx server and git sync, and the namespace's network policies.
 */
export class App extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly deploymentName: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    public readonly ingressName: pulumi.Output<string>;

    constructor(name: string, args: AppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("django-doks:app:App", name, {}, opts);
        const partOf = { "app.kubernetes.io/part-of": "django-doks", "app.kubernetes.io/instance": args.instance };
        const labels = (component: string) => ({
            "app.kubernetes.io/name": "django",
            "app.kubernetes.io/component": component,
            ...partOf,
        });
        const selector = (component: string) => ({
            "app.kubernetes.io/name": "django",
            "app.kubernetes.io/component": component,
            "app.kubernetes.io/instance": args.instance,
        });
        const web = selector("web");
        const staticServer = selector("static");

        const ns = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            {
                metadata: {
                    name: args.namespace,
                    labels: {
                        ...partOf,
                        "pod-security.kubernetes.io/enforce": "restricted",
                        "pod-security.kubernetes.io/warn": "restricted",
                    },
                },
            },
            { parent: this, provider: args.provider },
        );
        // The literal name, known at preview (policies read it), and every object after the Namespace.
        const namespace = pulumi.output(args.namespace);
        const k = { parent: this, provider: args.provider, dependsOn: [ns] };
        const meta = (n: string, component: string) => ({ name: n, namespace, labels: labels(component) });

        const pullSecret = new k8s.core.v1.Secret(
            `${name}-registry`,
            {
                metadata: meta("registry", "web"),
                type: "kubernetes.io/dockerconfigjson",
                stringData: { ".dockerconfigjson": pulumi.secret(args.registryDockerConfigJson) },
            },
            k,
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
            { metadata: { namespace, labels: labels("web") }, data: configData },
            k,
        );

        const secretKey = new random.RandomPassword(
            `${name}-django-secret-key`,
            { length: 64, special: true, overrideSpecial: "!#%*()-_=+[]{}:?" },
            { parent: this },
        );
        const secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: { namespace, labels: labels("web") },
                type: "Opaque",
                stringData: pulumi.secret(
                    pulumi
                        .all([args.secretEnv, args.databaseUrl, secretKey.result])
                        .apply(([extra, databaseUrl, key]) => ({ ...extra, DATABASE_URL: databaseUrl, SECRET_KEY: key })),
                ),
            },
            k,
        );
        const migrationSecret = new k8s.core.v1.Secret(
            `${name}-migration-secret`,
            {
                metadata: { namespace, labels: labels("migrate") },
                type: "Opaque",
                stringData: { DATABASE_URL: pulumi.secret(args.migrationDatabaseUrl) },
            },
            k,
        );

        const podSecurity = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
        const appEnvFrom = [{ configMapRef: { name: config.metadata.name } }, { secretRef: { name: secret.metadata.name } }];
        const resources = args.resources;

        // A Job's spec cannot change: the provider replaces it, so a new image runs the migrations again.
        // A Job that failed is replaced on the next `pulumi up` instead of awaited again.
        const replaceUnready = { "pulumi.com/replaceUnready": "true" };
        const migrations = new k8s.batch.v1.Job(
            `${name}-migrate`,
            {
                metadata: { namespace, labels: labels("migrate"), annotations: replaceUnready },
                spec: {
                    backoffLimit: 2,
                    activeDeadlineSeconds: 900,
                    template: {
                        metadata: { labels: selector("migrate") },
                        spec: {
                            restartPolicy: "Never",
                            automountServiceAccountToken: false,
                            securityContext: podSecurity,
                            imagePullSecrets: [{ name: pullSecret.metadata.name }],
                            containers: [
                                {
                                    name: "migrate",
                                    image: args.image,
                                    command: args.migrateCommand,
                                    // The last source wins: DATABASE_URL is the direct connection here.
                                    envFrom: [...appEnvFrom, { secretRef: { name: migrationSecret.metadata.name } }],
                                    resources,
                                    securityContext: RESTRICTED_CONTAINER,
                                    volumeMounts: [TMP_MOUNT],
                                },
                            ],
                            volumes: [TMP_VOLUME],
                        },
                    },
                },
            },
            // Pulumi awaits the Job's completion; allow the whole activeDeadlineSeconds.
            { ...k, customTimeouts: { create: "16m", update: "16m" } },
        );

        const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
            httpGet: { path, port: "http" },
            periodSeconds,
            timeoutSeconds: 3,
            failureThreshold,
        });
        const deployment = new k8s.apps.v1.Deployment(
            `${name}-web`,
            {
                metadata: meta("web", "web"),
                spec: {
                    // With the HPA on, replicas is the HPA's field alone (see README, "Scaling").
                    replicas: args.scaling.autoscaling ? undefined : args.scaling.minReplicas,
                    selector: { matchLabels: web },
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                    template: {
                        metadata: {
                            labels: labels("web"),
                            annotations: { "django-doks/config-hash": contentHash(configData) },
                        },
                        spec: {
                            automountServiceAccountToken: false,
                            securityContext: podSecurity,
                            imagePullSecrets: [{ name: pullSecret.metadata.name }],
                            terminationGracePeriodSeconds: 30,
                            topologySpreadConstraints: [
                                {
                                    maxSkew: 1,
                                    topologyKey: "kubernetes.io/hostname",
                                    whenUnsatisfiable: "ScheduleAnyway",
                                    labelSelector: { matchLabels: web },
                                },
                            ],
                            containers: [
                                {
                                    name: "django",
                                    image: args.image,
                                    ports: [{ name: "http", containerPort: APP_PORT, protocol: "TCP" }],
                                    envFrom: appEnvFrom,
                                    resources,
                                    startupProbe: probe(args.probes.startup, 5, 30),
                                    readinessProbe: probe(args.probes.readiness, 10, 3),
                                    livenessProbe: probe(args.probes.liveness, 20, 3),
                                    // Endpoints drop the pod before it stops taking requests.
                                    lifecycle: { preStop: { sleep: { seconds: 5 } } },
                                    securityContext: RESTRICTED_CONTAINER,
                                    volumeMounts: [TMP_MOUNT],
                                },
                            ],
                            volumes: [TMP_VOLUME],
                        },
                    },
                },
            },
            { ...k, dependsOn: [migrations] },
        );

        const clusterIpService = (component: string, selector: Record<string, string>, port: number) =>
            new k8s.core.v1.Service(
                `${name}-${component}`,
                {
                    metadata: meta(component, component),
                    spec: { type: "ClusterIP", selector, ports: [{ name: "http", port, targetPort: "http", protocol: "TCP" }] },
                },
                k,
            );
        const service = clusterIpService("web", web, APP_PORT);

        if (args.scaling.autoscaling) {
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(
                `${name}-web`,
                {
                    metadata: meta("web", "web"),
                    spec: {
                        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
                        minReplicas: args.scaling.minReplicas,
                        maxReplicas: args.scaling.maxReplicas,
                        metrics: (["cpu", "memory"] as const).map((resource) => ({
                            type: "Resource",
                            resource: {
                                name: resource,
                                target: {
                                    type: "Utilization",
                                    averageUtilization:
                                        resource === "cpu" ? args.scaling.cpuUtilization : args.scaling.memoryUtilization,
                                },
                            },
                        })),
                    },
                },
                k,
            );
        }
        if (args.scaling.minReplicas >= 2) {
            new k8s.policy.v1.PodDisruptionBudget(
                `${name}-web`,
                {
                    metadata: meta("web", "web"),
                    spec: { minAvailable: 1, unhealthyPodEvictionPolicy: UNHEALTHY_POD_EVICTION_POLICY, selector: { matchLabels: web } },
                },
                k,
            );
        }

        // Static content: one RWO volume, so the server and both sync workloads share one node.
        const claim = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-static-content`,
            {
                metadata: meta("static-content", "static"),
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: STORAGE_CLASS,
                    resources: { requests: { storage: args.staticContent.size } },
                },
            },
            k,
        );
        const contentVolume = (readOnly: boolean) => ({
            name: "content",
            persistentVolumeClaim: { claimName: claim.metadata.name, readOnly },
        });
        const serverConfigData = { "default.conf": staticServerConfig(args.staticContent.path) };
        const serverConfig = new k8s.core.v1.ConfigMap(
            `${name}-static-server`,
            { metadata: { namespace, labels: labels("static") }, data: serverConfigData },
            k,
        );
        const staticDeployment = new k8s.apps.v1.Deployment(
            `${name}-static`,
            {
                metadata: meta("static", "static"),
                spec: {
                    replicas: 1,
                    // The volume attaches to one node at a time: stop the old pod before the new one.
                    strategy: { type: "Recreate" },
                    selector: { matchLabels: staticServer },
                    template: {
                        metadata: {
                            labels: labels("static"),
                            annotations: { "django-doks/config-hash": contentHash(serverConfigData) },
                        },
                        spec: {
                            automountServiceAccountToken: false,
                            securityContext: { ...podSecurity, runAsUser: NGINX_UID, runAsGroup: NGINX_UID },
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
                                    readinessProbe: probe("/healthz", 10, 3),
                                    livenessProbe: probe("/healthz", 20, 3),
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
            k,
        );
        const staticService = clusterIpService("static", staticServer, STATIC_PORT);

        const syncPod = (oneTime: string) => ({
            metadata: { labels: labels("sync") },
            spec: {
                restartPolicy: "OnFailure",
                automountServiceAccountToken: false,
                securityContext: {
                    ...podSecurity,
                    runAsUser: GIT_SYNC_UID,
                    runAsGroup: GIT_SYNC_UID,
                    fsGroup: GIT_SYNC_UID,
                    fsGroupChangePolicy: "OnRootMismatch",
                },
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
                            { name: "GITSYNC_REPO", value: args.staticContent.repository },
                            { name: "GITSYNC_REF", value: args.staticContent.branch },
                            { name: "GITSYNC_ROOT", value: CONTENT_ROOT },
                            // Checks out into a new worktree, then swaps this symlink atomically.
                            { name: "GITSYNC_LINK", value: CONTENT_LINK },
                            { name: "GITSYNC_DEPTH", value: "1" },
                            { name: "GITSYNC_ONE_TIME", value: oneTime },
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
        });
        new k8s.batch.v1.Job(
            `${name}-static-sync-init`,
            {
                metadata: { namespace, labels: labels("sync"), annotations: replaceUnready },
                spec: { backoffLimit: 4, activeDeadlineSeconds: 600, template: syncPod("true") },
            },
            { ...k, dependsOn: [staticDeployment], customTimeouts: { create: "11m", update: "11m" } },
        );
        new k8s.batch.v1.CronJob(
            `${name}-static-sync`,
            {
                metadata: meta("static-sync", "sync"),
                spec: {
                    schedule: args.staticContent.schedule,
                    concurrencyPolicy: "Forbid",
                    startingDeadlineSeconds: 300,
                    successfulJobsHistoryLimit: 1,
                    failedJobsHistoryLimit: 3,
                    jobTemplate: {
                        spec: { backoffLimit: 2, activeDeadlineSeconds: 600, template: syncPod("true") },
                    },
                },
            },
            { ...k, dependsOn: [staticDeployment] },
        );

        const backends: Record<string, { name: pulumi.Input<string>; port: number }> = {
            app: { name: service.metadata.name, port: APP_PORT },
            static: { name: staticService.metadata.name, port: STATIC_PORT },
        };
        const paths = args.routes.map((r) => {
            const known = backends[r.service];
            return {
                path: r.path,
                pathType: "Prefix",
                backend: { service: { name: known?.name ?? r.service, port: { number: r.port ?? known!.port } } },
            };
        });
        const ingress = new k8s.networking.v1.Ingress(
            `${name}-web`,
            {
                metadata: {
                    ...meta("web", "web"),
                    annotations: {
                        "cert-manager.io/cluster-issuer": args.clusterIssuer,
                        "nginx.ingress.kubernetes.io/ssl-redirect": "true",
                        // Created only once DNS answers with the load balancer, so HTTP-01 succeeds first time.
                        "django-doks/dns-ready": args.dnsReady,
                    },
                },
                spec: {
                    ingressClassName: args.ingressClassName,
                    tls: [{ hosts: args.hostnames, secretName: "web-tls" }],
                    rules: args.hostnames.map((host) => ({ host, http: { paths } })),
                },
            },
            k,
        );

        this.networkPolicies(name, args, k, namespace, { web, staticServer, migrate: selector("migrate"), sync: selector("sync") }, labels);

        this.namespace = namespace;
        this.deploymentName = deployment.metadata.name;
        this.serviceName = service.metadata.name;
        this.ingressName = ingress.metadata.name;
        this.registerOutputs({
            namespace: this.namespace,
            deploymentName: this.deploymentName,
            serviceName: this.serviceName,
            ingressName: this.ingressName,
        });
    }

    private networkPolicies(
        name: string,
        args: AppArgs,
        k: pulumi.CustomResourceOptions,
        namespace: pulumi.Output<string>,
        pods: Record<"web" | "staticServer" | "migrate" | "sync", Record<string, string>>,
        labels: (component: string) => Record<string, string>,
    ): void {
        const restricted = args.egress === "restricted";
        const policy = (suffix: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${suffix}`,
                { metadata: { name: suffix, namespace, labels: labels("network") }, spec },
                k,
            );
        const fromIngressController = (port: number) => ({
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.ingressNamespace } } }],
            ports: [{ protocol: "TCP", port }],
        });

        policy("default-deny", {
            podSelector: {},
            policyTypes: restricted ? ["Ingress", "Egress"] : ["Ingress"],
        });
        policy("web-from-ingress", {
            podSelector: { matchLabels: pods.web },
            policyTypes: ["Ingress"],
            ingress: [fromIngressController(APP_PORT)],
        });
        policy("static-from-ingress", {
            podSelector: { matchLabels: pods.staticServer },
            policyTypes: ["Ingress"],
            ingress: [fromIngressController(STATIC_PORT)],
        });
        // cert-manager's HTTP-01 solver pods answer Let's Encrypt through the ingress controller.
        policy("acme-solver-from-ingress", {
            podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
            policyTypes: ["Ingress"],
            ingress: [fromIngressController(8089)],
        });
        if (!restricted) return;

        policy("dns-egress", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] }],
        });
        for (const [suffix, selector] of [["web-to-database", pods.web], ["migrate-to-database", pods.migrate]] as const) {
            policy(suffix, {
                podSelector: { matchLabels: selector },
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [{ ipBlock: { cidr: args.database.cidr } }],
                        ports: args.database.ports.map((port) => ({ protocol: "TCP", port })),
                    },
                ],
            });
        }
        policy("sync-to-git", {
            podSelector: { matchLabels: pods.sync },
            policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }],
        });
    }
}

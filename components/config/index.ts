import * as pulumi from "@pulumi/pulumi";
import * as semver from "semver";
import { getDomain } from "tldts";
import { z } from "zod";
import { distance } from "fastest-levenshtein";
import { derivedNames, DO_NAME_MAX, resourceName } from "../naming";
import { isPrivateNetwork, nodeCapacity, overlap, reservedOverlaps } from "./networks";
import {
    acmeContactProblem,
    cronScheduleProblem,
    doksNodeSizeProblem,
    EXISTING_DATABASES,
    labelValueProblem,
    parseQuantity,
    POOL_NAME_MAX,
    poolConnectionLimit,
    requestAboveLimit,
    reservedUserProblem,
} from "./rules";

/** DigitalOcean regions that offer Kubernetes, managed databases and VPCs. */
export const REGIONS = [
    "ams3", "atl1", "blr1", "fra1", "lon1", "nyc1", "nyc3",
    "ric1", "sfo2", "sfo3", "sgp1", "syd1", "tor1",
] as const;

/** Regions where DigitalOcean Container Registry can store data. */
export const REGISTRY_REGIONS = ["ams3", "blr1", "fra1", "nyc3", "sfo2", "sfo3", "sgp1", "syd1"] as const;

export const POSTGRES_VERSIONS = ["16", "17"] as const;
export const MAINTENANCE_DAYS = [
    "any", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
] as const;

export const DEFAULT_CHARTS = {
    ingressNginx: "4.15.1",
    certManager: "v1.21.1",
    metricsServer: "3.13.1",
} as const;

type ChartKey = keyof typeof DEFAULT_CHARTS;

/**
 * The Kubernetes minors each pinned chart supports, from the project's own documentation for that
 * version (newest unset: no upper bound stated). A chart configured at another version is not checked.
 */
export const CHART_KUBERNETES_SUPPORT: Record<ChartKey, { chart: string; version: string; oldest: string; newest?: string; source: string }> = {
    // Controller v1.15.1, the last release; tested on 1.31 to 1.35 (the chart's kubeVersion, >=1.21.0-0, is only a floor).
    ingressNginx: { chart: "ingress-nginx", version: DEFAULT_CHARTS.ingressNginx, oldest: "1.31", newest: "1.35", source: "https://github.com/kubernetes/ingress-nginx#supported-versions-table" },
    certManager: { chart: "cert-manager", version: DEFAULT_CHARTS.certManager, oldest: "1.33", newest: "1.36", source: "https://cert-manager.io/docs/releases/" },
    // Chart 3.13.1 ships metrics-server 0.8.1; 0.8.x supports Kubernetes 1.31+.
    metricsServer: { chart: "metrics-server", version: DEFAULT_CHARTS.metricsServer, oldest: "1.31", source: "https://github.com/kubernetes-sigs/metrics-server#compatibility-matrix" },
};

const minorVersion = (minor: string) => semver.coerce(minor) as semver.SemVer;

/** The newest Kubernetes minor every pinned chart supports: the default kubernetesVersionPrefix. */
export const NEWEST_SUPPORTED_MINOR = Object.values(CHART_KUBERNETES_SUPPORT)
    .flatMap((c) => (c.newest === undefined ? [] : [c.newest]))
    .reduce((a, b) => (semver.lt(minorVersion(a), minorVersion(b)) ? a : b));

/** The pinned charts (at their pinned versions) that do not support a Kubernetes minor. */
export function chartsNotSupporting(minor: string, charts: Record<ChartKey, string>): string[] {
    const v = minorVersion(minor);
    return Object.entries(CHART_KUBERNETES_SUPPORT)
        .filter(([key, c]) => charts[key as ChartKey] === c.version)
        .filter(([, c]) => semver.lt(v, minorVersion(c.oldest)) || (c.newest !== undefined && semver.gt(v, minorVersion(c.newest))))
        .map(([, c]) => `${c.chart} ${c.version} (${c.oldest} to ${c.newest ?? "newer"})`);
}

const slug = /^[a-z0-9]+(-[a-z0-9]+)+$/;
const dnsLabel = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const pinnedVersion = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const pgIdentifier = /^[a-z_][a-z0-9_]{0,62}$/;
const fqdn =
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])$/;
const privateCidr =
    /^(10\.\d{1,3}\.\d{1,3}\.\d{1,3}|172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3})\/(1[6-9]|2[0-8])$/;

const ipv4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const resolverAddress = new RegExp(`${ipv4.source.slice(0, -1)}(:\\d{1,5})?$`);
/** A TCP/UDP port: 1 to 65535 (Kubernetes' IsValidPortNum, and what a socket can use). */
const validPort = (address: string) => {
    const port = address.split(":")[1];
    return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
};
const urlPath = /^\/[A-Za-z0-9._~\/-]*$/;
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const imageRef = /^[a-z0-9]+([._\/-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;

/** Variables the app component sets itself; user variables must not shadow them. */
export const RESERVED_ENV = ["DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "PORT", "GUNICORN_WORKERS"];

/**
 * Config keys read as Pulumi secrets, never parsed or printed with the rest. A dotted key is a
 * leaf of an object key (`pulumi config set --secret --path monitoring.slackWebhook ...`).
 */
export const SECRET_KEYS = ["namecheapPassword", "appSecrets", "monitoring.slackWebhook"] as const;

/**
 * Where DigitalOcean Uptime checks run from, as its API spells them (the SDK's doc comment
 * camel-cases them; the API takes these): https://docs.digitalocean.com/reference/terraform/reference/resources/uptime_check/
 */
export const UPTIME_REGIONS = ["us_east", "us_west", "eu_west", "se_asia"] as const;
/** How long an uptime alert's condition must hold (terraform-provider-digitalocean digitalocean/uptime/resource_uptime_alert.go). */
export const UPTIME_PERIODS = ["2m", "3m", "5m", "10m", "15m", "30m", "1h"] as const;
/** How long a resource alert's condition must hold (MonitorAlert `window`, @pulumi/digitalocean monitorAlert.d.ts). */
export const ALERT_WINDOWS = ["5m", "10m", "30m", "1h"] as const;
/** The alerts the monitoring creates, by the names monitoring.silenced takes (components/monitoring.ts). */
export const ALERT_NAMES = [
    "down", "latency", "cert-expiry",
    "node-cpu", "node-memory", "node-disk",
    "lb-5xx", "lb-latency", "lb-backends",
    "db-cpu", "db-memory", "db-disk",
] as const;

export const DEFAULT_RESOURCES = {
    requests: { cpu: "400m", memory: "200Mi" },
    limits: { cpu: "500m", memory: "512Mi" },
};

export const NAMECHEAP_DDNS_URL = "https://dynamicdns.park-your-domain.com";

const hostnameSchema = z
    .string()
    .regex(fqdn, { message: "a fully qualified lowercase domain name such as app.example.org" });

const isQuantity = (q: string) => parseQuantity(q) !== undefined;
const computeResources = z.strictObject({
    cpu: z.string().refine(isQuantity, { message: 'a CPU quantity such as "500m"' }),
    memory: z.string().refine(isQuantity, { message: 'a memory quantity such as "512Mi"' }),
});

/** Adds a custom issue with the message a rule returned, if any. */
const rule =
    (check: (v: string) => string | undefined) =>
    (v: string, ctx: z.core.$RefinementCtx<string>) => {
        const problem = check(v);
        if (problem !== undefined) ctx.addIssue({ code: "custom", input: v, message: problem });
    };

const percent = (fallback: number) => z.int().min(1).max(100).default(fallback);
const alertWindow = z.enum(ALERT_WINDOWS).default("10m");

const monitoringSchema = z
    .strictObject({
        enabled: z.boolean().default(true),
        alertEmails: z.array(z.email({ message: "an email address verified on the DigitalOcean account" })).max(20).default([]),
        /** Beside the secret monitoring.slackWebhook (read with the secrets). */
        slackChannel: z.string().regex(/^#?[a-z0-9][a-z0-9._-]{0,79}$/, { message: 'a Slack channel name such as "#ops-alerts"' }).optional(),
        uptime: z
            .strictObject({
                /** Checked on every host name; unset: the readiness path when the app serves it publicly, else "/". */
                path: z.string().regex(urlPath, { message: 'a path such as "/readyz"' }).optional(),
                regions: z.array(z.enum(UPTIME_REGIONS)).min(1).default([...UPTIME_REGIONS]),
                downPeriod: z.enum(UPTIME_PERIODS).default("5m"),
                latencyMs: z.int().min(100).max(30000).default(2000),
                latencyPeriod: z.enum(UPTIME_PERIODS).default("5m"),
                certExpiryDays: z.int().min(1).max(60).default(14),
            })
            .prefault({}),
        nodes: z
            .strictObject({
                cpuPercent: percent(85),
                memoryPercent: percent(85),
                diskPercent: percent(80),
                window: alertWindow,
            })
            .prefault({}),
        loadBalancer: z
            .strictObject({
                errorRate5xxPercent: percent(5),
                responseTimeSeconds: z.number().positive().max(60).default(2),
                unhealthyBackends: z.int().min(0).max(100).default(0),
                window: alertWindow,
            })
            .prefault({}),
        database: z
            .strictObject({
                cpuPercent: percent(85),
                memoryPercent: percent(90),
                diskPercent: percent(80),
                window: alertWindow,
            })
            .prefault({}),
        /** Alerts switched off without losing their settings (README, "Monitoring"). */
        silenced: z.array(z.enum(ALERT_NAMES)).default([]),
    })
    .superRefine((m, ctx) => {
        if (m.enabled && m.alertEmails.length === 0) {
            ctx.addIssue({
                code: "custom",
                path: ["alertEmails"],
                input: m.alertEmails,
                message:
                    'at least one address while monitoring.enabled is true: pulumi config set --path "monitoring.alertEmails[0]" <you@your-domain> ' +
                    "(or pulumi config set --path monitoring.enabled false)",
            });
        }
    })
    .prefault({});

const chartVersion = (chart: string) =>
    z.string().regex(pinnedVersion, {
        message: `a pinned ${chart} chart version such as "1.2.3" (no ranges, no "latest")`,
    });

export const configSchema = z
    .strictObject({
        region: z.enum(REGIONS).default("fra1"),
        vpcIpRange: z
            .string()
            .regex(privateCidr, { message: "a private IPv4 CIDR between /16 and /28, e.g. 10.20.0.0/16" })
            .optional(),
        // VPC-native networking (pods and Services on VPC-routable ranges); both or neither.
        clusterSubnet: z
            .string()
            .refine((c) => isPrivateNetwork(c, 15, 20), {
                message: "a private IPv4 network (RFC 1918) from /15 to /20, given by its network address, e.g. 172.25.0.0/16 (each node takes a /25 of it)",
            })
            .optional(),
        serviceSubnet: z
            .string()
            .refine((c) => isPrivateNetwork(c, 16, 22), {
                message: "a private IPv4 network (RFC 1918) from /16 to /22, given by its network address, e.g. 172.26.0.0/19 (one address per Service)",
            })
            .optional(),

        kubernetesVersionPrefix: z
            .string()
            .regex(/^\d+\.\d+\.?$/, { message: 'a minor version prefix such as "1.36" or "1.36."' })
            .transform((p) => (p.endsWith(".") ? p : `${p}.`))
            .default(`${NEWEST_SUPPORTED_MINOR}.`),
        acceptUnsupportedKubernetesVersion: z
            .string()
            .regex(/^\d+\.\d+$/, { message: 'the minor of kubernetesVersionPrefix, such as "1.36"' })
            .optional(),
        nodeSize: z
            .string()
            .regex(slug, { message: 'a DigitalOcean Droplet size slug such as "s-2vcpu-4gb"' })
            .superRefine(rule(doksNodeSizeProblem))
            .default("s-2vcpu-4gb"),
        nodeCount: z.int().min(1).max(512).default(3),
        nodeAutoscale: z
            .strictObject({
                minNodes: z.int().min(1).max(512),
                maxNodes: z.int().min(1).max(512),
            })
            .refine((a) => a.minNodes <= a.maxNodes, {
                message: "minNodes must not be greater than maxNodes",
            })
            .optional(),
        haControlPlane: z.boolean().default(false),
        autoUpgrade: z.boolean().default(true),
        surgeUpgrade: z.boolean().default(true),
        maintenanceWindow: z
            .strictObject({
                day: z.enum(MAINTENANCE_DAYS),
                startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, {
                    message: 'a UTC time as HH:MM, e.g. "04:00"',
                }),
            })
            .default({ day: "sunday", startTime: "04:00" }),
        destroyAllAssociatedResources: z.boolean().default(true),

        dbVersion: z.enum(POSTGRES_VERSIONS).default("17"),
        dbSize: z
            .string()
            .regex(/^db-[a-z0-9]+(-[a-z0-9]+)+$/, {
                message: 'a DigitalOcean database size slug such as "db-s-1vcpu-1gb"',
            })
            .default("db-s-1vcpu-1gb"),
        dbNodeCount: z.int().min(1).max(3).default(1),
        dbName: z
            .string()
            .regex(pgIdentifier, { message: "a PostgreSQL identifier: lowercase letters, digits, _" })
            .refine((d) => !EXISTING_DATABASES.includes(d), {
                message: `a database other than ${EXISTING_DATABASES.join(", ")}: every cluster already has them`,
            })
            .refine((d) => `${d}-pool`.length <= POOL_NAME_MAX, {
                message: `at most ${POOL_NAME_MAX - 5} characters: the connection pool is named <dbName>-pool, and DigitalOcean allows pool names of 3 to ${POOL_NAME_MAX}`,
            })
            .default("app"),
        dbUser: z
            .string()
            .regex(pgIdentifier, { message: "a PostgreSQL identifier: lowercase letters, digits, _" })
            .superRefine(rule(reservedUserProblem))
            .default("app"),
        dbPoolSize: z.int().min(1).max(500).default(10),
        dbProtect: z.boolean().default(false),

        registryName: z.string().regex(dnsLabel, {
            message: "a globally unique registry name: lowercase letters, digits and -, at most 63",
        }),
        registryMode: z.enum(["create", "existing"]).default("create"),
        registryTier: z.enum(["starter", "basic", "professional"]).default("basic"),
        registryRegion: z.enum(REGISTRY_REGIONS).optional(),

        charts: z
            .strictObject({
                ingressNginx: chartVersion("ingress-nginx"),
                certManager: chartVersion("cert-manager"),
                metricsServer: chartVersion("metrics-server"),
            })
            .default({ ...DEFAULT_CHARTS }),
        ingressReplicas: z.int().min(1).max(10).default(1),
        ingressProxyProtocol: z.boolean().default(false),
        loadBalancerName: z
            .string()
            .regex(dnsLabel, { message: "lowercase letters, digits and -, at most 63" })
            .optional(),
        metricsServerReplicas: z.int().min(1).max(5).default(1),

        hostname: hostnameSchema,
        extraHostnames: z.array(hostnameSchema).max(20).default([]),
        acmeEmail: z.email({ message: "an email address for Let's Encrypt expiry notices" }).superRefine(rule(acmeContactProblem)),
        certIssuer: z.enum(["staging", "production"]).default("staging"),

        dns: z
            .strictObject({
                provider: z.enum(["namecheap", "none"]).default("namecheap"),
                domain: hostnameSchema.optional(),
                ddnsUrl: z.url({ protocol: /^https?$/, message: "an http(s) URL" }).default(NAMECHEAP_DDNS_URL),
                resolvers: z
                    .array(
                        z
                            .string()
                            .regex(resolverAddress, { message: 'an IPv4 address, optionally with a port: "1.1.1.1" or "10.0.0.2:53"' })
                            .refine(validPort, { message: "a port from 1 to 65535" }),
                    )
                    .default([]),
                timeoutSeconds: z.int().min(30).max(3600).default(900),
                onDestroy: z.enum(["park", "keep"]).default("park"),
            })
            .prefault({}),

        app: z
            .strictObject({
                image: z
                    .string()
                    .regex(imageRef, { message: 'an image with a tag or digest, e.g. "registry.digitalocean.com/acme/app:1.4.2" or "...@sha256:<64 hex>"' })
                    .refine((i) => !i.endsWith(":latest"), { message: 'a pinned tag or digest, not "latest"' })
                    .optional(),
                minReplicas: z.int().min(1).max(50).default(2),
                maxReplicas: z.int().min(1).max(100).default(4),
                autoscaling: z.boolean().default(true),
                cpuUtilization: z.int().min(10).max(100).default(80),
                memoryUtilization: z.int().min(10).max(100).default(80),
                resources: z
                    .strictObject({ requests: computeResources, limits: computeResources })
                    .default(DEFAULT_RESOURCES),
                env: z
                    .record(z.string().regex(envName, { message: "an environment variable name" }), z.string())
                    .default({}),
                gunicornWorkers: z.int().min(1).max(32).default(2),
                probes: z
                    .strictObject({
                        liveness: z.string().regex(urlPath, { message: 'a path such as "/healthz"' }),
                        readiness: z.string().regex(urlPath, { message: 'a path such as "/readyz"' }),
                        startup: z.string().regex(urlPath, { message: 'a path such as "/healthz"' }),
                    })
                    .default({ liveness: "/healthz", readiness: "/readyz", startup: "/healthz" }),
                migrateCommand: z.array(z.string().min(1)).min(1).default(["python", "manage.py", "migrate", "--noinput"]),
                routes: z
                    .array(
                        z.strictObject({
                            path: z.string().regex(urlPath, { message: 'a path starting with "/"' }),
                            service: z.string().regex(dnsLabel, { message: '"app", "static" or a Service name in the app namespace' }),
                            port: z.int().min(1).max(65535).optional(),
                        }),
                    )
                    .min(1)
                    .default([
                        { path: "/", service: "app" },
                        { path: "/static", service: "static" },
                    ]),
                egress: z.enum(["restricted", "open"]).default("restricted"),
            })
            .prefault({}),

        staticContent: z
            .strictObject({
                repository: z.url({ protocol: /^https$/, message: "an https git URL such as https://github.com/acme/site.git" }),
                branch: z.string().regex(/^[A-Za-z0-9._\/-]+$/, { message: "a git branch or tag name" }).default("main"),
                path: z
                    .string()
                    .regex(/^([A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*)?$/, { message: 'a folder inside the repository such as "app/static-site" ("" for its root)' })
                    .refine((p) => !p.split("/").includes(".."), { message: "a folder inside the repository (no ..)" })
                    .default(""),
                schedule: z.string().superRefine(rule(cronScheduleProblem)).default("*/15 * * * *"),
                size: z.string().regex(/^[1-9]\d{0,3}Gi$/, { message: 'a volume size in Gi such as "1Gi"' }).default("1Gi"),
            })
            // Parsed from {} so that a missing repository is reported as staticContent.repository.
            .prefault({} as { repository: string }),

        monitoring: monitoringSchema,
    })
    .superRefine((c, ctx) => {
        // A malformed prefix or charts object has its own issue already.
        const minor = /^\d+\.\d+\.$/.test(c.kubernetesVersionPrefix) ? c.kubernetesVersionPrefix.slice(0, -1) : undefined;
        const unsupported = minor !== undefined && c.charts ? chartsNotSupporting(minor, c.charts) : [];
        if (unsupported.length > 0 && c.acceptUnsupportedKubernetesVersion !== minor) {
            ctx.addIssue({
                code: "custom",
                path: ["kubernetesVersionPrefix"],
                input: c.kubernetesVersionPrefix,
                message:
                    `a minor every pinned chart supports (newest: ${NEWEST_SUPPORTED_MINOR}); ${minor} is outside what ${unsupported.join(" and ")} supports. ` +
                    `To run it anyway: pulumi config set acceptUnsupportedKubernetesVersion ${minor}`,
            });
        }
        if (minor !== undefined && c.acceptUnsupportedKubernetesVersion !== undefined && c.acceptUnsupportedKubernetesVersion !== minor) {
            ctx.addIssue({
                code: "custom",
                path: ["acceptUnsupportedKubernetesVersion"],
                input: c.acceptUnsupportedKubernetesVersion,
                message: `"${minor}" (the minor of kubernetesVersionPrefix) or unset: it accepts only the minor it names`,
            });
        }
        checkNetworks(c, ctx);
        const a = c.nodeAutoscale;
        if (a && a.minNodes <= a.maxNodes && (c.nodeCount < a.minNodes || c.nodeCount > a.maxNodes)) {
            ctx.addIssue({
                code: "custom",
                path: ["nodeCount"],
                input: c.nodeCount,
                message: `a node count within nodeAutoscale (${a.minNodes}..${a.maxNodes})`,
            });
        }
        if (c.dbSize === "db-s-1vcpu-1gb" && c.dbNodeCount > 1) {
            ctx.addIssue({
                code: "custom",
                path: ["dbNodeCount"],
                input: c.dbNodeCount,
                message: '1 with dbSize "db-s-1vcpu-1gb" (DigitalOcean offers standby nodes from db-s-1vcpu-2gb up)',
            });
        }
        const limit = poolConnectionLimit(c.dbSize);
        // The stack creates one pool; DigitalOcean counts every pool of the cluster together.
        const pools = [{ name: `${c.dbName}-pool`, size: c.dbPoolSize }];
        const pooled = pools.reduce((sum, p) => sum + p.size, 0);
        if (limit !== undefined && pooled > limit) {
            ctx.addIssue({
                code: "custom",
                path: ["dbPoolSize"],
                input: c.dbPoolSize,
                message: `at most ${limit}: dbSize "${c.dbSize}" allows ${limit} backend connections for all pools together (25 per GiB of RAM, 3 reserved)`,
            });
        }
        const app = c.app;
        for (const resource of ["cpu", "memory"] as const) {
            const { requests, limits } = app.resources;
            if (requestAboveLimit(requests[resource], limits[resource])) {
                ctx.addIssue({
                    code: "custom",
                    path: ["app", "resources", "requests", resource],
                    input: requests[resource],
                    message: `at most the ${resource} limit (${limits[resource]}): Kubernetes refuses a request above its limit`,
                });
            }
        }
        if (app.minReplicas > app.maxReplicas) {
            ctx.addIssue({
                code: "custom",
                path: ["app", "maxReplicas"],
                input: app.maxReplicas,
                message: `at least app.minReplicas (${app.minReplicas})`,
            });
        }
        for (const name of Object.keys(app.env).filter((n) => RESERVED_ENV.includes(n))) {
            ctx.addIssue({
                code: "custom",
                path: ["app", "env", name],
                input: app.env[name],
                message: `a variable other than ${RESERVED_ENV.join(", ")}: the stack sets those itself`,
            });
        }
        const seen = new Set<string>();
        app.routes.forEach((r, i) => {
            if (seen.has(r.path)) {
                ctx.addIssue({ code: "custom", path: ["app", "routes", i, "path"], input: r.path, message: "a path no other route uses" });
            }
            seen.add(r.path);
            if (r.service !== "app" && r.service !== "static" && r.port === undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["app", "routes", i, "port"],
                    input: r.port,
                    message: `a port for Service "${r.service}" (only "app" and "static" have a known port)`,
                });
            }
        });
        const hosts = [c.hostname, ...c.extraHostnames];
        hosts.forEach((h, i) => {
            if (hosts.indexOf(h) !== i) {
                ctx.addIssue({ code: "custom", path: ["extraHostnames"], input: h, message: `host names other than ${h}, which is listed twice` });
            }
        });
        if (c.dns.provider === "namecheap") {
            const domain = c.dns.domain ?? getDomain(c.hostname) ?? undefined;
            if (domain === undefined || getDomain(domain) !== domain) {
                ctx.addIssue({
                    code: "custom",
                    path: ["dns", "domain"],
                    input: c.dns.domain,
                    message: `the domain registered at Namecheap, e.g. ${getDomain(domain ?? "") ?? "example.org"}`,
                });
            } else {
                for (const h of hosts.filter((h) => h !== domain && !h.endsWith(`.${domain}`))) {
                    ctx.addIssue({
                        code: "custom",
                        path: ["dns", "domain"],
                        input: domain,
                        message: `a domain that contains every host name (${h} is outside it); use dns.provider "none" for hosts elsewhere`,
                    });
                }
            }
        }
        if (c.registryMode === "existing" && c.registryRegion !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["registryRegion"],
                input: c.registryRegion,
                message: 'unset: the region belongs to the stack that creates the registry (registryMode "create")',
            });
        }
    });

type Issue = { code: "custom"; path: PropertyKey[]; input: unknown; message: string };

/**
 * The stack's networks must not overlap each other or DigitalOcean's reserved ranges, and the
 * cluster subnet must hold the pool's nodes. Only ranges that passed their own checks are compared.
 */
function checkNetworks(
    c: { region: string; vpcIpRange?: string; clusterSubnet?: string; serviceSubnet?: string; nodeCount: number; nodeAutoscale?: { maxNodes: number } },
    ctx: { addIssue(issue: Issue): void },
): void {
    const valid = (v: string | undefined, shortest: number, longest: number) => (v !== undefined && isPrivateNetwork(v, shortest, longest) ? v : undefined);
    const vpc = valid(c.vpcIpRange, 16, 28);
    const cluster = valid(c.clusterSubnet, 15, 20);
    const service = valid(c.serviceSubnet, 16, 22);
    const issue = (key: string, input: unknown, message: string) => ctx.addIssue({ code: "custom", path: [key], input, message });
    const both = "DigitalOcean needs both clusterSubnet and serviceSubnet for a VPC-native cluster";
    if (c.clusterSubnet !== undefined && c.serviceSubnet === undefined) issue("serviceSubnet", undefined, `a value (required with clusterSubnet: ${both})`);
    if (c.serviceSubnet !== undefined && c.clusterSubnet === undefined) issue("clusterSubnet", undefined, `a value (required with serviceSubnet: ${both})`);
    if ((c.clusterSubnet !== undefined || c.serviceSubnet !== undefined) && c.vpcIpRange === undefined) {
        issue("vpcIpRange", undefined, "a value (required with clusterSubnet and serviceSubnet: a range DigitalOcean picks cannot be checked against them)");
    }
    // 10.244.0.0/16 and 10.245.0.0/16 are also the pod and service networks of a cluster without its own subnets.
    const vpcReserved = vpc === undefined ? [] : reservedOverlaps(vpc, c.region);
    if (vpcReserved.length > 0) issue("vpcIpRange", vpc, `a range outside what DigitalOcean reserves in ${c.region} (${vpcReserved.join(", ")})`);
    for (const [key, range] of [["clusterSubnet", cluster], ["serviceSubnet", service]] as const) {
        if (range === undefined) continue;
        if (vpc !== undefined && overlap(range, vpc)) issue(key, range, `a range that does not overlap vpcIpRange (${vpc})`);
        const reserved = reservedOverlaps(range, c.region);
        if (reserved.length > 0) issue(key, range, `a range outside what DigitalOcean reserves in ${c.region} (${reserved.join(", ")})`);
    }
    if (cluster !== undefined && service !== undefined && overlap(cluster, service)) {
        issue("serviceSubnet", service, `a range that does not overlap clusterSubnet (${cluster})`);
    }
    const nodes = c.nodeAutoscale?.maxNodes ?? c.nodeCount;
    if (cluster !== undefined && nodeCapacity(cluster) < nodes) {
        issue("clusterSubnet", cluster, `a network with room for ${nodes} nodes (a /25 each): this one holds ${nodeCapacity(cluster)}`);
    }
}

export type RawConfig = z.input<typeof configSchema>;
type Parsed = z.output<typeof configSchema>;

export interface StackConfig extends Parsed {
    project: string;
    stack: string;
    /** The configured name, or <project>-<stack>. */
    loadBalancerName: string;
    /** DigitalOcean API token: the provider's credential, reused for the cluster's kubeconfig. */
    doToken: pulumi.Output<string>;
    /** hostname first, then extraHostnames. */
    hostnames: string[];
    /** The Namecheap domain holding every host name (dns.provider "namecheap"). */
    dnsDomain?: string;
    /** Namecheap Dynamic DNS password (dns.provider "namecheap"). */
    namecheapPassword?: pulumi.Output<string>;
    /** The app's secret environment variables. */
    appSecrets: pulumi.Output<Record<string, string>>;
    monitoring: Parsed["monitoring"] & {
        /** The Slack incoming webhook (secret), set together with slackChannel. */
        slackWebhook?: pulumi.Output<string>;
    };
}

/** Keys whose values Pulumi keeps as strings: everything else is parsed as JSON. */
const STRING_KEYS = new Set<string>(
    Object.entries(configSchema.shape)
        .filter(([, s]) => unwrapped(s) instanceof z.ZodString || unwrapped(s) instanceof z.ZodEnum || unwrapped(s) instanceof z.ZodEmail)
        .map(([k]) => k),
);

function unwrapped(schema: z.ZodType): z.ZodType {
    let s: z.ZodType = schema;
    for (;;) {
        if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
        else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
        else return s;
    }
}

export class ConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

function configError(stack: string, problems: string[]): ConfigError {
    return new ConfigError(
        `Invalid configuration for stack "${stack}" (nothing was created):\n${problems.join("\n")}\n` +
            `Set values with: pulumi config set --stack ${stack} <key> <value> (see README, "Configuration").`,
    );
}

function describeValue(v: unknown): string {
    if (v === undefined) return "(not set)";
    return JSON.stringify(v);
}

function valueAt(raw: Record<string, unknown>, path: PropertyKey[]): unknown {
    let v: unknown = raw;
    for (const p of path) {
        if (v === null || typeof v !== "object") return undefined;
        v = (v as Record<PropertyKey, unknown>)[p];
    }
    return v;
}

const TYPE_NAMES: Record<string, string> = {
    int: "a whole number",
    number: "a number",
    boolean: "true or false",
    string: "a string",
    object: "an object",
};

/** The keys an object schema at `path` accepts. */
function keysAt(path: PropertyKey[]): string[] {
    let s: z.ZodType = configSchema;
    for (const p of path) {
        const inner = unwrapped(s);
        if (!(inner instanceof z.ZodObject)) return [];
        s = inner.shape[p as string] as z.ZodType;
    }
    const inner = unwrapped(s);
    return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

function allowedFor(issue: z.core.$ZodIssue, value: unknown): string {
    switch (issue.code) {
        case "invalid_type": {
            const type = TYPE_NAMES[issue.expected] ?? issue.expected;
            return value === undefined ? `a value (required): ${type}` : type;
        }
        case "invalid_value":
            return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
        case "too_small":
            return `at least ${issue.minimum}`;
        case "too_big":
            return `at most ${issue.maximum}`;
        case "unrecognized_keys":
            return issue.path.length === 0
                ? "no such key: it is not one of the project's keys (see Pulumi.yaml and README; a typo?)"
                : `no such key: ${issue.path.map(String).join(".")} takes only ${keysAt(issue.path).join(", ")}`;
        default:
            return issue.message;
    }
}

/**
 * Validates the project's config values (keys without the project prefix; values as Pulumi
 * stores them, strings holding JSON for numbers, booleans and objects).
 * Throws one ConfigError listing every problem.
 */
export function parseConfig(project: string, stack: string, values: Record<string, string>, problems: string[] = []): Parsed {
    const raw: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(values)) {
        if (STRING_KEYS.has(key)) {
            raw[key] = text;
            continue;
        }
        try {
            raw[key] = JSON.parse(text);
        } catch {
            raw[key] = text;
        }
    }
    const result = configSchema.safeParse(raw);
    const lines = [...problems, ...stackNameProblems(project, stack)];
    if (result.success && lines.length === 0) return result.data;

    for (const issue of result.error?.issues ?? []) {
        const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
        for (const path of keys) {
            const key = `${project}:${path.map(String).join(".")}`;
            const value = valueAt(raw, path);
            lines.push(`  - ${key} = ${describeValue(value)}: expected ${allowedFor(issue, value)}`);
        }
    }
    throw configError(stack, lines);
}

/**
 * The stack's name becomes a label value (app.kubernetes.io/instance) and part of every
 * DigitalOcean name the stack derives: refuse one that breaks either.
 */
export function stackNameProblems(project: string, stack: string): string[] {
    const problems: string[] = [];
    const shown = `  - stack name = ${JSON.stringify(stack)}: expected`;
    const label = labelValueProblem(stack);
    if (label) problems.push(`${shown} a name usable as the Kubernetes label value app.kubernetes.io/instance: ${label}`);
    const long = derivedNames({ project, stack }).find((n) => n.length > DO_NAME_MAX);
    if (long) {
        problems.push(
            `${shown} a shorter stack name: the DigitalOcean name ${long} would have ${long.length} characters, at most ${DO_NAME_MAX} are allowed (names are never cut)`,
        );
    }
    return problems;
}

/** Config namespaces the stack reads: the project's, its providers' and Pulumi's own. */
export const PROVIDER_NAMESPACES = ["digitalocean", "kubernetes", "random", "command", "docker-build", "pulumi"];

/**
 * A key under a namespace nobody reads is a mistake the Pulumi CLI lets through (it passes every
 * `namespace:key` to the program), most often a typo of the project name: report it like a
 * misspelt key, with the key it probably meant.
 */
export function namespaceProblems(project: string, keys: { key: string; value: string; secret: boolean }[]): string[] {
    const known = [project, ...PROVIDER_NAMESPACES];
    const problems: string[] = [];
    for (const { key, value, secret } of keys) {
        const colon = key.indexOf(":");
        const namespace = colon < 0 ? "" : key.slice(0, colon);
        if (known.includes(namespace)) continue;
        const shown = secret ? "(secret, not shown)" : JSON.stringify(value);
        const near = distance(namespace, project) <= 3;
        const hint = near
            ? `a key of ${project}: did you mean ${project}:${key.slice(colon + 1)}?`
            : `a namespace the stack reads (${known.join(", ")})`;
        problems.push(`  - ${key} = ${shown}: expected no such namespace "${namespace}": ${hint}`);
    }
    return problems;
}

/** Picks the DigitalOcean token from the provider's config or its environment variables. */
export function resolveDoToken(
    stack: string,
    configured: pulumi.Output<string> | undefined,
    env: NodeJS.ProcessEnv,
): pulumi.Output<string> {
    if (configured) return configured;
    const fromEnv = env.DIGITALOCEAN_TOKEN ?? env.DIGITALOCEAN_ACCESS_TOKEN;
    if (fromEnv) return pulumi.secret(fromEnv);
    throw configError(stack, [
        `  - digitalocean:token = (not set): expected a value (required): a DigitalOcean API token, ` +
            `set with "pulumi config set --secret digitalocean:token <token>" or the DIGITALOCEAN_TOKEN environment variable`,
    ]);
}

/** Whether Pulumi decrypted the key from a secure value (the SDK exports this untyped). */
function isConfigSecret(key: string): boolean {
    const check = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    return check === undefined ? true : check(key);
}

type SecretKey = (typeof SECRET_KEYS)[number];

/** The one message for a secret stored in plain text (the stack, the render and the tests share it). */
export function plainTextProblem(fullKey: string, setKey: string, stack: string): string {
    return `  - ${fullKey} = (set in plain text): expected a secret: pulumi config set --secret ${setKey} ... (then remove the plain value from Pulumi.${stack}.yaml's history)`;
}

/** The provider's token is a secret too. */
const TOKEN_KEY = "digitalocean:token";

/**
 * Removes the named leaves from an object key's JSON text, so that they are read as secrets and
 * never reach the schema's error messages. Text that is not a JSON object is left as it is.
 */
export function takeLeaves(text: string, leaves: string[]): { rest: string; taken: Record<string, string> } {
    if (leaves.length === 0) return { rest: text, taken: {} };
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return { rest: text, taken: {} };
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) return { rest: text, taken: {} };
    const rest = { ...(value as Record<string, unknown>) };
    const taken: Record<string, string> = {};
    for (const leaf of leaves.filter((l) => l in rest)) {
        const v = rest[leaf];
        taken[leaf] = typeof v === "string" ? v : JSON.stringify(v);
        delete rest[leaf];
    }
    return { rest: JSON.stringify(rest), taken };
}

/**
 * Checks the secret keys without ever printing their values: set when needed, set with
 * --secret, and (appSecrets) an object of variable names that do not clash.
 */
export function checkSecrets(
    project: string,
    stack: string,
    parsed: Parsed,
    secrets: Partial<Record<SecretKey, { text: string; encrypted: boolean }>>,
): { namecheapPassword?: string; appSecrets: Record<string, string>; slackWebhook?: string } {
    const problems: string[] = [];
    const problem = (key: string, state: string, expected: string) =>
        problems.push(`  - ${project}:${key} = ${state}: expected ${expected}`);
    for (const key of SECRET_KEYS) {
        const s = secrets[key];
        if (s && !s.encrypted) {
            problems.push(plainTextProblem(`${project}:${key}`, key.includes(".") ? `--path ${key}` : key, stack));
        }
    }
    const webhook = secrets["monitoring.slackWebhook"]?.text;
    const channel = parsed.monitoring.slackChannel;
    if (webhook !== undefined && !/^https:\/\/\S+$/.test(webhook)) {
        problem("monitoring.slackWebhook", "(secret, not shown)", "a Slack incoming webhook URL (https://hooks.slack.com/services/...)");
    }
    if (webhook !== undefined && channel === undefined) {
        problem("monitoring.slackChannel", "(not set)", "a value (required with monitoring.slackWebhook): the channel the webhook posts to, e.g. \"#ops-alerts\"");
    }
    if (webhook === undefined && channel !== undefined) {
        problem("monitoring.slackWebhook", "(not set)", 'a value (required with monitoring.slackChannel): pulumi config set --secret --path monitoring.slackWebhook <webhook URL>');
    }
    const password = secrets.namecheapPassword?.text;
    if (parsed.dns.provider === "namecheap" && !password) {
        problem(
            "namecheapPassword",
            "(not set)",
            'a value (required with dns.provider "namecheap"): the Dynamic DNS password from Namecheap, set with "pulumi config set --secret namecheapPassword <password>"',
        );
    }
    let appSecrets: Record<string, string> = {};
    const text = secrets.appSecrets?.text;
    if (text !== undefined) {
        let value: unknown;
        try {
            value = JSON.parse(text);
        } catch {
            value = undefined;
        }
        if (value === null || typeof value !== "object" || Array.isArray(value) || Object.values(value).some((v) => typeof v !== "string")) {
            problem("appSecrets", "(secret, not shown)", 'an object of string values, set with "pulumi config set --secret --path appSecrets.NAME <value>"');
        } else {
            appSecrets = value as Record<string, string>;
            for (const name of Object.keys(appSecrets)) {
                if (!envName.test(name)) problem(`appSecrets.${name}`, "(secret, not shown)", "an environment variable name: letters, digits, _");
                else if (RESERVED_ENV.includes(name)) problem(`appSecrets.${name}`, "(secret, not shown)", `a variable other than ${RESERVED_ENV.join(", ")}: the stack sets those itself`);
                else if (name in parsed.app.env) problem(`appSecrets.${name}`, "(secret, not shown)", `a name that app.env does not also set`);
            }
        }
    }
    if (problems.length > 0) throw configError(stack, problems);
    return { namecheapPassword: password, appSecrets, slackWebhook: webhook };
}

/** Reads and validates the whole stack configuration. The only place that reads config. */
export function loadConfig(): StackConfig {
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const prefix = `${project}:`;
    const values: Record<string, string> = {};
    const secrets: Partial<Record<SecretKey, { text: string; encrypted: boolean }>> = {};
    const all = Object.entries(pulumi.runtime.allConfig());
    const namespaces = namespaceProblems(
        project,
        all.map(([key, value]) => ({ key, value, secret: isConfigSecret(key) })),
    );
    if (all.some(([key]) => key === TOKEN_KEY) && !isConfigSecret(TOKEN_KEY)) {
        namespaces.push(plainTextProblem(TOKEN_KEY, TOKEN_KEY, stack));
    }
    for (const [key, value] of all) {
        if (!key.startsWith(prefix)) continue;
        const name = key.slice(prefix.length);
        if ((SECRET_KEYS as readonly string[]).includes(name)) {
            secrets[name as SecretKey] = { text: value, encrypted: isConfigSecret(key) };
            continue;
        }
        const leaves = SECRET_KEYS.filter((k) => k.startsWith(`${name}.`));
        const { rest, taken } = takeLeaves(value, leaves.map((k) => k.slice(name.length + 1)));
        // `--path` with --secret marks the whole object key secret: that is how a leaf arrives encrypted.
        for (const [leaf, text] of Object.entries(taken)) secrets[`${name}.${leaf}` as SecretKey] = { text, encrypted: isConfigSecret(key) };
        values[name] = rest;
    }
    const parsed = parseConfig(project, stack, values, namespaces);
    const checked = checkSecrets(project, stack, parsed, secrets);
    const doToken = resolveDoToken(stack, new pulumi.Config("digitalocean").getSecret("token"), process.env);
    const loadBalancerName = parsed.loadBalancerName ?? resourceName({ project, stack });
    const dnsDomain =
        parsed.dns.provider === "namecheap" ? (parsed.dns.domain ?? getDomain(parsed.hostname) ?? undefined) : undefined;
    return {
        ...parsed,
        project,
        stack,
        loadBalancerName,
        doToken,
        hostnames: [parsed.hostname, ...parsed.extraHostnames],
        dnsDomain,
        namecheapPassword: checked.namecheapPassword === undefined ? undefined : pulumi.secret(checked.namecheapPassword),
        appSecrets: pulumi.secret(checked.appSecrets),
        monitoring: {
            ...parsed.monitoring,
            slackWebhook: checked.slackWebhook === undefined ? undefined : pulumi.secret(checked.slackWebhook),
        },
    };
}

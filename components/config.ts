import * as pulumi from "@pulumi/pulumi";
import * as semver from "semver";
import { getDomain } from "tldts";
import { z } from "zod";
import { resourceName } from "./naming";
import { isPrivateNetwork, nodeCapacity, overlap, reservedOverlaps } from "./networks";

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
const urlPath = /^\/[A-Za-z0-9._~\/-]*$/;
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const quantity = /^\d+(\.\d+)?(m|Ki|Mi|Gi)?$/;
const cronSchedule = /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$/;
const imageRef = /^[a-z0-9]+([._\/-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;

/** Variables the app component sets itself; user variables must not shadow them. */
export const RESERVED_ENV = ["DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "PORT", "GUNICORN_WORKERS"];

/** Config keys read as Pulumi secrets, never parsed or printed with the rest. */
export const SECRET_KEYS = ["namecheapPassword", "appSecrets"] as const;

export const DEFAULT_RESOURCES = {
    requests: { cpu: "400m", memory: "200Mi" },
    limits: { cpu: "500m", memory: "512Mi" },
};

export const NAMECHEAP_DDNS_URL = "https://dynamicdns.park-your-domain.com";

const hostnameSchema = z
    .string()
    .regex(fqdn, { message: "a fully qualified lowercase domain name such as app.example.org" });

const computeResources = z.strictObject({
    cpu: z.string().regex(quantity, { message: 'a CPU quantity such as "500m"' }),
    memory: z.string().regex(quantity, { message: 'a memory quantity such as "512Mi"' }),
});

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
            .default("app"),
        dbUser: z
            .string()
            .regex(pgIdentifier, { message: "a PostgreSQL identifier: lowercase letters, digits, _" })
            .refine((u) => u !== "doadmin", { message: 'a user other than the admin "doadmin"' })
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
        acmeEmail: z.email({ message: "an email address for Let's Encrypt expiry notices" }),
        certIssuer: z.enum(["staging", "production"]).default("staging"),

        dns: z
            .strictObject({
                provider: z.enum(["namecheap", "none"]).default("namecheap"),
                domain: hostnameSchema.optional(),
                ddnsUrl: z.url({ protocol: /^https?$/, message: "an http(s) URL" }).default(NAMECHEAP_DDNS_URL),
                resolvers: z
                    .array(z.string().regex(resolverAddress, { message: 'an IPv4 address, optionally with a port: "1.1.1.1" or "10.0.0.2:53"' }))
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
                schedule: z.string().regex(cronSchedule, { message: 'a cron schedule such as "*/15 * * * *"' }).default("*/15 * * * *"),
                size: z.string().regex(/^[1-9]\d{0,3}Gi$/, { message: 'a volume size in Gi such as "1Gi"' }).default("1Gi"),
            })
            // Parsed from {} so that a missing repository is reported as staticContent.repository.
            .prefault({} as { repository: string }),
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
        const app = c.app;
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
        if (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
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
export function parseConfig(project: string, stack: string, values: Record<string, string>): Parsed {
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
    if (result.success) return result.data;

    const lines = result.error.issues.map((issue) => {
        const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
        return keys
            .map((path) => {
                const key = `${project}:${path.map(String).join(".")}`;
                const value = valueAt(raw, path);
                return `  - ${key} = ${describeValue(value)}: expected ${allowedFor(issue, value)}`;
            })
            .join("\n");
    });
    throw configError(stack, lines);
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

/**
 * Checks the secret keys without ever printing their values: set when needed, set with
 * --secret, and (appSecrets) an object of variable names that do not clash.
 */
export function checkSecrets(
    project: string,
    stack: string,
    parsed: Parsed,
    secrets: Partial<Record<SecretKey, { text: string; encrypted: boolean }>>,
): { namecheapPassword?: string; appSecrets: Record<string, string> } {
    const problems: string[] = [];
    const problem = (key: string, state: string, expected: string) =>
        problems.push(`  - ${project}:${key} = ${state}: expected ${expected}`);
    for (const key of SECRET_KEYS) {
        const s = secrets[key];
        if (s && !s.encrypted) {
            problem(key, "(set in plain text)", `a secret: pulumi config set --secret ${key} ... (then remove the plain value from Pulumi.${stack}.yaml's history)`);
        }
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
    return { namecheapPassword: password, appSecrets };
}

/** Reads and validates the whole stack configuration. The only place that reads config. */
export function loadConfig(): StackConfig {
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const prefix = `${project}:`;
    const values: Record<string, string> = {};
    const secrets: Partial<Record<SecretKey, { text: string; encrypted: boolean }>> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!key.startsWith(prefix)) continue;
        const name = key.slice(prefix.length);
        if ((SECRET_KEYS as readonly string[]).includes(name)) {
            secrets[name as SecretKey] = { text: value, encrypted: isConfigSecret(key) };
        } else {
            values[name] = value;
        }
    }
    const parsed = parseConfig(project, stack, values);
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
    };
}

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { resourceName } from "./naming";

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

const slug = /^[a-z0-9]+(-[a-z0-9]+)+$/;
const dnsLabel = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const pinnedVersion = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const pgIdentifier = /^[a-z_][a-z0-9_]{0,62}$/;
const fqdn =
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])$/;
const privateCidr =
    /^(10\.\d{1,3}\.\d{1,3}\.\d{1,3}|172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3})\/(1[6-9]|2[0-8])$/;

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

        kubernetesVersionPrefix: z
            .string()
            .regex(/^\d+\.\d+\.?$/, { message: 'a minor version prefix such as "1.36" or "1.36."' })
            .transform((p) => (p.endsWith(".") ? p : `${p}.`))
            .default("1.36."),
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

        hostname: z
            .string()
            .regex(fqdn, { message: "a fully qualified lowercase domain name such as app.example.org" }),
        acmeEmail: z.email({ message: "an email address for Let's Encrypt expiry notices" }),
        certIssuer: z.enum(["staging", "production"]).default("staging"),
    })
    .superRefine((c, ctx) => {
        const a = c.nodeAutoscale;
        if (a && a.minNodes <= a.maxNodes && (c.nodeCount < a.minNodes || c.nodeCount > a.maxNodes)) {
            ctx.addIssue({
                code: "custom",
                path: ["nodeCount"],
                input: c.nodeCount,
                message: `a node count within nodeAutoscale (${a.minNodes}..${a.maxNodes})`,
            });
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

export type RawConfig = z.input<typeof configSchema>;
type Parsed = z.output<typeof configSchema>;

export interface StackConfig extends Parsed {
    project: string;
    stack: string;
    /** The configured name, or <project>-<stack>. */
    loadBalancerName: string;
    /** DigitalOcean API token: the provider's credential, reused for the cluster's kubeconfig. */
    doToken: pulumi.Output<string>;
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

/** Reads and validates the whole stack configuration. The only place that reads config. */
export function loadConfig(): StackConfig {
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const prefix = `${project}:`;
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) values[key.slice(prefix.length)] = value;
    }
    const parsed = parseConfig(project, stack, values);
    const doToken = resolveDoToken(stack, new pulumi.Config("digitalocean").getSecret("token"), process.env);
    const loadBalancerName = parsed.loadBalancerName ?? resourceName({ project, stack });
    return { ...parsed, project, stack, loadBalancerName, doToken };
}

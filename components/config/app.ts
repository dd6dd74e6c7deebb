/**
 * The app key (components/app.ts): image, replicas and autoscaling, resources, environment,
 * probes, migrations, routes and egress; and the rules between its fields.
 */
import { z } from "zod";
import { type CrossFieldRule, dnsLabel, envName, urlPath } from "./fields";
import { parseQuantity, requestAboveLimit } from "./rules";

/** Variables the app component sets itself; user variables must not shadow them. */
export const RESERVED_ENV = ["DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "PORT", "GUNICORN_WORKERS"];

/** The app container's requests and limits unless app.resources says otherwise. */
export const DEFAULT_RESOURCES = {
    requests: { cpu: "400m", memory: "200Mi" },
    limits: { cpu: "500m", memory: "512Mi" },
};

const imageRef = /^[a-z0-9]+([._\/-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;

const isQuantity = (q: string) => parseQuantity(q) !== undefined;
/**
 * A quantity as text, or as a number (`cpu: 2` in the stack file; `pulumi config set --path`
 * stores integers as numbers, per its docs), which Kubernetes parses as the same text
 * (k8s.io/apimachinery pkg/api/resource/quantity.go, Quantity.UnmarshalJSON); kept as the text.
 */
const quantity = (message: string) =>
    z.preprocess((v) => (typeof v === "number" ? String(v) : v), z.string().refine(isQuantity, { message }));
const computeResources = z.strictObject({
    cpu: quantity('a CPU quantity such as "500m"'),
    memory: quantity('a memory quantity such as "512Mi"'),
});

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * app.resources as set, over the defaults per requests/limits key: `pulumi config set --path
 * app.resources.requests.cpu 300m` changes that one value. Anything else is left to the schema.
 */
function overDefaults(v: unknown): unknown {
    if (!isPlainObject(v)) return v;
    const merged: Record<string, unknown> = { ...v };
    for (const part of ["requests", "limits"] as const) {
        const given = v[part];
        if (given === undefined || isPlainObject(given)) merged[part] = { ...DEFAULT_RESOURCES[part], ...given };
    }
    return merged;
}

const app = z.strictObject({
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
                .preprocess(overDefaults, z.strictObject({ requests: computeResources, limits: computeResources }))
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
});

/** The app key, in the order it is checked. */
export const appKeys = app.shape;

/**
 * Requests within limits, replica bounds in order, no variable the stack sets itself, each route
 * path once, and a port for every Service but "app" and "static".
 */
export const appRule: CrossFieldRule<z.output<typeof app>> = ({ app }, ctx) => {
    for (const resource of ["cpu", "memory"] as const) {
        const { requests, limits } = app.resources;
        if (requestAboveLimit(requests[resource], limits[resource])) {
            ctx.addIssue({
                code: "custom",
                path: ["app", "resources", "requests", resource],
                input: requests[resource],
                params: { judged: requests[resource] },
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
};

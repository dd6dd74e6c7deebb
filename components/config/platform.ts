/**
 * Keys of the platform (components/platform.ts): the pinned charts, ingress-nginx and its load
 * balancer, metrics-server, the host names and cert-manager's issuer; and the rule between them.
 */
import { z } from "zod";
import { type CrossFieldRule, dnsLabel, hostnameSchema, rule } from "./fields";
import { acmeContactProblem } from "./rules";
import { DEFAULT_CHARTS } from "./versions";

const pinnedVersion = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

const chartVersion = (chart: string) =>
    z.string().regex(pinnedVersion, {
        message: `a pinned ${chart} chart version such as "1.2.3" (no ranges, no "latest")`,
    });

const platform = z.strictObject({
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
});

/** The platform's keys, in the order they are checked. */
export const platformKeys = platform.shape;

/** Each host name once, hostname included. */
export const hostnamesRule: CrossFieldRule<Pick<z.output<typeof platform>, "hostname" | "extraHostnames">> = (c, ctx) => {
    const hosts = [c.hostname, ...c.extraHostnames];
    hosts.forEach((h, i) => {
        if (hosts.indexOf(h) !== i) {
            ctx.addIssue({ code: "custom", path: ["extraHostnames"], input: h, message: `host names other than ${h}, which is listed twice` });
        }
    });
};

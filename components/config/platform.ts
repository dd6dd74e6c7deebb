/**
 * Keys of the platform (components/platform.ts): the pinned charts, ingress-nginx and its load
 * balancer, metrics-server, the host names and cert-manager's issuer; and the rule between them.
 */
import { z } from "zod";
import { type CrossFieldRule, dnsLabel, hostnameSchema, rule } from "./fields";
import { acmeContactProblem } from "./rules";
import { DEFAULT_CHARTS, minorVersion } from "./versions";

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
    // How traffic reaches the app: ingress-nginx (retired upstream in March 2026) or DOKS's managed
    // Gateway API (Cilium). keepNginx keeps the nginx path serving beside the Gateway while a live
    // stack moves (docs/operations.md, "Move a stack from ingress-nginx to the Gateway API").
    ingress: z
        .strictObject({
            controller: z.enum(["nginx", "gateway"]).default("nginx"),
            keepNginx: z.boolean().default(false),
        })
        .prefault({}),
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

/** DOKS runs its managed Gateway API on VPC-native clusters of Kubernetes 1.33 or later (docs/configuration.md cites it). */
export const GATEWAY_MINIMUM_MINOR = "1.33";

type IngressRuleInput = Pick<z.output<typeof platform>, "ingress" | "ingressProxyProtocol"> & {
    kubernetesVersionPrefix: string;
    clusterSubnet?: string;
    serviceSubnet?: string;
};

/**
 * ingress.controller "gateway" needs what DOKS's Gateway API needs (Kubernetes 1.33 or later, a
 * VPC-native cluster) and refuses what it cannot carry; keepNginx means something only with it.
 */
export const ingressControllerRule: CrossFieldRule<IngressRuleInput> = (c, ctx) => {
    const issue = (path: (string | number)[], input: unknown, message: string) => ctx.addIssue({ code: "custom", path, input, message });
    if (c.ingress.controller !== "gateway") {
        if (c.ingress.keepNginx) issue(["ingress", "keepNginx"], true, 'false, or ingress.controller "gateway": it keeps ingress-nginx serving beside the Gateway');
        return;
    }
    const minor = c.kubernetesVersionPrefix.replace(/\.$/, "");
    if (/^\d+\.\d+$/.test(minor) && minorVersion(minor).compare(minorVersion(GATEWAY_MINIMUM_MINOR)) < 0) {
        issue(
            ["ingress", "controller"],
            "gateway",
            `"nginx", or a kubernetesVersionPrefix of ${GATEWAY_MINIMUM_MINOR} or later: DOKS's managed Gateway API runs on Kubernetes ${GATEWAY_MINIMUM_MINOR} and later (this stack: ${minor})`,
        );
    }
    if (c.clusterSubnet === undefined || c.serviceSubnet === undefined) {
        issue(
            ["ingress", "controller"],
            "gateway",
            '"nginx", or clusterSubnet and serviceSubnet set: DOKS\'s managed Gateway API runs only on VPC-native clusters, which those keys make',
        );
    }
    if (c.ingressProxyProtocol) {
        issue(
            ["ingressProxyProtocol"],
            true,
            'false with ingress.controller "gateway": Cilium reads the PROXY protocol only when switched on for the whole cluster (gatewayAPI.enableProxyProtocol), which DOKS manages; its Envoy sees the client\'s address without it',
        );
    }
};

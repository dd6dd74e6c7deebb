import { ResourceValidationArgs, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { byType, present, read } from "./common";
import { K8S } from "./resource-types";

// Network: how traffic reaches the cluster (TLS on every Ingress host and Gateway listener,
// Services exposed only by the ingress controller).

/** Namespaces where a Service may face the outside (LoadBalancer or NodePort). */
export const DEFAULT_EXPOSED_NAMESPACES = ["ingress-nginx"];

/** Every object under a key named "service" in Helm values, at any depth. */
function serviceValues(values: unknown): { type?: unknown }[] {
    const found: { type?: unknown }[] = [];
    const walk = (v: unknown) => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === "object") {
            for (const [k, child] of Object.entries(v)) {
                if (k === "service" && child && typeof child === "object" && !Array.isArray(child)) {
                    found.push(child as { type?: unknown });
                }
                walk(child);
            }
        }
    };
    walk(values);
    return found;
}

const EXPOSING_SERVICE_TYPES = ["LoadBalancer", "NodePort"];

const exposedNamespacesSchema = {
    properties: {
        allowedNamespaces: {
            type: "array" as const,
            items: { type: "string" as const },
            default: DEFAULT_EXPOSED_NAMESPACES,
        },
    },
};

function exposedNamespaces(args: ResourceValidationArgs): string[] {
    return args.getConfig<{ allowedNamespaces?: string[] }>().allowedNamespaces ?? DEFAULT_EXPOSED_NAMESPACES;
}

export const ingressTls: ResourceValidationPolicy = {
    name: "k8s-ingress-tls",
    description: "Every host in an Ingress's rules is covered by a TLS entry that names a certificate Secret.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(K8S.Ingress, (ingress, args, report) => {
        const tls = ingress.spec?.tls ?? [];
        const covered = new Set(tls.flatMap((t) => t.hosts ?? []));
        tls.forEach((t, i) => {
            if (!present(t.secretName)) report(`Ingress "${args.name}": tls[${i}] names no secretName.`);
        });
        for (const [i, rule] of (ingress.spec?.rules ?? []).entries()) {
            if (!present(rule.host)) report(`Ingress "${args.name}": rules[${i}] has no host, so no TLS entry can cover it.`);
            else if (!covered.has(rule.host as string)) {
                report(`Ingress "${args.name}": host "${rule.host}" has no TLS entry (spec.tls[].hosts).`);
            }
        }
    }),
};

/** The type of a Gateway API Gateway (a custom resource of the kubernetes provider). */
export const GATEWAY_TYPE = "kubernetes:gateway.networking.k8s.io/v1:Gateway";

interface GatewayListener {
    name?: string;
    protocol?: string;
    hostname?: string;
    tls?: { mode?: string; certificateRefs?: { name?: string }[] };
}

export const gatewayTls: ResourceValidationPolicy = {
    name: "k8s-gateway-tls",
    description:
        "Every HTTPS listener of a Gateway names its host and terminates TLS with a certificate Secret, and every host a listener serves has an HTTPS listener.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== GATEWAY_TYPE) args.notApplicable("not a Gateway");
        const listeners = read(() => (args.props.spec?.listeners ?? []) as GatewayListener[]);
        if (!listeners.known) return;
        const https = listeners.value.filter((l) => l.protocol === "HTTPS");
        for (const l of https) {
            if (!present(l.hostname)) report(`Gateway "${args.name}": HTTPS listener "${l.name}" names no hostname.`);
            if ((l.tls?.mode ?? "Terminate") !== "Terminate") report(`Gateway "${args.name}": HTTPS listener "${l.name}" does not terminate TLS.`);
            if (!(l.tls?.certificateRefs ?? []).some((r) => present(r.name))) {
                report(`Gateway "${args.name}": HTTPS listener "${l.name}" names no certificate Secret (tls.certificateRefs).`);
            }
        }
        const secured = new Set(https.map((l) => l.hostname));
        for (const l of listeners.value.filter((x) => x.protocol === "HTTP")) {
            if (!secured.has(l.hostname)) report(`Gateway "${args.name}": host "${l.hostname ?? "(any)"}" of listener "${l.name}" has no HTTPS listener.`);
        }
    },
};

export const serviceExposure: ResourceValidationPolicy = {
    name: "k8s-service-exposure",
    description:
        "Only the ingress controller's namespace exposes Services (LoadBalancer or NodePort); " +
        "everything else is ClusterIP, Services and Helm release values alike.",
    enforcementLevel: "mandatory",
    configSchema: exposedNamespacesSchema,
    validateResource: byType([
        validateResourceOfType(K8S.Service, (svc, args, report) => {
            const type = svc.spec?.type ?? "ClusterIP";
            const ns = svc.metadata?.namespace ?? "default";
            if (EXPOSING_SERVICE_TYPES.includes(type) && !exposedNamespaces(args).includes(ns)) {
                report(`Service "${args.name}" in namespace "${ns}" has type ${type}; outside ` +
                    `${exposedNamespaces(args).join(", ")} Services are ClusterIP (traffic enters through the Ingress).`);
            }
        }),
        validateResourceOfType(K8S.HelmRelease, (release, args, report) => {
            const ns = release.namespace ?? "default";
            if (exposedNamespaces(args).includes(ns)) return;
            const services = read(() => serviceValues(release.values));
            for (const svc of services.known ? services.value : []) {
                if (typeof svc.type === "string" && EXPOSING_SERVICE_TYPES.includes(svc.type)) {
                    report(`Helm release "${args.name}" in namespace "${ns}" asks for a ${svc.type} Service; ` +
                        `only ${exposedNamespaces(args).join(", ")} may expose one.`);
                }
            }
        }),
    ]),
};

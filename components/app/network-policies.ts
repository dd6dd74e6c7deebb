import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppScope } from "./namespace";
import { STATIC_PORT } from "./static-site";
import { APP_PORT } from "./web";

export interface NetworkPoliciesArgs {
    /** "restricted": pods reach only DNS, the database (app) and HTTPS (git-sync); "open": egress is not limited. */
    egress: "restricted" | "open";
    /** The ingress controller's namespace: the only source of traffic into the app's pods. */
    ingressNamespace: pulumi.Input<string>;
    /** Where the database listens: the VPC range and the direct and pool ports. */
    database: { cidr: pulumi.Input<string>; ports: pulumi.Input<number>[] };
}

/**
 * The namespace's NetworkPolicies: deny by default, let the ingress controller reach the web,
 * static and ACME solver pods, and with restricted egress open only DNS, the database (the web
 * pods, the role grants and the migrations) and git.
 */
export function createNetworkPolicies(scope: AppScope, args: NetworkPoliciesArgs): void {
    const { name, namespace, labels } = scope;
    const restricted = args.egress === "restricted";
    const policy = (suffix: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
        new k8s.networking.v1.NetworkPolicy(
            `${name}-${suffix}`,
            { metadata: { name: suffix, namespace, labels: labels.labels("network") }, spec },
            scope.opts,
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
        podSelector: { matchLabels: labels.selector("web") },
        policyTypes: ["Ingress"],
        ingress: [fromIngressController(APP_PORT)],
    });
    policy("static-from-ingress", {
        podSelector: { matchLabels: labels.selector("static") },
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
    for (const component of ["web", "roles", "migrate"] as const) {
        policy(`${component}-to-database`, {
            podSelector: { matchLabels: labels.selector(component) },
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
        podSelector: { matchLabels: labels.selector("sync") },
        policyTypes: ["Egress"],
        egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }],
    });
}

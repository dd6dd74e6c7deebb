import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppScope } from "./namespace";
import { STATIC_PORT } from "./static-site";
import { APP_PORT } from "./web";

/** The port cert-manager's HTTP-01 solver pods listen on (cert-manager pkg/issuer/acme/http/pod.go, acmeSolverListenPort). */
export const ACME_SOLVER_PORT = 8089;

export interface NetworkPoliciesArgs {
    /** "restricted": pods reach only DNS, the database (app) and HTTPS (git-sync); "open": egress is not limited. */
    egress: "restricted" | "open";
    /** Where requests come from: the ingress controller's namespace, and/or the Gateway's data plane. */
    from: { ingressNamespace?: pulumi.Input<string>; gateway: boolean };
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
    // Ports of the pods requests reach: the web and static pods, and cert-manager's HTTP-01 solver pods.
    const entries = [
        { suffix: "web", selector: labels.selector("web"), port: APP_PORT },
        { suffix: "static", selector: labels.selector("static"), port: STATIC_PORT },
        { suffix: "acme-solver", selector: { "acme.cert-manager.io/http01-solver": "true" }, port: ACME_SOLVER_PORT },
    ];

    policy("default-deny", {
        podSelector: {},
        policyTypes: restricted ? ["Ingress", "Egress"] : ["Ingress"],
    });
    const ingressNamespace = args.from.ingressNamespace;
    if (ingressNamespace !== undefined) {
        for (const e of entries) {
            policy(`${e.suffix}-from-ingress`, {
                podSelector: { matchLabels: e.selector },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ingressNamespace } } }],
                        ports: [{ protocol: "TCP", port: e.port }],
                    },
                ],
            });
        }
    }
    if (args.from.gateway) {
        // Cilium gives traffic from its Envoy (Ingress and Gateway API) the reserved identity
        // "ingress", which no Kubernetes NetworkPolicy peer matches (namespace and pod selectors select
        // labels it has none of; ipBlock skips cluster-managed sources), so the rule is Cilium's own:
        // fromEntities ingress (cilium/cilium Documentation/network/servicemesh/ingress-reference.rst,
        // Documentation/security/policy/language.rst "ingress"; pkg/k8s/network_policy.go). Cilium unions
        // the allow rules of both kinds, so the namespace's default deny still holds for the rest.
        for (const e of entries) {
            new k8s.apiextensions.CustomResource(
                `${name}-${e.suffix}-from-gateway`,
                {
                    apiVersion: "cilium.io/v2",
                    kind: "CiliumNetworkPolicy",
                    metadata: { name: `${e.suffix}-from-gateway`, namespace, labels: labels.labels("network") },
                    spec: {
                        endpointSelector: { matchLabels: e.selector },
                        ingress: [{ fromEntities: ["ingress"], toPorts: [{ ports: [{ port: String(e.port), protocol: "TCP" }] }] }],
                    },
                },
                scope.opts,
            );
        }
    }
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

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { INGRESS_CONTROLLER } from "./charts";

export const ACME_SERVERS = {
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
    production: "https://acme-v02.api.letsencrypt.org/directory",
} as const;

export type IssuerKind = keyof typeof ACME_SERVERS;

export const CLUSTER_ISSUERS: Record<IssuerKind, string> = {
    staging: "letsencrypt-staging",
    production: "letsencrypt-production",
};

/** Where Let's Encrypt's HTTP-01 challenges reach the cluster: the path DNS points at. */
export type Http01Through = { ingressClassName: string } | { gateway: { name: string; namespace: string } };

/** The HTTP-01 solver for that path: an Ingress of the class, or an HTTPRoute on the Gateway (cert-manager.io/docs/configuration/acme/http01/). */
export function http01Solver(through: Http01Through): Record<string, unknown> {
    if ("ingressClassName" in through) return { ingress: { ingressClassName: through.ingressClassName } };
    return { gatewayHTTPRoute: { parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", ...through.gateway }] } };
}

/** A Let's Encrypt ClusterIssuer's spec: HTTP-01 through the path that serves (default: the ingress controller). */
export function clusterIssuerSpec(kind: IssuerKind, email: string, through: Http01Through = { ingressClassName: INGRESS_CONTROLLER.className }): Record<string, unknown> {
    return {
        acme: {
            server: ACME_SERVERS[kind],
            email,
            privateKeySecretRef: { name: `${CLUSTER_ISSUERS[kind]}-account-key` },
            solvers: [{ http01: http01Solver(through) }],
        },
    };
}

export interface ClusterIssuersArgs {
    provider: k8s.Provider;
    /** Let's Encrypt's contact for the ACME accounts. */
    acmeEmail: string;
    /** The cert-manager release: the issuers need its CRDs. */
    certManager: pulumi.Resource;
    /** Where the HTTP-01 challenges go. */
    http01: Http01Through;
}

/** One ClusterIssuer per Let's Encrypt server (staging and production); their names by kind. */
export function createClusterIssuers(parent: pulumi.ComponentResource, name: string, args: ClusterIssuersArgs): Record<IssuerKind, pulumi.Output<string>> {
    const issuers = {} as Record<IssuerKind, pulumi.Output<string>>;
    for (const kind of Object.keys(ACME_SERVERS) as IssuerKind[]) {
        const issuer = new k8s.apiextensions.CustomResource(
            `${name}-${CLUSTER_ISSUERS[kind]}`,
            {
                apiVersion: "cert-manager.io/v1",
                kind: "ClusterIssuer",
                metadata: { name: CLUSTER_ISSUERS[kind] },
                spec: clusterIssuerSpec(kind, args.acmeEmail, args.http01),
            },
            { parent, provider: args.provider, dependsOn: [args.certManager] },
        );
        issuers[kind] = issuer.metadata.name;
    }
    return issuers;
}

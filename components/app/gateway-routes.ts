import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GatewayRef } from "../platform/gateway";
import { type Backend, type Route } from "./ingress";
import { AppScope } from "./namespace";

const GATEWAY_API = "gateway.networking.k8s.io";

export interface GatewayRoutesArgs {
    gateway: GatewayRef;
    hostnames: string[];
    routes: Route[];
    backends: Record<string, Backend>;
    /** The Secret the Gateway's HTTPS listeners serve (the one the nginx path's certificate fills too). */
    tlsSecretName: string;
    /**
     * Issue the certificate here (a cert-manager Certificate): when ingress-nginx no longer runs. While
     * it does, its Ingress's certificate fills the same Secret, so both paths serve one certificate.
     */
    certificate?: { clusterIssuer: pulumi.Input<string>; dnsReady: pulumi.Input<string> };
}

/** The backend a route names, as a Gateway API backendRef. */
function backendRef(route: Route, backends: Record<string, Backend>) {
    const known = backends[route.service];
    return { name: known?.name ?? route.service, port: route.port ?? known!.port };
}

/**
 * The app's side of the Gateway: leave to read the TLS Secret, one HTTPRoute per host name with a
 * rule per configured route on its HTTPS listener, one HTTPRoute that sends HTTP to HTTPS, and
 * (once nginx is gone) the Certificate, after DNS points at the Gateway so HTTP-01 succeeds.
 */
export function createGatewayRoutes(scope: AppScope, args: GatewayRoutesArgs): k8s.apiextensions.CustomResource[] {
    const { name } = scope;
    const parent = (sectionName: string) => ({ group: GATEWAY_API, kind: "Gateway", name: args.gateway.name, namespace: args.gateway.namespace, sectionName });
    // A Gateway in another namespace may read a Secret here only with a ReferenceGrant (Gateway API v1beta1, standard channel).
    new k8s.apiextensions.CustomResource(
        `${name}-gateway-tls-grant`,
        {
            apiVersion: `${GATEWAY_API}/v1beta1`,
            kind: "ReferenceGrant",
            metadata: scope.metadata("gateway-tls", "web"),
            spec: {
                from: [{ group: GATEWAY_API, kind: "Gateway", namespace: args.gateway.namespace }],
                to: [{ group: "", kind: "Secret", name: args.tlsSecretName }],
            },
        },
        scope.opts,
    );
    const httpRoute = (resourceName: string, objectName: string, spec: Record<string, unknown>) =>
        new k8s.apiextensions.CustomResource(
            `${name}-${resourceName}`,
            { apiVersion: `${GATEWAY_API}/v1`, kind: "HTTPRoute", metadata: scope.metadata(objectName, "web"), spec },
            scope.opts,
        );
    const routes = args.hostnames.map((host) =>
        httpRoute(`route-${host}`, `web-${host.replace(/\./g, "-")}`, {
            parentRefs: [parent(args.gateway.listeners[host].https)],
            hostnames: [host],
            rules: args.routes.map((r) => ({
                matches: [{ path: { type: "PathPrefix", value: r.path } }],
                backendRefs: [backendRef(r, args.backends)],
            })),
        }),
    );
    // PathPrefix "/": cert-manager's challenge routes match Exact paths, which take precedence
    // (HTTPRoute spec.rules: "Exact" path match before "Prefix"), so HTTP-01 still reaches its solver.
    routes.push(
        httpRoute("route-https-redirect", "https-redirect", {
            parentRefs: args.hostnames.map((h) => parent(args.gateway.listeners[h].http)),
            hostnames: args.hostnames,
            rules: [
                {
                    matches: [{ path: { type: "PathPrefix", value: "/" } }],
                    filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }],
                },
            ],
        }),
    );
    if (args.certificate) {
        new k8s.apiextensions.CustomResource(
            `${name}-gateway-certificate`,
            {
                apiVersion: "cert-manager.io/v1",
                kind: "Certificate",
                metadata: {
                    ...scope.metadata("web-gateway", "web"),
                    // Created only once DNS answers with the Gateway's load balancer, so HTTP-01 succeeds first time.
                    annotations: { "django-doks/dns-ready": args.certificate.dnsReady },
                },
                spec: {
                    secretName: args.tlsSecretName,
                    dnsNames: args.hostnames,
                    issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: args.certificate.clusterIssuer },
                },
            },
            { ...scope.opts, dependsOn: [...routes] },
        );
    }
    return routes;
}

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isIPv6 } from "node:net";
import { DO_LB } from "./charts";
import { idOnceExists, loadBalancerIdOf } from "./load-balancer";

/**
 * DOKS's managed Gateway API (Cilium), on VPC-native clusters of Kubernetes 1.33 or later, which
 * also installs the Gateway API CRDs (docs.digitalocean.com/products/kubernetes/how-to/use-gateway-api).
 * The class is Cilium's own (`cilium`, controller io.cilium/gateway-controller: cilium/cilium
 * Documentation/network/servicemesh/gateway-api); for each Gateway Cilium makes a LoadBalancer
 * Service `cilium-gateway-<gateway>` in the Gateway's namespace (operator/pkg/gateway-api/translation,
 * ciliumGatewayPrefix), for which DigitalOcean's cloud controller makes the load balancer.
 */
export const GATEWAY = {
    namespace: "gateway",
    name: "web",
    className: "cilium",
    service: "cilium-gateway-web",
    apiVersion: "gateway.networking.k8s.io/v1",
} as const;

/** What the app needs to attach its routes to the Gateway. */
export interface GatewayRef {
    name: string;
    namespace: string;
    /** The HTTP (port 80) and HTTPS (port 443) listener of each host name, by host name. */
    listeners: Record<string, { http: string; https: string }>;
}

/** A listener's name for a host name: its labels joined by "-" (a SectionName is a DNS label-like name). */
export const listenerName = (protocol: "http" | "https", hostname: string) => `${protocol}-${hostname.replace(/\./g, "-")}`;

export interface GatewayArgs {
    provider: k8s.Provider;
    hostnames: string[];
    /** The app's namespace: its routes attach to the listeners, and it holds the TLS Secret. */
    appNamespace: string;
    tlsSecretName: string;
    /** The load balancer's name (loadBalancerName and "-gateway": the nginx one may still exist beside it). */
    loadBalancerName: string;
}

export interface Gateway {
    ref: GatewayRef;
    resource: k8s.apiextensions.CustomResource;
    /** Public IPv4, from the Gateway's status.addresses. */
    ip: pulumi.Output<string>;
    /** DigitalOcean's id of the load balancer, from the annotation the cloud controller writes on Cilium's Service. */
    id: pulumi.Output<string>;
}

/** The Gateway's load balancer name: beside the nginx one while both serve, so never the same name. */
export const gatewayLoadBalancerName = (loadBalancerName: string) => `${loadBalancerName}-gateway`;

/** An entry of a Gateway's status.addresses (Gateway API GatewayStatusAddress). */
export interface GatewayAddress {
    type?: string;
    value: string;
}

/** The IPv4 among a Gateway's addresses (type IPAddress, the default when type is unset). */
export function gatewayIpv4(addresses: GatewayAddress[] | undefined): string | undefined {
    return (addresses ?? []).find((a) => (a.type ?? "IPAddress") === "IPAddress" && !isIPv6(a.value))?.value;
}

/** The error a user sees when the Gateway has no public IPv4 (as for the ingress controller's Service). */
export function noGatewayIp(gatewayId: string, addresses: GatewayAddress[] | undefined): Error {
    const [namespace, name] = gatewayId.split("/");
    return new Error(
        `The Gateway's load balancer has no public IPv4: Gateway ${gatewayId} reports status.addresses = ${JSON.stringify(addresses ?? [])}. ` +
            `See its conditions and Cilium's Service with "kubectl -n ${namespace} describe gateway ${name}" and ` +
            `"kubectl -n ${namespace} describe service ${GATEWAY.service}" (or "doctl compute load-balancer list"), then run pulumi up again.`,
    );
}

/**
 * The stack's Gateway: HTTP and HTTPS listeners per host name, routes from the app's namespace
 * only, TLS from the app's Secret (the app grants the reference), the load balancer named through
 * spec.infrastructure (Cilium copies its annotations to its Service: cilium/cilium#29122).
 */
export function createGateway(parent: pulumi.ComponentResource, name: string, args: GatewayArgs): Gateway {
    const opts = { parent, provider: args.provider };
    const ns = new k8s.core.v1.Namespace(
        `${name}-${GATEWAY.namespace}`,
        { metadata: { name: GATEWAY.namespace, labels: { "app.kubernetes.io/part-of": "platform" } } },
        opts,
    );
    const fromApp = { namespaces: { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": args.appNamespace } } } };
    const listeners = Object.fromEntries(args.hostnames.map((h) => [h, { http: listenerName("http", h), https: listenerName("https", h) }]));
    const gateway = new k8s.apiextensions.CustomResource(
        `${name}-gateway`,
        {
            apiVersion: GATEWAY.apiVersion,
            kind: "Gateway",
            metadata: {
                name: GATEWAY.name,
                namespace: GATEWAY.namespace,
                // Created once the load balancer has an address (pulumi-kubernetes await annotation, pulumi/pulumi-kubernetes#3134;
                // a primitive JSONPath, as 4.18.4's changelog asks). Not "Programmed": the HTTPS listeners wait for
                // a certificate that is issued only once DNS points here.
                annotations: { "pulumi.com/waitFor": "jsonpath={.status.addresses[0].value}" },
            },
            spec: {
                gatewayClassName: GATEWAY.className,
                infrastructure: { annotations: { [`${DO_LB}-name`]: gatewayLoadBalancerName(args.loadBalancerName) } },
                listeners: args.hostnames.flatMap((hostname) => [
                    { name: listeners[hostname].http, protocol: "HTTP", port: 80, hostname, allowedRoutes: fromApp },
                    {
                        name: listeners[hostname].https,
                        protocol: "HTTPS",
                        port: 443,
                        hostname,
                        tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: args.tlsSecretName, namespace: args.appNamespace }] },
                        allowedRoutes: fromApp,
                    },
                ]),
            },
        },
        { ...opts, dependsOn: [ns] },
    );

    // Both read by ids the program fixes, after the Gateway (as the nginx path reads its Service).
    const gatewayId = `${GATEWAY.namespace}/${GATEWAY.name}`;
    // A read returns the keys its args name (@pulumi/kubernetes apiextensions/customResource.js): status among them.
    const read = new k8s.apiextensions.CustomResource(
        `${name}-gateway-status`,
        { apiVersion: GATEWAY.apiVersion, kind: "Gateway", status: undefined },
        { ...opts, id: idOnceExists(gateway, gatewayId), dependsOn: [gateway] },
    );
    const ip = (read as unknown as { status: pulumi.Output<{ addresses?: GatewayAddress[] } | undefined> }).status.apply((status) => {
        const v4 = gatewayIpv4(status?.addresses);
        if (v4 === undefined) throw noGatewayIp(gatewayId, status?.addresses);
        return v4;
    });
    const serviceId = `${GATEWAY.namespace}/${GATEWAY.service}`;
    const service = k8s.core.v1.Service.get(`${name}-gateway-service`, idOnceExists(gateway, serviceId), { ...opts, dependsOn: [gateway] });
    const id = loadBalancerIdOf(service, serviceId);
    return { ref: { name: GATEWAY.name, namespace: GATEWAY.namespace, listeners }, resource: gateway, ip, id };
}

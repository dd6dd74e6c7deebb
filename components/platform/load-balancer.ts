import * as digitalocean from "@pulumi/digitalocean";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isIPv6 } from "node:net";
import { INGRESS_CONTROLLER } from "./charts";

/** One entry of a Service's status.loadBalancer.ingress. */
export interface LoadBalancerIngress {
    ip?: string;
    hostname?: string;
}

/**
 * Where the load balancer's public IPv4 comes from: the Service status (the source of truth, as
 * the cloud controller writes it), or, when the status carries only the hostname the
 * do-loadbalancer-hostname annotation puts there instead, the DigitalOcean API by the load balancer's id.
 * The API server validates `ip` as an IP address, so an entry that is not IPv6 is the IPv4
 * (the cloud controller adds a second, IPv6 entry for dual-stack load balancers):
 * digitalocean-cloud-controller-manager cloud-controller-manager/do/loadbalancers.go, EnsureLoadBalancer.
 */
export function loadBalancerAddress(ingress: LoadBalancerIngress[] | undefined): { ip: string } | { hostname: string } | undefined {
    const entries = ingress ?? [];
    const ip = entries.map((e) => e.ip).find((a): a is string => !!a && !isIPv6(a));
    if (ip) return { ip };
    const hostname = entries.map((e) => e.hostname).find((h): h is string => !!h);
    return hostname ? { hostname } : undefined;
}

/** The error a user sees when neither the Service status nor the load balancer has an IPv4. */
export function noLoadBalancerIp(service: string, ingress: LoadBalancerIngress[] | undefined, lookup?: { id: string; ip: string }): Error {
    const status = JSON.stringify(ingress ?? []);
    const lookedUp = lookup ? ` and the DigitalOcean load balancer ${lookup.id} reports ip ${JSON.stringify(lookup.ip)}` : "";
    return new Error(
        `The ingress controller's load balancer has no public IPv4: Service ${service} reports ` +
            `status.loadBalancer.ingress = ${status}${lookedUp}. See the cloud controller's events with ` +
            `"kubectl -n ${service.split("/")[0]} describe service ${service.split("/")[1]}" (or "doctl compute load-balancer list"), then run pulumi up again.`,
    );
}

/**
 * The annotation DigitalOcean's cloud controller writes on a LoadBalancer Service when it creates
 * the load balancer, before the Service's status has an address
 * (digitalocean-cloud-controller-manager cloud-controller-manager/do/lb_annotations.go,
 * annDOLoadBalancerID; loadbalancers.go, EnsureLoadBalancer: updateServiceAnnotation on create).
 * The controller itself finds the load balancer by it before it tries the name.
 */
export const LOAD_BALANCER_ID_ANNOTATION = "kubernetes.digitalocean.com/load-balancer-id";

/** The error when the controller Service carries no load balancer id. */
export function noLoadBalancerId(service: string, annotations: Record<string, string> | undefined): Error {
    return new Error(
        `The load balancer's Service ${service} has no ${LOAD_BALANCER_ID_ANNOTATION} annotation (annotations: ` +
            `${JSON.stringify(annotations ?? {})}): DigitalOcean's cloud controller writes it when it creates the load balancer. See its events with ` +
            `"kubectl -n ${service.split("/")[0]} describe service ${service.split("/")[1]}", then run pulumi up again.`,
    );
}

/** The load balancer id DigitalOcean's cloud controller annotated on a LoadBalancer Service. */
export function loadBalancerIdOf(service: k8s.core.v1.Service, serviceId: string): pulumi.Output<string> {
    return service.metadata.apply((metadata) => {
        const lbId = metadata?.annotations?.[LOAD_BALANCER_ID_ANNOTATION];
        if (!lbId) throw noLoadBalancerId(serviceId, metadata?.annotations);
        return lbId;
    });
}

export interface LoadBalancerArgs {
    provider: k8s.Provider;
    /** The ingress-nginx release: its controller Service fronts the load balancer. */
    ingress: k8s.helm.v3.Release;
}

export interface LoadBalancer {
    /** Public IPv4. */
    ip: pulumi.Output<string>;
    /** DigitalOcean's id of the load balancer. */
    id: pulumi.Output<string>;
}

/**
 * The ingress controller's load balancer, read from its Service once the release is up: the id
 * the cloud controller annotated, and the public IPv4 from the status (or, when the status carries
 * only the do-loadbalancer-hostname, from the DigitalOcean API by that id). Never by name: a name
 * lookup fails on "too many" after a rename or a cluster replacement, and races the cloud
 * controller after an upgrade of the release.
 */
export function readLoadBalancer(parent: pulumi.ComponentResource, name: string, args: LoadBalancerArgs): LoadBalancer {
    // The id is the program's own (namespace and Service name fixed in charts.ts), so it stays known
    // in the preview of a release update, whose `status` the provider leaves unknown
    // (pulumi-kubernetes provider/pkg/provider/helm_release.go, Update: checkpointRelease of the inputs).
    // It waits for the release's id (idOnceExists), so the read comes after the release, which waits
    // until the Service has its load balancer; the engine answers a registration when its step is done
    // (pulumi/pulumi pkg/resource/deploy/source_eval.go, RegisterResource: "block waiting for the
    // operation to finish"). dependsOn states the same order.
    const serviceId = `${INGRESS_CONTROLLER.namespace}/${INGRESS_CONTROLLER.service}`;
    const controller = k8s.core.v1.Service.get(`${name}-ingress-controller`, idOnceExists(args.ingress, serviceId), {
        parent,
        provider: args.provider,
        dependsOn: [args.ingress],
    });
    const id = loadBalancerIdOf(controller, serviceId);
    const ip = pulumi.all([controller.status, id]).apply(([status, lbId]) => {
        const ingressStatus = status?.loadBalancer?.ingress;
        const address = loadBalancerAddress(ingressStatus);
        if (address === undefined) throw noLoadBalancerIp(serviceId, ingressStatus);
        if ("ip" in address) return pulumi.output(address.ip);
        return digitalocean.getLoadBalancerOutput({ id: lbId }, { parent }).apply((lb) => {
            const found = loadBalancerAddress([{ ip: lb.ip }]);
            if (found === undefined || !("ip" in found)) throw noLoadBalancerIp(serviceId, ingressStatus, { id: lbId, ip: lb.ip });
            return found.ip;
        });
    });
    return { ip, id };
}

/**
 * The id of an object `creator` makes, for a read of it: known once `creator` exists, unknown in the
 * preview of the update that creates it. A preview reads an object whose id and provider are known,
 * and fails with "resource '<id>' does not exist" when the object is not there yet (seen with the
 * real engine on a live stack moved to the Gateway API: scripts/lifecycle-gateway-move.sh); the
 * engine keeps a resource's id through an update and leaves it unknown for a create or replacement.
 */
export function idOnceExists(creator: pulumi.CustomResource, id: string): pulumi.Output<string> {
    return creator.id.apply(() => id);
}

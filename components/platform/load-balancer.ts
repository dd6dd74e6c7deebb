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
 * do-loadbalancer-hostname annotation puts there instead, the DigitalOcean API by name.
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

/** The error a user sees when neither the Service status nor the named load balancer has an IPv4. */
export function noLoadBalancerIp(service: string, ingress: LoadBalancerIngress[] | undefined, lookup?: { name: string; ip: string }): Error {
    const status = JSON.stringify(ingress ?? []);
    const byName = lookup ? ` and the DigitalOcean load balancer "${lookup.name}" reports ip ${JSON.stringify(lookup.ip)}` : "";
    return new Error(
        `The ingress controller's load balancer has no public IPv4: Service ${service} reports ` +
            `status.loadBalancer.ingress = ${status}${byName}. See the cloud controller's events with ` +
            `"kubectl -n ${service.split("/")[0]} describe service ${service.split("/")[1]}" (or "doctl compute load-balancer list"), then run pulumi up again.`,
    );
}

export interface LoadBalancerIpArgs {
    provider: k8s.Provider;
    /** The ingress-nginx release: its controller Service fronts the load balancer. */
    ingress: k8s.helm.v3.Release;
    /** The DigitalOcean load balancer's name, for the lookup when the status has only a hostname. */
    loadBalancerName: string;
}

/** The public IPv4 of the ingress controller's load balancer, read from its Service once the release is up. */
export function readLoadBalancerIp(parent: pulumi.ComponentResource, name: string, args: LoadBalancerIpArgs): pulumi.Output<string> {
    // The release waits until the Service has its load balancer, so its status is set by now.
    // Reading the Service (not the load balancer by name) cannot be ambiguous after a
    // loadBalancerName change or a cluster replacement.
    const serviceId = args.ingress.status.apply((s) => `${s.namespace}/${INGRESS_CONTROLLER.service}`);
    const controller = k8s.core.v1.Service.get(`${name}-ingress-controller`, serviceId, {
        parent,
        provider: args.provider,
        dependsOn: [args.ingress],
    });
    return pulumi.all([serviceId, controller.status]).apply(([id, status]) => {
        const ingressStatus = status?.loadBalancer?.ingress;
        const address = loadBalancerAddress(ingressStatus);
        if (address === undefined) throw noLoadBalancerIp(id, ingressStatus);
        if ("ip" in address) return pulumi.output(address.ip);
        return digitalocean
            .getLoadBalancerOutput({ name: args.loadBalancerName }, { parent })
            .apply((lb) => {
                const ip = loadBalancerAddress([{ ip: lb.ip }]);
                if (ip === undefined || !("ip" in ip)) {
                    throw noLoadBalancerIp(id, ingressStatus, { name: args.loadBalancerName, ip: lb.ip });
                }
                return ip.ip;
            });
    });
}

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppScope } from "./namespace";

export interface Route {
    path: string;
    /** "app", "static" or the name of another Service in the app namespace. */
    service: string;
    /** Default: the app's or the static server's port; required for another Service. */
    port?: number;
}

/** A Service the routes name by a short name ("app", "static"). */
export interface Backend {
    name: pulumi.Input<string>;
    port: number;
}

export interface AppIngressArgs {
    hostnames: string[];
    /** Each route goes to every host name, as a Prefix path. */
    routes: Route[];
    /** The Services routes name by their short name. */
    backends: Record<string, Backend>;
    ingressClassName: pulumi.Input<string>;
    clusterIssuer: pulumi.Input<string>;
    /** Resolves once DNS points at the load balancer: the Ingress (and its certificate) waits for it. */
    dnsReady: pulumi.Input<string>;
}

/** The Secret the site's certificate is in: the Ingress's, and the Gateway's listeners'. */
export const TLS_SECRET_NAME = "web-tls";

/** The app's Ingress: the routes on every host name, TLS by cert-manager, HTTP redirected to HTTPS. */
export function createIngress(scope: AppScope, args: AppIngressArgs): k8s.networking.v1.Ingress {
    const paths = args.routes.map((r) => {
        const known = args.backends[r.service];
        return {
            path: r.path,
            pathType: "Prefix",
            backend: { service: { name: known?.name ?? r.service, port: { number: r.port ?? known!.port } } },
        };
    });
    return new k8s.networking.v1.Ingress(
        `${scope.name}-web`,
        {
            metadata: {
                ...scope.metadata("web", "web"),
                annotations: {
                    "cert-manager.io/cluster-issuer": args.clusterIssuer,
                    "nginx.ingress.kubernetes.io/ssl-redirect": "true",
                    // Created only once DNS answers with the load balancer, so HTTP-01 succeeds first time.
                    "django-doks/dns-ready": args.dnsReady,
                },
            },
            spec: {
                ingressClassName: args.ingressClassName,
                tls: [{ hosts: args.hostnames, secretName: TLS_SECRET_NAME }],
                rules: args.hostnames.map((host) => ({ host, http: { paths } })),
            },
        },
        scope.opts,
    );
}

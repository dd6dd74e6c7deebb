import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createDatabaseRoles, DatabaseRolesArgs } from "./database-roles";
import { createAppEnv } from "./env";
import type { Traffic } from "../platform";
import { createGatewayRoutes } from "./gateway-routes";
import { createIngress, Route, TLS_SECRET_NAME } from "./ingress";
import { createMigrations } from "./migrations";
import { createAppNamespace } from "./namespace";
import { createNetworkPolicies } from "./network-policies";
import { createStaticSite, STATIC_PORT, StaticContentArgs } from "./static-site";
import { APP_PORT, createWeb, Probes, Scaling } from "./web";
import { ComputeResources } from "./workload";

export { PSQL_IMAGE, ROLE_GRANTS, ROLE_GRANTS_SCRIPT } from "./database-roles";
export type { DatabaseRolesArgs } from "./database-roles";
export { APP_NAMESPACE } from "./namespace";
export { TLS_SECRET_NAME } from "./ingress";
export { ACME_SOLVER_PORT } from "./network-policies";
export { APP_PORT } from "./web";
export { CONTENT_LINK, CONTENT_ROOT, IMAGES, STATIC_PORT, STORAGE_CLASS, staticServerConfig } from "./static-site";
export { contentHash } from "./workload";
export type { Route } from "./ingress";
export type { StaticContentArgs } from "./static-site";
export type { Probes, Scaling } from "./web";
export type { ComputeResources } from "./workload";

export interface AppArgs {
    provider: k8s.Provider;
    namespace: string;
    /** Instance label: the stack. */
    instance: string;
    /** Every pod of the app runs on nodes with these labels (the worker pool's). */
    nodeSelector: Record<string, string>;
    /** Image by tag or digest. */
    image: pulumi.Input<string>;
    hostnames: string[];
    env: Record<string, string>;
    /** Secret environment variables (a Pulumi secret). */
    secretEnv: pulumi.Input<Record<string, string>>;
    /** Through the connection pool (secret). */
    databaseUrl: pulumi.Input<string>;
    /** Direct connection as the owner role, for migrations (secret). */
    migrationDatabaseUrl: pulumi.Input<string>;
    /** What the role grants before the migrations need: the database, its roles, doadmin's URL (secret). */
    databaseRoles: Omit<DatabaseRolesArgs, "ownerUrl">;
    /** Where the database listens: the VPC range and the direct and pool ports. */
    database: { cidr: pulumi.Input<string>; ports: pulumi.Input<number>[] };
    /** .dockerconfigjson for the registry (secret). */
    registryDockerConfigJson: pulumi.Input<string>;
    /** How requests reach the app: an Ingress of ingress-nginx, routes on DOKS's Gateway, or both. */
    traffic: Traffic;
    clusterIssuer: pulumi.Input<string>;
    /** Resolves once DNS points at the load balancer: the Ingress, or the Gateway's certificate, waits for it. */
    dnsReady: pulumi.Input<string>;
    routes: Route[];
    scaling: Scaling;
    resources: ComputeResources;
    probes: Probes;
    gunicornWorkers: number;
    migrateCommand: string[];
    staticContent: StaticContentArgs;
    /** "restricted": pods reach only DNS, the database (app) and HTTPS (git-sync). */
    egress: "restricted" | "open";
}

/**
 * The Django application and its static site: configuration, secrets, the database roles' grants, migrations, the web
 * Deployment with its Service, Ingress, autoscaler and disruption budget, the static-content
 * volume with its nginx server and git sync, and the namespace's network policies.
 * Each concern is a builder in this folder; every object is a child of this component.
 */
export class App extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly deploymentName: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    public readonly ingressName: pulumi.Output<string>;

    constructor(name: string, args: AppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("django-doks:app:App", name, {}, opts);
        const scope = createAppNamespace(this, name, {
            provider: args.provider,
            namespace: args.namespace,
            instance: args.instance,
            nodeSelector: args.nodeSelector,
        });
        const env = createAppEnv(scope, {
            hostnames: args.hostnames,
            env: args.env,
            secretEnv: args.secretEnv,
            databaseUrl: args.databaseUrl,
            migrationDatabaseUrl: args.migrationDatabaseUrl,
            registryDockerConfigJson: args.registryDockerConfigJson,
            gunicornWorkers: args.gunicornWorkers,
        });
        const pullSecretName = env.pullSecret.metadata.name;
        const roles = createDatabaseRoles(scope, { ...args.databaseRoles, ownerUrl: args.migrationDatabaseUrl });
        const migrations = createMigrations(scope, {
            image: args.image,
            command: args.migrateCommand,
            envFrom: env.envFrom,
            migrationSecretName: env.migrationSecret.metadata.name,
            pullSecretName,
            resources: args.resources,
            dependsOn: [roles],
        });
        const web = createWeb(scope, {
            image: args.image,
            envFrom: env.envFrom,
            configHash: env.configHash,
            pullSecretName,
            resources: args.resources,
            probes: args.probes,
            scaling: args.scaling,
            dependsOn: [migrations],
        });
        const staticSite = createStaticSite(scope, args.staticContent);
        const backends = {
            app: { name: web.service.metadata.name, port: APP_PORT },
            static: { name: staticSite.service.metadata.name, port: STATIC_PORT },
        };
        const { ingress: viaIngress, gateway: viaGateway } = args.traffic;
        const ingress =
            viaIngress &&
            createIngress(scope, {
                hostnames: args.hostnames,
                routes: args.routes,
                backends,
                ingressClassName: viaIngress.className,
                clusterIssuer: args.clusterIssuer,
                dnsReady: args.dnsReady,
            });
        const routes =
            viaGateway &&
            createGatewayRoutes(scope, {
                gateway: viaGateway,
                hostnames: args.hostnames,
                routes: args.routes,
                backends,
                tlsSecretName: TLS_SECRET_NAME,
                // While ingress-nginx runs, its Ingress's certificate fills the Secret both paths serve.
                ...(viaIngress === undefined && { certificate: { clusterIssuer: args.clusterIssuer, dnsReady: args.dnsReady } }),
            });
        createNetworkPolicies(scope, {
            egress: args.egress,
            from: { ingressNamespace: viaIngress?.controllerNamespace, gateway: viaGateway !== undefined },
            database: args.database,
        });

        this.namespace = scope.namespace;
        this.deploymentName = web.deployment.metadata.name;
        this.serviceName = web.service.metadata.name;
        // What serves the site: the uptime checks start once it exists.
        this.ingressName = ingress ? ingress.metadata.name : pulumi.output(routes![0].metadata).apply((m) => m.name);
        this.registerOutputs({
            namespace: this.namespace,
            deploymentName: this.deploymentName,
            serviceName: this.serviceName,
            ingressName: this.ingressName,
        });
    }
}

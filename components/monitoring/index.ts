import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { AlertTarget, MonitoringSettings, nodeTag, resourceAlertSpecs, uptimeAlertSpecs } from "./alerts";

export * from "./alerts";

interface Route {
    path: string;
    service: string;
}

/** The route that serves a path: the longest prefix, as an Ingress with pathType Prefix picks it. */
function routeFor(path: string, routes: Route[]): Route | undefined {
    return routes
        .filter((r) => r.path === "/" || path === r.path || path.startsWith(`${r.path.replace(/\/$/, "")}/`))
        .sort((a, b) => b.path.length - a.path.length)[0];
}

/**
 * The path the uptime checks request: the configured one, else the app's readiness path when
 * the Ingress sends it to the app (it answers 503 when the database is unreachable, so the
 * check sees what users see without rendering a page), else "/".
 */
export function uptimePath(configured: string | undefined, readinessPath: string, routes: Route[]): string {
    if (configured !== undefined) return configured;
    return routeFor(readinessPath, routes)?.service === "app" ? readinessPath : "/";
}

export interface MonitoringArgs {
    /** Display prefix of every check and alert (the stack's resource name). */
    name: string;
    hostnames: string[];
    path: string;
    /**
     * Known once the app's Ingress exists: the checks start only then, so that a first deploy
     * does not page while the load balancer, DNS and certificate are still on their way.
     */
    appServed: pulumi.Input<string>;
    settings: MonitoringSettings;
    slackWebhook?: pulumi.Input<string>;
    /** The DOKS cluster: node alerts are scoped to its node tag. */
    clusterId: pulumi.Input<string>;
    /** The DigitalOcean load balancer in front of the ingress controller: its name, for people. */
    loadBalancerName: string;
    /** Its id, as DigitalOcean's cloud controller annotated the ingress controller's Service. */
    loadBalancerId: pulumi.Input<string>;
    databaseClusterId: pulumi.Input<string>;
}

export interface MonitoringSummary {
    enabled: true;
    uptimeChecks: { url: string; regions: string[]; alerts: string[] }[];
    resourceAlerts: { on: string; alerts: string[] }[];
    alertEmails: string[];
    slackChannel: string | null;
    silenced: string[];
}

/**
 * DigitalOcean's own monitoring for the stack: an uptime check per host name with down, latency
 * and certificate-expiry alerts, and resource alerts on the nodes, the load balancer and the database.
 */
export class Monitoring extends pulumi.ComponentResource {
    public readonly uptimeCheckIds: pulumi.Output<string[]>;
    public readonly loadBalancerId: pulumi.Output<string>;
    /** What is watched and where alerts go; never the webhook. */
    public readonly summary: pulumi.Output<MonitoringSummary>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("django-doks:ops:Monitoring", name, {}, opts);
        const s = args.settings;
        const slack = (url: pulumi.Input<string>) => [{ channel: s.slackChannel ?? "", url }];
        const slacks = args.slackWebhook === undefined ? [] : slack(args.slackWebhook);

        const uptimeSpecs = uptimeAlertSpecs(s.uptime, s.silenced);
        const checks = args.hostnames.map((host) => {
            const url = `https://${host}${args.path}`;
            const check = new digitalocean.UptimeCheck(
                `${name}-${host}`,
                {
                    name: `${args.name} ${host}`,
                    type: "https",
                    target: pulumi.output(args.appServed).apply(() => url),
                    regions: s.uptime.regions,
                    enabled: true,
                },
                { parent: this },
            );
            for (const a of uptimeSpecs) {
                new digitalocean.UptimeAlert(
                    `${name}-${host}-${a.key}`,
                    {
                        name: `${args.name} ${host}: ${a.describe}`,
                        checkId: check.id,
                        type: a.type,
                        comparison: a.comparison,
                        threshold: a.threshold,
                        period: a.period,
                        notifications: [{ emails: s.alertEmails, slacks }],
                    },
                    { parent: this },
                );
            }
            return { check, url };
        });

        this.loadBalancerId = pulumi.output(args.loadBalancerId);

        const clusterTag = pulumi.output(args.clusterId).apply(nodeTag);
        const scope: Record<AlertTarget, { tags?: pulumi.Input<string>[]; entities?: pulumi.Input<string>[] }> = {
            nodes: { tags: [clusterTag] },
            loadBalancer: { entities: [this.loadBalancerId] },
            database: { entities: [args.databaseClusterId] },
        };
        const alertSpecs = resourceAlertSpecs(s);
        for (const a of alertSpecs) {
            new digitalocean.MonitorAlert(
                `${name}-${a.key}`,
                {
                    description: `${args.name}: ${a.describe}`,
                    type: a.type,
                    compare: a.compare,
                    value: a.value,
                    window: a.window,
                    enabled: a.enabled,
                    ...scope[a.target],
                    alerts: { emails: s.alertEmails, slacks },
                },
                { parent: this },
            );
        }

        this.uptimeCheckIds = pulumi.all(checks.map((c) => c.check.id));
        const targets: Record<AlertTarget, pulumi.Output<string>> = {
            nodes: pulumi.interpolate`nodes tagged ${clusterTag}`,
            loadBalancer: pulumi.interpolate`load balancer ${args.loadBalancerName} (${this.loadBalancerId})`,
            database: pulumi.interpolate`database cluster ${args.databaseClusterId}`,
        };
        this.summary = pulumi.all(targets).apply((on) => ({
            enabled: true as const,
            uptimeChecks: checks.map((c) => ({ url: c.url, regions: [...s.uptime.regions], alerts: uptimeSpecs.map((a) => a.describe) })),
            resourceAlerts: (Object.keys(on) as AlertTarget[]).map((t) => ({
                on: on[t],
                alerts: alertSpecs.filter((a) => a.target === t && a.enabled).map((a) => a.describe),
            })),
            alertEmails: [...s.alertEmails],
            slackChannel: args.slackWebhook === undefined ? null : (s.slackChannel ?? null),
            silenced: [...s.silenced],
        }));

        this.registerOutputs({ uptimeCheckIds: this.uptimeCheckIds, loadBalancerId: this.loadBalancerId, summary: this.summary });
    }
}

import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { ALERT_NAMES, StackConfig } from "./config";

export type AlertName = (typeof ALERT_NAMES)[number];

/** The validated `monitoring` config, without the Slack webhook (a secret, passed on its own). */
export type MonitoringSettings = Omit<StackConfig["monitoring"], "slackWebhook">;

/**
 * Uptime alert types as DigitalOcean's API takes them ("latency", "down", "down_global",
 * "ssl_expiry": terraform-provider-digitalocean digitalocean/uptime/resource_uptime_alert.go;
 * https://docs.digitalocean.com/reference/pydo/reference/uptime/create_alert/ gives the
 * threshold units: latency in milliseconds, ssl_expiry in days, none for down).
 * `down` fires when the target is down from any checking region.
 */
export const UPTIME_ALERT_TYPES = {
    down: "down",
    latency: "latency",
    sslExpiry: "ssl_expiry",
} as const;

/** Uptime alert comparisons (resource_uptime_alert.go: "greater_than", "less_than"). */
export type UptimeComparison = "greater_than" | "less_than";

/**
 * Resource alert policy types and the entity each takes (DigitalOcean API, create/update alert
 * policy: https://docs.digitalocean.com/reference/pydo/reference/monitoring/update_alert_policy/;
 * the same list is in @pulumi/digitalocean monitorAlert.d.ts). With no tags and no entities a
 * policy applies to every resource of its kind in the account, so each one here names its target.
 */
export const MONITOR_ALERT_TYPES = {
    /** Droplet ID or a Droplet tag. */
    dropletCpu: "v1/insights/droplet/cpu",
    dropletMemory: "v1/insights/droplet/memory_utilization_percent",
    dropletDisk: "v1/insights/droplet/disk_utilization_percent",
    /** Load balancer ID. The HTTP ones need HTTP forwarding rules (see README, "Monitoring"). */
    lb5xxRate: "v1/insights/lbaas/increase_in_http_error_rate_percentage_5xx",
    lbResponseTime95p: "v1/insights/lbaas/high_http_request_response_time_95p",
    lbDropletHealth: "v1/insights/lbaas/droplet_health",
    /** Database cluster UUID. */
    dbCpu: "v1/dbaas/alerts/cpu_alerts",
    dbMemory: "v1/dbaas/alerts/memory_utilization_alerts",
    dbDisk: "v1/dbaas/alerts/disk_utilization_alerts",
} as const;

export type MonitorAlertType = (typeof MONITOR_ALERT_TYPES)[keyof typeof MONITOR_ALERT_TYPES];

/**
 * The tag DOKS puts on every node of every pool of a cluster: "All node pools are automatically
 * tagged `k8s`, `k8s-worker`, and `k8s:$K8S_CLUSTER_ID`" (digitalocean/openapi
 * specification/resources/kubernetes/models/node_pool.yml). The project's own pool tags name the
 * project and stack, not the cluster, and only the default pool carries them.
 */
export function nodeTag(clusterId: string): string {
    return `k8s:${clusterId}`;
}

export interface UptimeAlertSpec {
    key: AlertName;
    type: (typeof UPTIME_ALERT_TYPES)[keyof typeof UPTIME_ALERT_TYPES];
    comparison?: UptimeComparison;
    threshold?: number;
    period: string;
    describe: string;
}

/** The alerts on every uptime check, the silenced ones left out (uptime alerts cannot be disabled). */
export function uptimeAlertSpecs(u: MonitoringSettings["uptime"], silenced: readonly AlertName[] = []): UptimeAlertSpec[] {
    const specs: UptimeAlertSpec[] = [
        { key: "down", type: UPTIME_ALERT_TYPES.down, period: u.downPeriod, describe: `down from any region for ${u.downPeriod}` },
        {
            key: "latency",
            type: UPTIME_ALERT_TYPES.latency,
            comparison: "greater_than",
            threshold: u.latencyMs,
            period: u.latencyPeriod,
            describe: `latency above ${u.latencyMs} ms for ${u.latencyPeriod}`,
        },
        {
            key: "cert-expiry",
            type: UPTIME_ALERT_TYPES.sslExpiry,
            comparison: "less_than",
            threshold: u.certExpiryDays,
            // The certificate's remaining days change once a day; a short period only adds noise.
            period: "1h",
            describe: `TLS certificate expires in less than ${u.certExpiryDays} days`,
        },
    ];
    return specs.filter((a) => !silenced.includes(a.key));
}

export type AlertTarget = "nodes" | "loadBalancer" | "database";

export interface ResourceAlertSpec {
    key: AlertName;
    target: AlertTarget;
    type: MonitorAlertType;
    compare: "GreaterThan" | "LessThan";
    value: number;
    window: string;
    enabled: boolean;
    describe: string;
}

/** The resource alerts, with the thresholds from config; silenced ones are created disabled. */
export function resourceAlertSpecs(m: MonitoringSettings): ResourceAlertSpec[] {
    const above = (key: AlertName, target: AlertTarget, type: MonitorAlertType, what: string, value: number, unit: string, window: string): ResourceAlertSpec => ({
        key,
        target,
        type,
        compare: "GreaterThan",
        value,
        window,
        enabled: !m.silenced.includes(key),
        describe: `${what} above ${value}${unit} for ${window}`,
    });
    const { nodes, loadBalancer: lb, database: db } = m;
    return [
        above("node-cpu", "nodes", MONITOR_ALERT_TYPES.dropletCpu, "node CPU", nodes.cpuPercent, "%", nodes.window),
        above("node-memory", "nodes", MONITOR_ALERT_TYPES.dropletMemory, "node memory", nodes.memoryPercent, "%", nodes.window),
        above("node-disk", "nodes", MONITOR_ALERT_TYPES.dropletDisk, "node disk", nodes.diskPercent, "%", nodes.window),
        above("lb-5xx", "loadBalancer", MONITOR_ALERT_TYPES.lb5xxRate, "load balancer 5xx responses", lb.errorRate5xxPercent, "%", lb.window),
        above("lb-latency", "loadBalancer", MONITOR_ALERT_TYPES.lbResponseTime95p, "load balancer p95 response time", lb.responseTimeSeconds, " s", lb.window),
        above("lb-backends", "loadBalancer", MONITOR_ALERT_TYPES.lbDropletHealth, "load balancer unhealthy backends", lb.unhealthyBackends, "", lb.window),
        above("db-cpu", "database", MONITOR_ALERT_TYPES.dbCpu, "database CPU", db.cpuPercent, "%", db.window),
        above("db-memory", "database", MONITOR_ALERT_TYPES.dbMemory, "database memory", db.memoryPercent, "%", db.window),
        above("db-disk", "database", MONITOR_ALERT_TYPES.dbDisk, "database disk", db.diskPercent, "%", db.window),
    ];
}

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
    /** The named DigitalOcean load balancer in front of the ingress controller. */
    loadBalancerName: string;
    /** Known once the load balancer exists (its public IP); the id lookup waits for it. */
    loadBalancerReady: pulumi.Input<string>;
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

        // The lookup's input resolves only once the load balancer exists (after the ingress release).
        const lbName = pulumi.output(args.loadBalancerReady).apply(() => args.loadBalancerName);
        this.loadBalancerId = digitalocean.getLoadBalancerOutput({ name: lbName }, { parent: this }).apply((lb) => {
            if (!lb.id) throw new Error(`load balancer "${args.loadBalancerName}" has no id: its alerts need one`);
            return lb.id;
        });

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

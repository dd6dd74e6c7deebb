// The alerts DigitalOcean takes, and the ones the stack creates from its monitoring settings.
import type { ALERT_NAMES, StackConfig } from "../config";

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
    /** Load balancer ID. The HTTP ones need HTTP forwarding rules (see docs/monitoring.md, "What is watched"). */
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

/**
 * The monitoring key (components/monitoring/): uptime checks and resource alerts, where they
 * notify, and the rule that an enabled monitoring has somewhere to send alerts.
 */
import { z } from "zod";
import { urlPath } from "./fields";

/**
 * Where DigitalOcean Uptime checks run from, as its API spells them (the SDK's doc comment
 * camel-cases them; the API takes these): https://docs.digitalocean.com/reference/terraform/reference/resources/uptime_check/
 */
export const UPTIME_REGIONS = ["us_east", "us_west", "eu_west", "se_asia"] as const;
/** How long an uptime alert's condition must hold (terraform-provider-digitalocean digitalocean/uptime/resource_uptime_alert.go). */
export const UPTIME_PERIODS = ["2m", "3m", "5m", "10m", "15m", "30m", "1h"] as const;
/** How long a resource alert's condition must hold (MonitorAlert `window`, @pulumi/digitalocean monitorAlert.d.ts). */
export const ALERT_WINDOWS = ["5m", "10m", "30m", "1h"] as const;
/** The alerts the monitoring creates, by the names monitoring.silenced takes (components/monitoring/). */
export const ALERT_NAMES = [
    "down", "latency", "cert-expiry",
    "node-cpu", "node-memory", "node-disk",
    "lb-5xx", "lb-latency", "lb-backends",
    "db-cpu", "db-memory", "db-disk",
] as const;

const percent = (fallback: number) => z.int().min(1).max(100).default(fallback);
const alertWindow = z.enum(ALERT_WINDOWS).default("10m");

const monitoringSchema = z
    .strictObject({
        enabled: z.boolean().default(true),
        alertEmails: z.array(z.email({ message: "an email address verified on the DigitalOcean account" })).max(20).default([]),
        /** Beside the secret monitoring.slackWebhook (read with the secrets). */
        slackChannel: z.string().regex(/^#?[a-z0-9][a-z0-9._-]{0,79}$/, { message: 'a Slack channel name such as "#ops-alerts"' }).optional(),
        uptime: z
            .strictObject({
                /** Checked on every host name; unset: the readiness path when the app serves it publicly, else "/". */
                path: z.string().regex(urlPath, { message: 'a path such as "/readyz"' }).optional(),
                regions: z.array(z.enum(UPTIME_REGIONS)).min(1).default([...UPTIME_REGIONS]),
                downPeriod: z.enum(UPTIME_PERIODS).default("5m"),
                latencyMs: z.int().min(100).max(30000).default(2000),
                latencyPeriod: z.enum(UPTIME_PERIODS).default("5m"),
                certExpiryDays: z.int().min(1).max(60).default(14),
            })
            .prefault({}),
        nodes: z
            .strictObject({
                cpuPercent: percent(85),
                memoryPercent: percent(85),
                diskPercent: percent(80),
                window: alertWindow,
            })
            .prefault({}),
        loadBalancer: z
            .strictObject({
                errorRate5xxPercent: percent(5),
                responseTimeSeconds: z.number().positive().max(60).default(2),
                unhealthyBackends: z.int().min(0).max(100).default(0),
                window: alertWindow,
            })
            .prefault({}),
        database: z
            .strictObject({
                cpuPercent: percent(85),
                memoryPercent: percent(90),
                diskPercent: percent(80),
                window: alertWindow,
            })
            .prefault({}),
        /** Alerts switched off without losing their settings (docs/monitoring.md, "Silencing an alert"). */
        silenced: z.array(z.enum(ALERT_NAMES)).default([]),
    })
    .superRefine((m, ctx) => {
        if (m.enabled && m.alertEmails.length === 0) {
            ctx.addIssue({
                code: "custom",
                path: ["alertEmails"],
                input: m.alertEmails,
                message:
                    'at least one address while monitoring.enabled is true: pulumi config set --path "monitoring.alertEmails[0]" <you@your-domain> ' +
                    "(or pulumi config set --path monitoring.enabled false)",
            });
        }
    })
    .prefault({});

/** The monitoring key, in the order it is checked. */
export const monitoringKeys = { monitoring: monitoringSchema };

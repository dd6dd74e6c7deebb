import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { isProdStack, prodStacksSchema, read, references } from "./common";
import { DO } from "./resource-types";

// Monitoring: production stacks are watched, and every alert reaches someone.

interface AlertDestinations {
    emails?: unknown[];
    slacks?: unknown[];
}

/** How many email addresses and Slack channels an alert sends to; undefined while unknown (preview). */
function destinationCount(value: () => AlertDestinations | AlertDestinations[] | undefined): number | undefined {
    const v = read(value);
    if (!v.known) return undefined;
    const list = Array.isArray(v.value) ? v.value : v.value ? [v.value] : [];
    return list.reduce((n, d) => n + (d.emails?.length ?? 0) + (d.slacks?.length ?? 0), 0);
}

export const prodMonitoring: StackValidationPolicy = {
    name: "do-prod-monitoring",
    description:
        "Production stacks are watched: an enabled uptime check with an uptime alert on it, an enabled resource alert, " +
        "and every alert sends to at least one email address or Slack channel (config monitoring).",
    enforcementLevel: "mandatory",
    configSchema: prodStacksSchema,
    validateStack: (args, report) => {
        if (!isProdStack(args)) return;
        const enabled = (r: PolicyResource) => r.props.enabled !== false;
        const checks = args.resources.filter((r) => r.isType(DO.UptimeCheck) && enabled(r));
        const uptimeAlerts = args.resources.filter((r) => r.isType(DO.UptimeAlert));
        const resourceAlerts = args.resources.filter((r) => r.isType(DO.MonitorAlert));
        if (!checks.some((c) => uptimeAlerts.some((a) => references(a, c, "checkId")))) {
            report('Production has no enabled uptime check with an alert on it: set monitoring.enabled true and monitoring.alertEmails (README, "Monitoring").');
        }
        if (!resourceAlerts.some(enabled)) {
            report('Production has no enabled resource alert (nodes, load balancer, database): set monitoring.enabled true (README, "Monitoring").');
        }
        for (const a of uptimeAlerts) {
            if (destinationCount(() => a.props.notifications as AlertDestinations[]) === 0) {
                report(`Uptime alert "${a.name}" sends to no email address and no Slack channel.`, a.urn);
            }
        }
        for (const a of resourceAlerts) {
            if (destinationCount(() => a.props.alerts as AlertDestinations) === 0) {
                report(`Resource alert "${a.name}" sends to no email address and no Slack channel.`, a.urn);
            }
        }
    },
};

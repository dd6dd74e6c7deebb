import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isProdStack, present, prodStacksSchema, read, references } from "./common";
import { DO } from "./resource-types";

// Database: the managed PostgreSQL cluster's network, plan, firewall and protection.

/** DigitalOcean's smallest database plan: it cannot have standby nodes. */
export const DB_PLAN_WITHOUT_STANDBY = "db-s-1vcpu-1gb";

export const databasePrivateNetwork: ResourceValidationPolicy = {
    name: "do-database-private-network",
    description: "The database cluster sits in the stack's VPC (privateNetworkUuid is set).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(DO.DatabaseCluster, (db, args, report) => {
        // An unknown value counts as set: the VPC's id is unknown during the first preview.
        const uuid = read(() => db.privateNetworkUuid);
        if (uuid.known && !present(uuid.value)) report(`Database cluster "${args.name}" has no privateNetworkUuid: it must join the stack's VPC.`);
    }),
};

export const databaseStandbyPlan: ResourceValidationPolicy = {
    name: "do-database-standby-plan",
    description: `A database cluster with standby nodes (nodeCount > 1) uses a plan above ${DB_PLAN_WITHOUT_STANDBY}, which has none.`,
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(DO.DatabaseCluster, (db, args, report) => {
        if (db.nodeCount > 1 && db.size === DB_PLAN_WITHOUT_STANDBY) {
            report(`Database cluster "${args.name}" asks for ${db.nodeCount} nodes on ${DB_PLAN_WITHOUT_STANDBY}, ` +
                `which DigitalOcean offers only as a single node; pick db-s-1vcpu-2gb or larger.`);
        }
    }),
};

export const databaseFirewall: StackValidationPolicy = {
    name: "do-database-firewall",
    description:
        "Every database cluster has a DatabaseFirewall with at least one rule and no rule open to the whole Internet.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const firewalls = args.resources.filter((r) => r.isType(DO.DatabaseFirewall));
        for (const db of args.resources.filter((r) => r.isType(DO.DatabaseCluster))) {
            const own = firewalls.filter((fw) => references(fw, db, "clusterId"));
            if (own.length === 0) {
                report(`Database cluster "${db.name}" has no DatabaseFirewall: without one it accepts connections from anywhere.`, db.urn);
                continue;
            }
            for (const fw of own) {
                const rules = (fw.props.rules ?? []) as { type?: string; value?: string }[];
                if (rules.length === 0) report(`DatabaseFirewall "${fw.name}" has no rules.`, fw.urn);
                for (const rule of rules) {
                    if (rule.type !== "ip_addr") continue;
                    const value = read(() => rule.value);
                    if (value.known && (value.value === "0.0.0.0/0" || value.value === "::/0")) {
                        report(`DatabaseFirewall "${fw.name}" admits ${value.value}, the whole Internet.`, fw.urn);
                    }
                }
            }
        }
    },
};

export const prodDatabaseProtected: StackValidationPolicy = {
    name: "do-prod-database-protected",
    description: "In production stacks the database cluster and the application database carry Pulumi's protect option.",
    enforcementLevel: "mandatory",
    configSchema: prodStacksSchema,
    validateStack: (args, report) => {
        if (!isProdStack(args)) return;
        for (const r of args.resources) {
            const kind = r.isType(DO.DatabaseCluster)
                ? "Database cluster"
                : r.isType(DO.DatabaseDb)
                  ? "Database"
                  : undefined;
            if (kind && !r.opts.protect) {
                report(`${kind} "${r.name}" is not protected; production sets protect (config dbProtect: true).`, r.urn);
            }
        }
    },
};

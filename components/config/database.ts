/**
 * Keys of the managed PostgreSQL cluster (components/database.ts), and the rules between them:
 * standby nodes by plan, and the connection pool within the plan's connections.
 */
import { z } from "zod";
import { type CrossFieldRule, rule } from "./fields";
import { EXISTING_DATABASES, POOL_NAME_MAX, poolConnectionLimit, reservedUserProblem } from "./rules";

/** PostgreSQL major versions the stack offers. */
export const POSTGRES_VERSIONS = ["16", "17"] as const;

const pgIdentifier = /^[a-z_][a-z0-9_]{0,62}$/;

const database = z.strictObject({
    dbVersion: z.enum(POSTGRES_VERSIONS).default("17"),
    dbSize: z
        .string()
        .regex(/^db-[a-z0-9]+(-[a-z0-9]+)+$/, {
            message: 'a DigitalOcean database size slug such as "db-s-1vcpu-1gb"',
        })
        .default("db-s-1vcpu-1gb"),
    dbNodeCount: z.int().min(1).max(3).default(1),
    dbName: z
        .string()
        .regex(pgIdentifier, { message: "a PostgreSQL identifier: lowercase letters, digits, _" })
        .refine((d) => !EXISTING_DATABASES.includes(d), {
            message: `a database other than ${EXISTING_DATABASES.join(", ")}: every cluster already has them`,
        })
        .refine((d) => `${d}-pool`.length <= POOL_NAME_MAX, {
            message: `at most ${POOL_NAME_MAX - 5} characters: the connection pool is named <dbName>-pool, and DigitalOcean allows pool names of 3 to ${POOL_NAME_MAX}`,
        })
        .default("app"),
    dbUser: z
        .string()
        .regex(pgIdentifier, { message: "a PostgreSQL identifier: lowercase letters, digits, _" })
        .superRefine(rule(reservedUserProblem))
        .default("app"),
    dbPoolSize: z.int().min(1).max(500).default(10),
    dbProtect: z.boolean().default(false),
});

/** The database's keys, in the order they are checked. */
export const databaseKeys = database.shape;

/** Standby nodes need a plan above the smallest; the stack's pools must fit the plan's connections. */
export const databaseRule: CrossFieldRule<z.output<typeof database>> = (c, ctx) => {
    if (c.dbSize === "db-s-1vcpu-1gb" && c.dbNodeCount > 1) {
        ctx.addIssue({
            code: "custom",
            path: ["dbNodeCount"],
            input: c.dbNodeCount,
            message: '1 with dbSize "db-s-1vcpu-1gb" (DigitalOcean offers standby nodes from db-s-1vcpu-2gb up)',
        });
    }
    const limit = poolConnectionLimit(c.dbSize);
    // The stack creates one pool; DigitalOcean counts every pool of the cluster together.
    const pools = [{ name: `${c.dbName}-pool`, size: c.dbPoolSize }];
    const pooled = pools.reduce((sum, p) => sum + p.size, 0);
    if (limit !== undefined && pooled > limit) {
        ctx.addIssue({
            code: "custom",
            path: ["dbPoolSize"],
            input: c.dbPoolSize,
            message: `at most ${limit}: dbSize "${c.dbSize}" allows ${limit} backend connections for all pools together (25 per GiB of RAM, 3 reserved)`,
        });
    }
};

/**
 * Keys of the container registry (components/registry.ts), and the rule between them.
 */
import { z } from "zod";
import { type CrossFieldRule, dnsLabel } from "./fields";

/** Regions where DigitalOcean Container Registry can store data. */
export const REGISTRY_REGIONS = ["ams3", "blr1", "fra1", "nyc3", "sfo2", "sfo3", "sgp1", "syd1"] as const;

const registry = z.strictObject({
    registryName: z.string().regex(dnsLabel, {
        message: "a globally unique registry name: lowercase letters, digits and -, at most 63",
    }),
    registryMode: z.enum(["create", "existing"]).default("create"),
    registryTier: z.enum(["starter", "basic", "professional"]).default("basic"),
    registryRegion: z.enum(REGISTRY_REGIONS).optional(),
});

/** The registry's keys, in the order they are checked. */
export const registryKeys = registry.shape;

/** A referenced registry's region is the creating stack's to set. */
export const registryRule: CrossFieldRule<z.output<typeof registry>> = (c, ctx) => {
    if (c.registryMode === "existing" && c.registryRegion !== undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["registryRegion"],
            input: c.registryRegion,
            message: 'unset: the region belongs to the stack that creates the registry (registryMode "create")',
        });
    }
};

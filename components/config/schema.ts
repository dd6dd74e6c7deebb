/**
 * The whole stack configuration: every area's keys in one strict object, then the cross-field
 * rules, in this order. Zod also runs them after a key failed a continuable check (a pattern, a
 * bound), so a rule must not trust a value that may have its own issue.
 */
import { z } from "zod";
import { appKeys, appRule } from "./app";
import { clusterKeys, networkRule, nodeCountRule } from "./cluster";
import { databaseKeys, databaseRule } from "./database";
import { dnsDomainRule, dnsKeys } from "./dns";
import { monitoringKeys } from "./monitoring";
import { hostnamesRule, ingressControllerRule, platformKeys } from "./platform";
import { registryKeys, registryRule } from "./registry";
import { repositoryPortRule, staticContentKeys } from "./static-content";
import { kubernetesVersionRule } from "./versions";

/** Every key of the stack, with its default, its checks and the rules between keys. */
export const configSchema = z
    .strictObject({
        ...clusterKeys,
        ...databaseKeys,
        ...registryKeys,
        ...platformKeys,
        ...dnsKeys,
        ...appKeys,
        ...staticContentKeys,
        ...monitoringKeys,
    })
    .superRefine(kubernetesVersionRule)
    .superRefine(networkRule)
    .superRefine(nodeCountRule)
    .superRefine(databaseRule)
    .superRefine(appRule)
    .superRefine(hostnamesRule)
    .superRefine(ingressControllerRule)
    .superRefine(dnsDomainRule)
    .superRefine(registryRule)
    .superRefine(repositoryPortRule);

/** The configuration as written, before defaults. */
export type RawConfig = z.input<typeof configSchema>;
/** The configuration as parsed, before the loader adds the stack's names and secrets. */
export type ParsedConfig = z.output<typeof configSchema>;

/** The schema inside defaults, optionals and transforms. */
export function unwrapped(schema: z.ZodType): z.ZodType {
    let s: z.ZodType = schema;
    for (;;) {
        if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
        // A preprocess is a pipe from a transform into the schema; a transform, a pipe from the schema.
        else if (s instanceof z.ZodPipe) s = (s.in instanceof z.ZodTransform ? s.out : s.in) as z.ZodType;
        else return s;
    }
}

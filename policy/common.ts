import { PolicyResource, ResourceValidation } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";

// What every area of the pack shares: the stack under check, values read during a preview,
// references between resources.

/** Stacks that get the production-only rules, unless a policy's `prodStacks` config says otherwise. */
export const DEFAULT_PROD_STACKS = ["prod"];

/**
 * The stack under check, without an organization or project prefix. The Pulumi CLI hands the
 * policy pack's process the stack (PULUMI_NODEJS_STACK), which `pulumi.getStack()` reads; under
 * the unit-test mocks it is the mocked stack.
 */
export function currentStack(): string {
    const stack = pulumi.getStack();
    return stack.slice(stack.lastIndexOf("/") + 1);
}

/** Whether the stack under check gets the production-only rules. */
export function isProdStack(args: { getConfig<T extends object>(): T }): boolean {
    const configured = args.getConfig<{ prodStacks?: string[] }>().prodStacks;
    return (configured ?? DEFAULT_PROD_STACKS).includes(currentStack());
}

/** The config schema of a production-only policy. */
export const prodStacksSchema = {
    properties: {
        prodStacks: { type: "array" as const, items: { type: "string" as const }, default: DEFAULT_PROD_STACKS },
    },
};

/** Whether a value is set (not undefined, null or empty). */
export function present(v: unknown): boolean {
    return v !== undefined && v !== null && v !== "";
}

/** A value read through the policy SDK's proxy, which throws for values unknown during preview. */
export type Read<T> = { known: true; value: T } | { known: false };

export function read<T>(get: () => T): Read<T> {
    try {
        return { known: true, value: get() };
    } catch (e) {
        if (e instanceof Error && (e.constructor.name === "UnknownValueError" || /can't be known during preview/.test(e.message))) {
            return { known: false };
        }
        throw e;
    }
}

/** Whether `r` references `target` through `property` (or at all, when the engine gave no property map). */
export function references(r: PolicyResource, target: PolicyResource, property: string): boolean {
    const byProperty = r.propertyDependencies[property];
    if (byProperty && byProperty.length > 0) return byProperty.some((d) => d.urn === target.urn);
    return r.dependencies.some((d) => d.urn === target.urn);
}

/** The resource type a validation from `validateResourceOfType` is for (the SDK attaches it). */
function typeOfValidation(v: ResourceValidation): string {
    const type = (v as { __pulumiType?: unknown }).__pulumiType;
    if (typeof type !== "string" || type === "") throw new Error("byType takes validations made by validateResourceOfType");
    return type;
}

/**
 * Validations of several resource types as one. The analyzer server converts a resource's
 * properties from protobuf once for each validation it calls and skips without converting only
 * a single validation made for another type (server.js, makeAnalyzeRpcFun), so a policy given
 * an array pays a conversion per entry for every resource of the stack; this pays one.
 */
export function byType(validations: ResourceValidation[]): ResourceValidation {
    const byToken = new Map<string, ResourceValidation[]>();
    for (const v of validations) {
        const type = typeOfValidation(v);
        byToken.set(type, [...(byToken.get(type) ?? []), v]);
    }
    const types = [...byToken.keys()].join(", ");
    return async (args, report) => {
        const matching = byToken.get(args.type);
        if (!matching) return args.notApplicable(`Policy only applies to resources of types ${types}`);
        for (const v of matching) await v(args, report);
    };
}

import * as pulumi from "@pulumi/pulumi";

/** The stack's own name as a StackReference takes it: organization/project/stack. */
export function ownStackName(): string {
    return `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
}

/**
 * An output of this stack's last completed `pulumi up`, read from the backend through a
 * StackReference to the stack itself; undefined before the first one. It tells the program what
 * the stack runs before it registers anything.
 */
export async function priorOutput(name: string): Promise<unknown> {
    const self = new pulumi.StackReference("prior-outputs", { name: ownStackName() });
    const details = await self.getOutputDetails(name);
    return details.value ?? details.secretValue;
}

import * as pulumi from "@pulumi/pulumi";

/** The stack's own name as a StackReference takes it: organization/project/stack. */
export function ownStackName(): string {
    return `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
}

/**
 * The DOKS version the cluster ran after this stack's last completed `pulumi up` (its
 * `kubernetesVersion` output), read from the backend through a StackReference to the stack
 * itself; undefined before the first one. The program awaits it before it registers anything.
 */
export async function priorKubernetesVersion(): Promise<string | undefined> {
    const self = new pulumi.StackReference("prior-outputs", { name: ownStackName() });
    const { value } = await self.getOutputDetails("kubernetesVersion");
    return typeof value === "string" ? value : undefined;
}

import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { afterLiveChecks, StackId } from "./live";

export interface RegistryArgs {
    stackId: StackId;
    name: string;
    /** "create": this stack owns the registry; "existing": another stack of the account does. */
    mode: "create" | "existing";
    tier: "starter" | "basic" | "professional";
    region?: string;
}

/** Username and password from a `.dockerconfigjson` document. */
export function dockerLogin(dockerConfigJson: string): { username: string; password: string } {
    const auths = (JSON.parse(dockerConfigJson) as { auths?: Record<string, { auth?: string }> }).auths ?? {};
    const auth = Object.values(auths)[0]?.auth;
    if (!auth) throw new Error("the registry credentials hold no auth entry");
    const text = Buffer.from(auth, "base64").toString("utf8");
    const colon = text.indexOf(":");
    return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * DigitalOcean's registry host. An image lives at `<host>/<registry name>/<repository>:<tag>`
 * (DigitalOcean API reference, "Create Container Registry"; the provider builds `endpoint` and
 * `server_url` the same way: terraform-provider-digitalocean digitalocean/registry/resource_container_registry.go).
 */
export const REGISTRY_HOST = "registry.digitalocean.com";

const REGISTRY_REPLACED =
    "a second registry, which DigitalOcean refuses while the account has one, and then the deletion of this one with its images; " +
    "to move: push the images to the new registry first, then switch the stacks (docs/operations.md, \"Hand the registry to the other stack\")";

/**
 * The account's container registry and read-only pull credentials for the cluster. With
 * `create` the stack owns the registry; with `existing` it reads the registry another stack
 * created, by name, so a missing one fails `pulumi preview` ("resource '<name>' does not exist").
 * `getContainerRegistry` would not do: it reads the registry by its own empty id and answers every
 * attribute null (terraform-provider-digitalocean issue #1535, fix PR #1594 unmerged), whereas a
 * read of the resource by id is the resource's own Read, whose id is the name
 * (digitalocean/registry/resource_container_registry.go: `Registries.Get(ctx, d.Id())`, `d.SetId(reg.Name)`).
 */
export class Registry extends pulumi.ComponentResource {
    public readonly name: pulumi.Output<string>;
    /** e.g. registry.digitalocean.com/<name> */
    public readonly endpoint: pulumi.Output<string>;
    public readonly serverUrl: pulumi.Output<string>;
    /** A `.dockerconfigjson` document for an imagePullSecret (secret). */
    public readonly dockerConfigJson: pulumi.Output<string>;

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("django-doks:infra:Registry", name, {}, opts);

        if (args.mode === "create") {
            // name and region are ForceNew: kept in the diff, and a change refused.
            const registry = new digitalocean.ContainerRegistry(
                name,
                { name: args.name, subscriptionTierSlug: args.tier, region: args.region },
                { parent: this, ignoreChanges: ["name", "region"] },
            );
            const checks = [
                { key: "registryName", configured: args.name, live: registry.name, consequence: REGISTRY_REPLACED },
                { key: "registryRegion", configured: args.region, live: registry.region, consequence: REGISTRY_REPLACED },
            ];
            this.name = afterLiveChecks(args.stackId, registry.name, checks);
        } else {
            this.name = digitalocean.ContainerRegistry.get(`${name}-existing`, args.name, undefined, { parent: this }).name;
        }

        const credentials = new digitalocean.ContainerRegistryDockerCredentials(
            `${name}-pull`,
            { registryName: this.name, write: false },
            { parent: this },
        );

        this.endpoint = pulumi.interpolate`${REGISTRY_HOST}/${this.name}`;
        this.serverUrl = pulumi.output(REGISTRY_HOST);
        this.dockerConfigJson = pulumi.secret(credentials.dockerCredentials);
        this.registerOutputs({ name: this.name, endpoint: this.endpoint });
    }
}

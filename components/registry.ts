import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";

export interface RegistryArgs {
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

/**
 * The account's container registry and read-only pull credentials for the cluster. The name,
 * endpoint and server URL come from config, never from `getContainerRegistry`: that data source
 * reads the registry by its own empty id and answers every attribute null
 * (terraform-provider-digitalocean issue #1535, fix PR #1594 unmerged; `getContainerRegistries`
 * shares the same read). Nothing checks at preview that an `existing` registry is there: the
 * pull credentials fail at `pulumi up` when it is not.
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

        // A created registry's name output orders the credentials after the registry.
        this.name =
            args.mode === "create"
                ? new digitalocean.ContainerRegistry(
                      name,
                      { name: args.name, subscriptionTierSlug: args.tier, region: args.region },
                      { parent: this },
                  ).name
                : pulumi.output(args.name);

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

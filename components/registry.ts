import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";

export interface RegistryArgs {
    name: string;
    /** "create": this stack owns the registry; "existing": another stack of the account does. */
    mode: "create" | "existing";
    tier: "starter" | "basic" | "professional";
    region?: string;
}

/** The account's container registry and read-only pull credentials for the cluster. */
export class Registry extends pulumi.ComponentResource {
    public readonly name: pulumi.Output<string>;
    /** e.g. registry.digitalocean.com/<name> */
    public readonly endpoint: pulumi.Output<string>;
    public readonly serverUrl: pulumi.Output<string>;
    /** A `.dockerconfigjson` document for an imagePullSecret (secret). */
    public readonly dockerConfigJson: pulumi.Output<string>;

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("django-doks:infra:Registry", name, {}, opts);

        let registry: { name: pulumi.Output<string>; endpoint: pulumi.Output<string>; serverUrl: pulumi.Output<string> };
        if (args.mode === "create") {
            registry = new digitalocean.ContainerRegistry(
                name,
                { name: args.name, subscriptionTierSlug: args.tier, region: args.region },
                { parent: this },
            );
        } else {
            const found = digitalocean.getContainerRegistryOutput({ name: args.name }, { parent: this });
            registry = { name: found.name, endpoint: found.endpoint, serverUrl: found.serverUrl };
        }

        const credentials = new digitalocean.ContainerRegistryDockerCredentials(
            `${name}-pull`,
            { registryName: registry.name, write: false },
            { parent: this },
        );

        this.name = registry.name;
        this.endpoint = registry.endpoint;
        this.serverUrl = registry.serverUrl;
        this.dockerConfigJson = pulumi.secret(credentials.dockerCredentials);
        this.registerOutputs({ name: this.name, endpoint: this.endpoint });
    }
}

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

import * as digitalocean from "@pulumi/digitalocean";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { dockerLogin } from "./registry";

/** The app's repository in the registry. */
export const APP_IMAGE_NAME = "django";

export interface AppImageArgs {
    /** Build context, relative to the project root; holds the Dockerfile. */
    context: string;
    /** The registry: name, endpoint (registry.digitalocean.com/<name>) and host. */
    registry: { name: pulumi.Input<string>; endpoint: pulumi.Input<string>; serverUrl: pulumi.Input<string> };
    /** A readable tag besides the digest, e.g. the stack. */
    tag: string;
}

/**
 * Builds the app image from its folder and pushes it with push credentials of its own, at
 * `pulumi up` only (a preview needs no Docker engine; its digest is unknown there). `ref`
 * names it by digest, so a change to the app's files builds a new image and rolls the
 * Deployment; unchanged files change nothing.
 */
export class AppImage extends pulumi.ComponentResource {
    public readonly ref: pulumi.Output<string>;

    constructor(name: string, args: AppImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("django-doks:app:Image", name, {}, opts);
        const credentials = new digitalocean.ContainerRegistryDockerCredentials(
            `${name}-push`,
            { registryName: args.registry.name, write: true },
            { parent: this },
        );
        const login = pulumi.secret(credentials.dockerCredentials.apply(dockerLogin));
        const repository = pulumi.interpolate`${args.registry.endpoint}/${APP_IMAGE_NAME}`;
        const image = new dockerBuild.Image(
            name,
            {
                context: { location: args.context },
                dockerfile: { location: `${args.context}/Dockerfile` },
                platforms: ["linux/amd64"],
                push: true,
                // The SDK defaults this to true: a preview would need a Docker engine and build.
                buildOnPreview: false,
                tags: [pulumi.interpolate`${repository}:${args.tag}`],
                registries: [
                    {
                        address: args.registry.serverUrl,
                        username: login.apply((l) => l.username),
                        password: pulumi.secret(login.apply((l) => l.password)),
                    },
                ],
            },
            { parent: this },
        );
        this.ref = pulumi.interpolate`${repository}@${image.digest}`;
        this.registerOutputs({ ref: this.ref });
    }
}

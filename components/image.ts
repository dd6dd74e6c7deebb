import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";

export interface AppImageArgs {
    /** Build context, relative to the project root; holds the Dockerfile. */
    context: string;
    /** Repository to push to, e.g. registry.digitalocean.com/<registry>/django. */
    repository: pulumi.Input<string>;
    /** Registry host, e.g. registry.digitalocean.com. */
    registryServer: pulumi.Input<string>;
    /** Push credentials (secret). */
    login: pulumi.Input<{ username: string; password: string }>;
    /** A readable tag besides the digest, e.g. the stack. */
    tag: string;
}

/**
 * Builds the app image from its folder and pushes it. `ref` names it by digest, so a change to
 * the app's files builds a new image and rolls the Deployment; unchanged files change nothing.
 */
export class AppImage extends pulumi.ComponentResource {
    public readonly ref: pulumi.Output<string>;

    constructor(name: string, args: AppImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("django-doks:app:Image", name, {}, opts);
        const login = pulumi.output(args.login);
        const image = new dockerBuild.Image(
            name,
            {
                context: { location: args.context },
                dockerfile: { location: `${args.context}/Dockerfile` },
                platforms: ["linux/amd64"],
                push: true,
                tags: [pulumi.interpolate`${args.repository}:${args.tag}`],
                registries: [
                    {
                        address: args.registryServer,
                        username: login.apply((l) => l.username),
                        password: pulumi.secret(login.apply((l) => l.password)),
                    },
                ],
            },
            { parent: this },
        );
        this.ref = pulumi.interpolate`${args.repository}@${image.digest}`;
        this.registerOutputs({ ref: this.ref });
    }
}

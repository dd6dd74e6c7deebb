import * as fs from "fs";
import * as path from "path";
import { BROKEN_REGISTRY_LOOKUP, runOffline } from "../offline/run";
import type { Evaluation, Json } from "../offline/types";
import { readStackFile } from "../offline/stack-file";
import { secretContextOf } from "../components/config/secrets";
import { LOAD_BALANCER_ID_ANNOTATION } from "../components/platform";
import program from "../index";

// The program run offline on a stack file, with the cloud's answers as «placeholders» (npm run render).

export const ROOT = path.resolve(__dirname, "..");
export const PROJECT = "django-doks";
export const SECRET_MASK = "«secret»";
const known = (what: string) => `«${what}: known after deploy»`;
/** The name the Kubernetes provider gives an object without metadata.name: <resource name>-<random suffix>. */
export const autoName = (resourceName: string) => `${resourceName}-«suffix»`;

/** Example values for what a newcomer has not set yet (reported in plan.md). */
export const EXAMPLE_VALUES: Record<string, string> = {
    registryName: "example-registry",
    hostname: "app.example.org",
    // Let's Encrypt refuses contacts @example.org, so the stack refuses it too.
    acmeEmail: "ops@your-domain.org",
    staticContent: JSON.stringify({ repository: "https://github.com/example/django-doks.git", path: "app/static-site" }),
    monitoring: JSON.stringify({ alertEmails: ["ops@your-domain.org"] }),
};
/** Secrets a newcomer has not set yet stand in as masked secrets, as if set with --secret. */
const STAND_IN_SECRETS = [`${PROJECT}:namecheapPassword`, "digitalocean:token"];

/** The stack file Pulumi.<stack>.yaml in `root`, refused with the stacks there when missing. */
export function stackFilePath(stack: string, root: string): string {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const stacks = fs.readdirSync(root).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
        throw new Error(`no stack file Pulumi.${stack}.yaml (stacks: ${stacks.join(", ") || "none"})`);
    }
    return file;
}

/**
 * The stack file as `pulumi up` hands it to the program: secure values stay secrets (masked, as
 * the offline tools cannot decrypt them) and anything else stays plain, so a secret key stored in
 * plain text is refused by the program with the same message as under `pulumi up`.
 */
export function stackFileConfig(stack: string, root: string): { config: Record<string, string>; secretKeys: string[] } {
    const { values, secure } = readStackFile(stackFilePath(stack, root), SECRET_MASK, `https://${SECRET_MASK}`);
    return { config: { ...values }, secretKeys: [...secure] };
}

/** The stack file with example values for what a newcomer has not set yet. */
function stackConfig(stack: string, root: string): { config: Record<string, string>; secretKeys: string[]; examples: string[] } {
    const { config, secretKeys } = stackFileConfig(stack, root);
    const examples: string[] = [];
    for (const [k, v] of Object.entries(EXAMPLE_VALUES)) {
        const key = `${PROJECT}:${k}`;
        if (config[key] === undefined) {
            config[key] = v;
            examples.push(k);
        } else if (k === "staticContent" && !JSON.parse(config[key]).repository) {
            config[key] = JSON.stringify({ ...JSON.parse(v), ...JSON.parse(config[key]) });
            examples.push("staticContent.repository");
        } else if (k === "monitoring" && JSON.parse(config[key]).enabled !== false && !JSON.parse(config[key]).alertEmails) {
            config[key] = JSON.stringify({ ...JSON.parse(v), ...JSON.parse(config[key]) });
            examples.push("monitoring.alertEmails");
        }
    }
    // Without Namecheap there is no password to stand in for.
    const dns = config[`${PROJECT}:dns`];
    const provider = secretContextOf(dns === undefined ? {} : { dns }).dns.provider;
    const standIns = STAND_IN_SECRETS.filter((k) => k !== `${PROJECT}:namecheapPassword` || provider !== "none");
    for (const key of standIns.filter((k) => config[k] === undefined)) {
        config[key] = SECRET_MASK;
        secretKeys.push(key);
        examples.push(`${key.replace(`${PROJECT}:`, "")} (secret)`);
    }
    return { config, secretKeys, examples };
}

function cloudState(type: string, name: string, inputs: Record<string, Json>, read?: string): Record<string, Json> {
    if (read !== undefined && type === "kubernetes:gateway.networking.k8s.io/v1:Gateway") {
        return { metadata: { name: read.split("/")[1], namespace: read.split("/")[0] }, status: { addresses: [{ type: "IPAddress", value: known("load balancer IP") }] } };
    }
    if (read !== undefined && type === "kubernetes:core/v1:Service") {
        // The ingress controller's Service, read after the release: the cloud controller's annotation and status name the load balancer.
        return {
            metadata: {
                name: read.split("/")[1],
                namespace: read.split("/")[0],
                annotations: { [LOAD_BALANCER_ID_ANNOTATION]: known("load balancer id") },
            },
            status: { loadBalancer: { ingress: [{ ip: known("load balancer IP") }] } },
        };
    }
    // The stack as a first `pulumi up` finds it: no outputs of a previous one.
    if (type === "pulumi:pulumi:StackReference") return { name: read, outputs: {}, secretOutputNames: [] };
    if (read !== undefined && type === "digitalocean:index/containerRegistry:ContainerRegistry") {
        return { name: read, endpoint: `registry.digitalocean.com/${read}`, serverUrl: "registry.digitalocean.com", region: known("registry region") };
    }
    switch (type) {
        case "digitalocean:index/vpc:Vpc":
            return { ipRange: known("VPC IP range"), ...inputs };
        case "digitalocean:index/kubernetesCluster:KubernetesCluster":
            return {
                ...inputs,
                endpoint: known("cluster endpoint"),
                kubeConfigs: [{ host: known("cluster endpoint"), clusterCaCertificate: known("cluster CA"), token: SECRET_MASK, rawConfig: SECRET_MASK }],
            };
        case "digitalocean:index/databaseCluster:DatabaseCluster":
            return { ...inputs, host: known("database host"), privateHost: known("database private host"), port: 25060, user: "doadmin", password: SECRET_MASK };
        case "digitalocean:index/databaseUser:DatabaseUser":
            return { ...inputs, password: SECRET_MASK };
        case "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool":
            return { ...inputs, privateHost: known("pool private host"), port: 25061, password: SECRET_MASK };
        case "digitalocean:index/kubernetesNodePool:KubernetesNodePool":
            return { ...inputs, actualNodeCount: inputs.nodeCount };
        case "digitalocean:index/containerRegistry:ContainerRegistry":
            return { ...inputs, endpoint: `registry.digitalocean.com/${inputs.name}`, serverUrl: "registry.digitalocean.com" };
        case "digitalocean:index/containerRegistryDockerCredentials:ContainerRegistryDockerCredentials":
            return { ...inputs, dockerCredentials: JSON.stringify({ auths: { "registry.digitalocean.com": { auth: Buffer.from("user:secret").toString("base64") } } }) };
        case "kubernetes:helm.sh/v3:Release":
            return { ...inputs, status: { name: inputs.name, namespace: inputs.namespace, status: "deployed" } };
        case "docker-build:index:Image":
            return { ...inputs, digest: known("image digest") };
        case "random:index/randomPassword:RandomPassword":
            return { ...inputs, result: SECRET_MASK };
        default:
            if (type.startsWith("kubernetes:") && inputs.metadata && !inputs.metadata.name) {
                return { ...inputs, metadata: { ...inputs.metadata, name: autoName(name) } };
            }
            return inputs;
    }
}

function cloudInvoke(token: string, args: Record<string, Json>): Record<string, Json> {
    switch (token) {
        case "digitalocean:index/getKubernetesVersions:getKubernetesVersions":
            return { latestVersion: `${args.versionPrefix}«newest patch»`, validVersions: [], versionPrefix: args.versionPrefix };
        case "digitalocean:index/getLoadBalancer:getLoadBalancer":
            return { id: known("load balancer id"), name: args.name, ip: known("load balancer IP") };
        case "digitalocean:index/getContainerRegistry:getContainerRegistry":
        case "digitalocean:index/getContainerRegistries:getContainerRegistries":
            return BROKEN_REGISTRY_LOOKUP;
        case "digitalocean:index/getSizes:getSizes":
            // Offline there is no price list from the API: the estimate uses its own table.
            return { id: "offline", sizes: [] };
        default:
            return args;
    }
}

/** Runs the program offline on the stack file Pulumi.<stack>.yaml in `root`. */
export async function evaluateOffline(stack: string, root = ROOT): Promise<{ evaluation: Evaluation; examples: string[] }> {
    const { config, secretKeys, examples } = stackConfig(stack, root);
    const { evaluation, error } = await runOffline(program, {
        project: PROJECT,
        stack,
        config,
        secretKeys,
        env: { DIGITALOCEAN_TOKEN: undefined, DIGITALOCEAN_ACCESS_TOKEN: undefined },
        state: cloudState,
        invoke: cloudInvoke,
        id: (_type, name) => `«${name} id»`,
    });
    if (error !== undefined) throw error;
    return { evaluation, examples };
}

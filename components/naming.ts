/** Names and tags shared by every DigitalOcean resource of a stack. */
export interface StackIdentity {
    project: string;
    stack: string;
}

/** The longest DigitalOcean name the stack derives (cluster, node pool, VPC, database, load balancer). */
export const DO_NAME_MAX = 63;

/** The suffixes the stack appends to its base name: the node pool and the database cluster. */
export const NAME_SUFFIXES = { defaultPool: "default", database: "pg" } as const;

/**
 * A DigitalOcean-safe name: lowercase letters, digits and dashes. Never cut: a cut name could
 * lose the part that tells two stacks apart, so config validation refuses a stack whose names
 * would be longer than DO_NAME_MAX, and this throws as a last guard.
 */
export function resourceName(id: StackIdentity, ...parts: string[]): string {
    const name = slugName(id, ...parts);
    if (name.length > DO_NAME_MAX) throw new Error(`the name ${name} is longer than ${DO_NAME_MAX} characters`);
    return name;
}

function slugName(id: StackIdentity, ...parts: string[]): string {
    return [id.project, id.stack, ...parts]
        .join("-")
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-{2,}/g, "-")
        .replace(/^-|-$/g, "");
}

/**
 * The cluster's default node pool, the one DOKS requires in the cluster itself: one small node for
 * DigitalOcean's own components. Its size never changes (node_pool.size is ForceNew and would
 * replace the cluster), so the stack's workloads run in a pool of their own.
 */
export const DEFAULT_POOL = { size: "s-1vcpu-2gb", nodeCount: 1 } as const;

/** The label of the worker pool's nodes: the stack's workloads select it. */
export const WORKER_POOL_LABEL = { "django-doks/pool": "workers" } as const;

/**
 * The worker pool's DigitalOcean name, unique within its cluster: its size in it, so a new size is
 * a new pool beside the old one.
 */
export function workerPoolName(nodeSize: string): string {
    // DOKS names the pool's nodes <pool name>-<suffix>, and a Kubernetes node name takes no "_" (so1_5-... sizes).
    return `workers-${nodeSize.replace(/_/g, "-")}`;
}

/** Every DigitalOcean name the stack derives from its project and stack names. */
export function derivedNames(id: StackIdentity): string[] {
    const base = slugName(id);
    return [base, slugName(id, NAME_SUFFIXES.defaultPool), slugName(id, NAME_SUFFIXES.database)];
}

/** Tags naming the project and the stack. DigitalOcean allows letters, digits, ":", "-" and "_". */
export function stackTags(id: StackIdentity): string[] {
    const clean = (s: string) => s.replace(/[^A-Za-z0-9:_-]+/g, "-");
    return [clean(id.project), `${clean(id.project)}:${clean(id.stack)}`];
}

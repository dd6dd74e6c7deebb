// The records of an offline evaluation: what the program registered and invoked.

/** Resource inputs and state: arbitrary JSON, read by path. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Registered {
    /** Position among everything the program registered or invoked. */
    seq: number;
    type: string;
    name: string;
    /** "<type>::<name>": unique, unlike the name alone. */
    key: string;
    /** false for component resources (and the root stack), which the engine does not create. */
    custom: boolean;
    /**
     * Keys of what the engine waits for before creating this resource: dependsOn, the parent,
     * the provider, and the resources behind every Output among its inputs (offline/dependencies.ts).
     */
    dependencies: string[];
    inputs: Record<string, Json>;
    /** Resource options as the program passed them. */
    opts: {
        protect?: boolean;
        ignoreChanges?: string[];
        deleteBeforeReplace?: boolean;
        dependsOn?: string[];
        parent?: string;
        customTimeouts?: { create?: string; update?: string; delete?: string };
    };
    /** The provider reference the engine received ("<urn>::<id>"), when one was set. */
    provider?: string;
    /** What the engine handed back as the resource's state (in a preview: its planned outputs). */
    outputs: Record<string, Json>;
    /** The id of an existing object the program reads (`Resource.get`); such a record has no inputs. */
    read?: string;
    /** The URN and the dependencies (URNs) the program declared, as the engine receives them. */
    urn?: string;
    dependencyUrns?: string[];
    propertyDependencies?: Record<string, string[]>;
}

export interface Invocation {
    seq: number;
    token: string;
    args: Record<string, Json>;
}

export interface Evaluation {
    resources: Registered[];
    invokes: Invocation[];
    outputs: Record<string, unknown>;
}

export interface OfflineRun {
    project: string;
    stack: string;
    /** The backend's organization ("organization" on a self-managed backend). */
    organization?: string;
    /** Full keys ("project:key") to values as Pulumi hands them over (strings). */
    config: Record<string, string>;
    secretKeys: string[];
    /** Environment variables as the program sees them; undefined removes one. */
    env?: Record<string, string | undefined>;
    /** What the cloud would answer: a resource's state (`read`: the id of an existing object read), a data source's result. */
    state(type: string, name: string, inputs: Record<string, Json>, read?: string): Record<string, Json>;
    invoke(token: string, args: Record<string, Json>): Record<string, Json>;
    /** The id the cloud would assign (default "<name>-id"). */
    id?(type: string, name: string): string;
    /**
     * Run as `pulumi preview` (Pulumi's mocks with dry run on): a resource to be created gets no
     * id, and only the outputs `planned` returns are known (none by default), the rest unknown.
     * Data sources (invokes) and reads still answer through `invoke` and `state`.
     */
    preview?: boolean;
    /** In a preview: the outputs the engine knows for a resource it would create. */
    planned?(type: string, name: string, inputs: Record<string, Json>): Record<string, Json>;
    /**
     * In a preview: the stack exists (a preview of an update). Every resource has its id and
     * `state` answers its outputs; an output `state` leaves out is unknown, as the SDK resolves a
     * missing output in a preview (@pulumi/pulumi runtime/rpc.js, resolveProperties).
     */
    existing?: boolean;
    /** With `existing`: the resources, by name, that the update creates (no id yet; outputs planned). */
    creating?: string[];
}

/** The program: `index.ts` awaits what the stack ran last before it registers anything. */
export type Program = () => Record<string, unknown> | Promise<Record<string, unknown>>;

import * as pulumi from "@pulumi/pulumi";
import type { Registered } from "./types";

/** The parts of the engine's RegisterResourceRequest and ReadResourceRequest the runner records. */
interface ResourceRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    /** The provider reference ("<urn>::<id>"), empty for the default provider. */
    getProvider(): string;
    getDependenciesList(): string[];
    /** RegisterResourceRequest only. */
    getPropertydependenciesMap?(): { forEach(f: (deps: { getUrnsList(): string[] }, key: string) => void): void };
}
type Callback = (err: unknown, res?: { getUrn(): string }) => void;
type Monitor = Record<"registerResource" | "readResource", (req: ResourceRequest, callback: Callback) => void>;

/** What the program declared to the engine for one resource. */
interface Declared {
    urn: string;
    parent: string;
    provider: string;
    dependencyUrns: string[];
    /** Registrations only (a read has no property map). */
    propertyDependencies?: Record<string, string[]>;
}

/** "<type>::<name>" of a URN: urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>. */
export function keyOfUrn(urn: string): string {
    const [, , types, ...name] = urn.split("::");
    return `${types.slice(types.lastIndexOf("$") + 1)}::${name.join("::")}`;
}

/**
 * Records, by "<type>::<name>", the URN and the dependencies of every registration and read as the
 * engine receives them (the SDK has already resolved dependsOn, components to their resources, and
 * the resources behind every Output among the inputs, invokes' dependsOn included). `fill` then
 * sets each record's `dependencies` (those, its parent and its provider, as keys) and, for
 * registrations, `urn`, `dependencyUrns` and `propertyDependencies`.
 */
export function recordDependencies(): { fill(resources: Registered[]): void } {
    const declared = new Map<string, Declared>();
    const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
    for (const method of ["registerResource", "readResource"] as const) {
        const send = monitor[method].bind(monitor);
        monitor[method] = (req, callback) =>
            send(req, (err, res) => {
                if (!err && res) {
                    const propertyDependencies: Record<string, string[]> = {};
                    req.getPropertydependenciesMap?.().forEach((deps, key) => (propertyDependencies[key] = deps.getUrnsList()));
                    declared.set(`${req.getType()}::${req.getName()}`, {
                        urn: res.getUrn(),
                        parent: req.getParent(),
                        provider: req.getProvider(),
                        dependencyUrns: req.getDependenciesList(),
                        ...(method === "registerResource" && { propertyDependencies }),
                    });
                }
                callback(err, res);
            });
    }
    return {
        fill(resources) {
            for (const r of resources) {
                const d = declared.get(r.key);
                if (!d) continue;
                const provider = d.provider.slice(0, d.provider.lastIndexOf("::"));
                const urns = [...d.dependencyUrns, d.parent, provider].filter((u) => u !== "");
                r.dependencies = [...new Set(urns.map(keyOfUrn))].filter((k) => k !== r.key);
                if (d.propertyDependencies) {
                    Object.assign(r, { urn: d.urn, dependencyUrns: d.dependencyUrns, propertyDependencies: d.propertyDependencies });
                }
            }
        },
    };
}

import type { Registered } from "./types";

/**
 * Custom resources in the order the engine can create them: each after everything it depends on
 * (waiting on a component means waiting on all of its descendants), otherwise in registration order.
 */
export function applyOrder(resources: Registered[]): Registered[] {
    const byKey = new Map(resources.map((r) => [r.key, r]));
    const children = new Map<string, Registered[]>();
    for (const r of resources) {
        const parent = resources.find((p) => p.name === r.opts.parent && !p.custom);
        if (parent) children.set(parent.key, [...(children.get(parent.key) ?? []), r]);
    }
    const descendants = (key: string): Registered[] =>
        (children.get(key) ?? []).flatMap((c) => (c.custom ? [c, ...descendants(c.key)] : descendants(c.key)));
    const waitsFor = (r: Registered): Set<string> => {
        const out = new Set<string>();
        for (const k of r.dependencies) {
            const d = byKey.get(k);
            if (!d) continue;
            if (d.custom) out.add(d.key);
            // A child does not wait for its component parent; dependsOn on a component waits for its children.
            else if (d.name !== r.opts.parent) for (const x of descendants(d.key)) out.add(x.key);
        }
        return out;
    };
    const pending = resources.filter((r) => r.custom).map((r) => ({ r, waits: waitsFor(r) }));
    const done = new Set<string>();
    const order: Registered[] = [];
    while (pending.length > 0) {
        // pending keeps registration order, so the first ready one is the earliest registered.
        let i = pending.findIndex((p) => [...p.waits].every((k) => done.has(k)));
        if (i < 0) i = 0; // a cycle cannot be created either; keep registration order
        const [{ r }] = pending.splice(i, 1);
        done.add(r.key);
        order.push(r);
    }
    return order;
}

/** Names and tags shared by every DigitalOcean resource of a stack. */
export interface StackIdentity {
    project: string;
    stack: string;
}

/** A DigitalOcean-safe name: lowercase letters, digits and dashes, at most 63 characters. */
export function resourceName(id: StackIdentity, ...parts: string[]): string {
    const name = [id.project, id.stack, ...parts]
        .join("-")
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-{2,}/g, "-")
        .replace(/^-|-$/g, "");
    return name.slice(0, 63).replace(/-$/, "");
}

/** Tags naming the project and the stack. DigitalOcean allows letters, digits, ":", "-" and "_". */
export function stackTags(id: StackIdentity): string[] {
    const clean = (s: string) => s.replace(/[^A-Za-z0-9:_-]+/g, "-");
    return [clean(id.project), `${clean(id.project)}:${clean(id.stack)}`];
}

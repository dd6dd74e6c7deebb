/**
 * Namecheap's Dynamic DNS answer: an `<interface-response>` whose ErrCount decides (Namecheap
 * answers HTTP 200 even on failure). A failure carries the message in <errors><Err1> and, per
 * failure, <responses><response> with a <ResponseNumber> and a <ResponseString> (the validation
 * detail, e.g. "Validation error; invalid ; password"), sometimes a <Description>: answers
 * recorded by inadyn (troglobit/inadyn#467) and other clients.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

export class NamecheapError extends Error {
    readonly retryable: boolean;
    /** Namecheap's own error texts, when it sent any. */
    readonly errors: string[];

    constructor(message: string, options: { retryable: boolean; errors?: string[] }) {
        super(message);
        this.name = "NamecheapError";
        this.retryable = options.retryable;
        this.errors = options.errors ?? [];
    }
}

export interface DdnsResponse {
    errCount: number;
    /** Namecheap's error texts: <ErrN>, else the responses' <Description>, else their <ResponseString>. */
    errors: string[];
    /** The responses' <ResponseString> details not already among `errors`. */
    details: string[];
    ip?: string;
    done?: boolean;
}

const parser = new XMLParser({
    parseTagValue: false,
    ignoreAttributes: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    trimValues: true,
});

type XmlNode = Record<string, unknown>;

function isNode(v: unknown): v is XmlNode {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Case-insensitive child lookup. */
function child(node: XmlNode, name: string): unknown {
    const key = Object.keys(node).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : node[key];
}

function texts(v: unknown): string[] {
    if (Array.isArray(v)) return v.flatMap(texts);
    if (typeof v === "string" || typeof v === "number") {
        const s = String(v).trim();
        return s ? [s] : [];
    }
    return [];
}

function snippet(body: string): string {
    const s = body.replace(/\s+/g, " ").trim();
    if (!s) return "empty body";
    return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
}

function malformed(detail: string, body: string): NamecheapError {
    return new NamecheapError(`Namecheap returned a malformed response (${detail}): ${snippet(body)}`, {
        retryable: false,
    });
}

/** Parses Namecheap's `<interface-response>`; throws a NamecheapError on anything else. */
export function parseDdnsResponse(body: string): DdnsResponse {
    if (body.trim() === "") throw malformed("empty body", body);
    const valid = XMLValidator.validate(body);
    if (valid !== true) throw malformed(`not XML: ${valid.err.msg}`, body);
    const doc: unknown = parser.parse(body);
    const root = isNode(doc) ? child(doc, "interface-response") : undefined;
    if (!isNode(root)) throw malformed("no <interface-response>", body);

    const countText = texts(child(root, "ErrCount"))[0];
    if (countText === undefined || !/^\d+$/.test(countText)) throw malformed("no <ErrCount>", body);
    const errCount = Number(countText);

    const errors: string[] = [];
    const errNode = child(root, "errors");
    if (isNode(errNode)) {
        const keys = Object.keys(errNode)
            .filter((k) => /^err\d+$/i.test(k))
            .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
        for (const k of keys) errors.push(...texts(errNode[k]));
    }
    const responses = child(root, "responses");
    const list = isNode(responses) ? child(responses, "response") : undefined;
    const entries = (Array.isArray(list) ? list : [list]).filter(isNode);
    const descriptions = entries.flatMap((r) => texts(child(r, "Description")));
    const responseStrings = entries.flatMap((r) => texts(child(r, "ResponseString")));
    if (errCount > 0 && errors.length === 0) errors.push(...(descriptions.length > 0 ? descriptions : responseStrings));
    const details = responseStrings.filter((d) => !errors.includes(d));

    const ip = texts(child(root, "IP"))[0];
    const doneText = texts(child(root, "Done"))[0]?.toLowerCase();
    const done = doneText === "true" ? true : doneText === "false" ? false : undefined;
    return { errCount, errors, details, ...(ip !== undefined && { ip }), ...(done !== undefined && { done }) };
}

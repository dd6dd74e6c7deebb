/**
 * Namecheap Dynamic DNS answers in the shapes open-source clients recorded from the real endpoint,
 * for the loopback fakes. HTTP 200 in every case; only the body tells failure from success.
 *
 * - Wrong password: recorded verbatim in troglobit/inadyn#467 (2024), with its
 *   `encoding="utf-16"` declaration on a UTF-8 body, two-space indentation and a <Description>.
 * - Inactive domain: recorded in an open-source Python DDNS updater's Namecheap provider
 *   (`Validation error; not active; domain name(s)`), four-space indentation, no <Description>.
 * - Success: inadyn#467 (2024, with `<errors />`) and inadyn#265 (2019, compact).
 * - "Domain name not found" and "No Records updated. A record not Found;" are texts users report
 *   (ddclient/ddclient#879, openwrt/packages#15611); their bodies follow the failure template of
 *   Namecheap's knowledge base (Err1, ResponseNumber, ResponseString), whose number and detail
 *   text for these two no client recorded: the ones below are stand-ins.
 */

export interface Failure {
    err: string;
    number: string;
    responseString: string;
    /** Whether the response also repeats the text as <Description>. */
    description: boolean;
}

export const FAILURES = {
    wrongPassword: { err: "Passwords do not match", number: "304156", responseString: "Validation error; invalid ; password", description: true },
    domainNotActive: { err: "Domain name not active", number: "316154", responseString: "Validation error; not active; domain name(s)", description: false },
    domainNotFound: { err: "Domain name not found", number: "316153", responseString: "Validation error; not found; domain name(s)", description: false },
    noRecord: { err: "No Records updated. A record not Found;", number: "380091", responseString: "No updates; A record not Found;", description: false },
} satisfies Record<string, Failure>;

/** Success, as inadyn#467 recorded it. */
export function successBody(ip: string): string {
    return [
        `<?xml version="1.0" encoding="utf-16"?>`,
        `<interface-response>`,
        `  <Command>SETDNSHOST</Command>`,
        `  <Language>eng</Language>`,
        `  <IP>${ip}</IP>`,
        `  <ErrCount>0</ErrCount>`,
        `  <errors />`,
        `  <ResponseCount>0</ResponseCount>`,
        `  <Done>true</Done>`,
        `  <debug><![CDATA[]]></debug>`,
        `</interface-response>`,
    ].join("\r\n");
}

/** Success, as inadyn#265 recorded it in 2019: compact, no <errors>. */
export function compactSuccessBody(ip: string): string {
    return (
        `<?xml version="1.0"?><interface-response><Command>SETDNSHOST</Command><Language>eng</Language>` +
        `<IP>${ip}</IP><ErrCount>0</ErrCount><ResponseCount>0</ResponseCount><Done>true</Done>` +
        `<debug><![CDATA[]]></debug></interface-response>`
    );
}

/** A failure in the shape of its recording (inadyn's layout when it has a <Description>). */
export function failureBody(f: Failure): string {
    if (f.description) {
        return [
            `<?xml version="1.0" encoding="utf-16"?>`,
            `<interface-response>`,
            `  <Command>SETDNSHOST</Command>`,
            `  <Language>eng</Language>`,
            `  <ErrCount>1</ErrCount>`,
            `  <errors>`,
            `    <Err1>${f.err}</Err1>`,
            `  </errors>`,
            `  <ResponseCount>1</ResponseCount>`,
            `  <responses>`,
            `    <response>`,
            `      <Description>${f.err}</Description>`,
            `      <ResponseNumber>${f.number}</ResponseNumber>`,
            `      <ResponseString>${f.responseString}</ResponseString>`,
            `    </response>`,
            `  </responses>`,
            `  <Done>true</Done>`,
            `  <debug><![CDATA[]]></debug>`,
            `</interface-response>`,
        ].join("\r\n");
    }
    return [
        `<?xml version="1.0" encoding="UTF-8"?>`,
        `<interface-response>`,
        `    <Command>SETDNSHOST</Command>`,
        `    <Language>eng</Language>`,
        `    <ErrCount>1</ErrCount>`,
        `    <errors>`,
        `        <Err1>${f.err}</Err1>`,
        `    </errors>`,
        `    <ResponseCount>1</ResponseCount>`,
        `    <responses>`,
        `        <response>`,
        `            <ResponseNumber>${f.number}</ResponseNumber>`,
        `            <ResponseString>${f.responseString}</ResponseString>`,
        `        </response>`,
        `    </responses>`,
        `    <Done>true</Done>`,
        `    <debug />`,
        `</interface-response>`,
    ].join("\n");
}

export interface Zone {
    password: string;
    /** Host labels with an "A + Dynamic DNS Record" (`@` for the apex). */
    hosts: string[];
    active?: boolean;
}

/** What Namecheap answers an update request for the zones it knows. */
export function answer(q: URLSearchParams, zones: Record<string, Zone>): string {
    const zone = zones[q.get("domain") ?? ""];
    if (zone === undefined) return failureBody(FAILURES.domainNotFound);
    if (q.get("password") !== zone.password) return failureBody(FAILURES.wrongPassword);
    if (zone.active === false) return failureBody(FAILURES.domainNotActive);
    if (!zone.hosts.includes(q.get("host") ?? "")) return failureBody(FAILURES.noRecord);
    return successBody(q.get("ip") ?? "198.51.100.1");
}

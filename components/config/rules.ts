/**
 * Rules that DigitalOcean, the Kubernetes API server and Let's Encrypt apply to values that
 * pass the config's syntax checks. Each function returns what is wrong (to follow "expected"),
 * or undefined; the config schema turns that into a config error before anything is created.
 */
import { CronExpressionParser } from "cron-parser";
import { parse as parseDomain } from "tldts";

// ---------------------------------------------------------------- quantities

/** An exact non-negative rational: num / den. */
interface Rational {
    num: bigint;
    den: bigint;
}

const BINARY_SI: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL_SI: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/**
 * The serialization format of a Kubernetes quantity (k8s.io/apimachinery pkg/api/resource/quantity.go):
 * <signedNumber><suffix>, number "1", "1.5", "1." or ".5"; suffix a binary SI (Ki..Ei), a decimal SI
 * (n, u, m, "", k, M, G, T, P, E) or a decimal exponent (e3, E-2). The exponent form is tried before "E".
 */
const QUANTITY = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE])?$/;

/** The exact value of a Kubernetes quantity, or undefined when it is not one (or negative). */
export function parseQuantity(text: string): Rational | undefined {
    const m = QUANTITY.exec(text);
    if (!m || m[1] === "-") return undefined;
    const [whole, fraction = ""] = m[2].split(".");
    let num = BigInt(`${whole}${fraction}` || "0");
    let den = 10n ** BigInt(fraction.length);
    const suffix = m[3] ?? "";
    let exp = 0;
    if (suffix in BINARY_SI) num *= BINARY_SI[suffix];
    else if (suffix in DECIMAL_SI) exp = DECIMAL_SI[suffix];
    else exp = Number(suffix.slice(1));
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
    return { num, den };
}

/** a compared with b: negative, zero or positive. */
function compare(a: Rational, b: Rational): number {
    const d = a.num * b.den - b.num * a.den;
    return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/**
 * Kubernetes refuses a container whose request exceeds its limit, with "must be less than or equal
 * to <resource> limit" (kubernetes/kubernetes pkg/apis/core/validation/validation.go,
 * ValidateResourceRequirements).
 */
export function requestAboveLimit(request: string, limit: string): boolean {
    const r = parseQuantity(request);
    const l = parseQuantity(limit);
    return r !== undefined && l !== undefined && compare(r, l) > 0;
}

// ---------------------------------------------------------------- cron schedules

/** The descriptors robfig/cron's standard parser accepts, mapped to what cron-parser knows. */
const CRON_DESCRIPTORS: Record<string, string> = {
    "@yearly": "@yearly",
    "@annually": "@yearly",
    "@monthly": "@monthly",
    "@weekly": "@weekly",
    "@daily": "@daily",
    "@midnight": "@daily",
    "@hourly": "@hourly",
};
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const CRON_FIELDS = ["minute", "hour", "day of month", "month", "day of week"] as const;

/**
 * What the Kubernetes API server would refuse in a CronJob schedule. It parses schedules with
 * robfig/cron v3's ParseStandard and refuses any "TZ" in them (kubernetes/kubernetes
 * pkg/apis/batch/validation/validation.go, validateScheduleFormat). Field ranges and steps are
 * checked by cron-parser; the syntax it accepts beyond robfig's is refused here: six fields
 * (seconds), L, W, #, H, and 7 for Sunday (robfig's day of week is 0-6). Stricter than Kubernetes:
 * "@every <duration>" and schedules that can never run (cron-parser refuses "0 0 31 2 *").
 */
export function cronScheduleProblem(schedule: string): string | undefined {
    const text = schedule.trim();
    if (text.includes("TZ")) return "a schedule without TZ= or CRON_TZ= (Kubernetes refuses them in spec.schedule)";
    if (text.startsWith("@")) {
        const descriptor = CRON_DESCRIPTORS[text];
        if (descriptor === undefined) return `five cron fields or one of ${Object.keys(CRON_DESCRIPTORS).join(", ")}`;
        return undefined;
    }
    const fields = text.split(/\s+/);
    if (fields.length !== 5) return `exactly 5 cron fields (minute hour day-of-month month day-of-week), found ${fields.length}`;
    for (const [i, field] of fields.entries()) {
        const names = i === 3 ? MONTHS : i === 4 ? WEEKDAYS : [];
        for (const atom of field.split(/[,/-]/)) {
            const ok = atom === "*" || (atom === "?" && (i === 2 || i === 4)) || /^\d+$/.test(atom) || names.includes(atom.toLowerCase());
            if (!ok) return `a valid ${CRON_FIELDS[i]} field: "${atom}" is not a number${names.length ? " or a name" : ""} (Kubernetes uses the standard 5-field cron syntax)`;
            if (i === 4 && /^\d+$/.test(atom) && Number(atom) > 6) return `a day of week from 0 to 6 (Sunday is 0; Kubernetes refuses ${atom})`;
        }
    }
    try {
        CronExpressionParser.parse(text);
    } catch (e) {
        return `a valid cron schedule: ${(e as Error).message}`;
    }
    return undefined;
}

// ---------------------------------------------------------------- DigitalOcean

/** The RAM in GiB a Droplet or database size slug names ("s-2vcpu-4gb" -> 4, "...-512mb" -> 0.5). */
export function slugMemoryGiB(slug: string): number | undefined {
    // The first size in the slug is the RAM; a second one is the disk ("s-1vcpu-512mb-10gb").
    const m = /-(\d+)(gb|mb)(?=-|$)/.exec(slug);
    if (!m) return undefined;
    return m[2] === "gb" ? Number(m[1]) : Number(m[1]) / 1024;
}

/**
 * The DOKS API answers a node pool of a size it does not offer with "invalid droplet size"
 * (digitalocean/terraform-provider-digitalocean#827). The sizes it offers are listed by
 * GET /v2/kubernetes/options, which starts at 2 GB of RAM (s-1vcpu-2gb; digitalocean/openapi
 * specification/resources/kubernetes/responses/examples.yml, kubernetes_options). That list cannot
 * be read offline, so only sizes below 2 GB are refused here; other slugs reach DigitalOcean.
 */
export function doksNodeSizeProblem(slug: string): string | undefined {
    const gib = slugMemoryGiB(slug);
    if (gib !== undefined && gib < 2) {
        return `a Droplet size DOKS offers for nodes, with at least 2 GB of RAM such as "s-1vcpu-2gb" or "s-2vcpu-4gb" (list them with "doctl kubernetes options sizes")`;
    }
    return undefined;
}

/**
 * Backend connections all pools of a PostgreSQL cluster may hold together: 25 per GiB of the
 * plan's RAM, minus 3 reserved for maintenance (DigitalOcean, "How to Manage Connection Pools":
 * https://docs.digitalocean.com/products/databases/postgresql/how-to/manage-connection-pools/;
 * the API's pool `size`: "a primary node with 1 GB of RAM allows for a maximum of 22").
 * Undefined when the slug names no RAM.
 */
export function poolConnectionLimit(dbSize: string): number | undefined {
    const gib = slugMemoryGiB(dbSize);
    return gib === undefined ? undefined : Math.floor(25 * gib) - 3;
}

/** DigitalOcean's API: a connection pool's name "must be between 3 and 60 characters". */
export const POOL_NAME_MAX = 60;

/**
 * Databases every managed PostgreSQL cluster already has: DigitalOcean creates "defaultdb" (and
 * refuses to delete it: https://docs.digitalocean.com/products/databases/postgresql/details/limits),
 * initdb creates "postgres", "template0" and "template1" (PostgreSQL docs, "Template Databases").
 * Creating one of them fails because it exists.
 */
export const EXISTING_DATABASES = ["defaultdb", "postgres", "template0", "template1"];

/** The web pods' database role is the owner role's name with this suffix. */
export const RUNTIME_USER_SUFFIX = "_web";
/** PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1). */
const PG_IDENTIFIER_MAX = 63;

/** The role the web pods use: only reads and writes rows of the owner's tables. */
export function runtimeUserName(owner: string): string {
    return `${owner}${RUNTIME_USER_SUFFIX}`;
}

/**
 * DigitalOcean's admin user, PostgreSQL's reserved role prefix ("role name ... is reserved"), and
 * room for the runtime role's suffix within PostgreSQL's identifier length.
 */
export function reservedUserProblem(user: string): string | undefined {
    if (user === "doadmin") return 'a user other than the admin "doadmin" that DigitalOcean creates';
    if (user.startsWith("pg_")) return 'a name that does not start with "pg_" (PostgreSQL reserves it for its own roles)';
    if (runtimeUserName(user).length > PG_IDENTIFIER_MAX) {
        return `at most ${PG_IDENTIFIER_MAX - RUNTIME_USER_SUFFIX.length} characters: the web pods' role is named <dbUser>${RUNTIME_USER_SUFFIX}, and PostgreSQL names have at most ${PG_IDENTIFIER_MAX}`;
    }
    return undefined;
}

// ---------------------------------------------------------------- Let's Encrypt

/**
 * Let's Encrypt refuses an account contact whose domain is example.com, example.net or
 * example.org, or that does not end in an ICANN public suffix (a reserved TLD such as .test,
 * .local, .invalid, .example), is a public suffix itself, or has more than 10 labels
 * (letsencrypt/boulder policy/pa.go, ValidEmail and validNonWildcardDomain).
 */
export function acmeContactProblem(email: string): string | undefined {
    const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
    const refused = "an address Let's Encrypt accepts as a contact";
    if (["example.com", "example.net", "example.org"].includes(domain)) return `${refused}: it refuses @${domain}`;
    const parsed = parseDomain(domain, { allowPrivateDomains: false });
    if (parsed.isIp || !parsed.isIcann || parsed.publicSuffix === null) {
        return `${refused}: ${domain} does not end in a public top-level domain`;
    }
    if (parsed.domain === null) return `${refused}: ${domain} is a public suffix, not a domain`;
    if (domain.split(".").length > 10) return `${refused}: ${domain} has more than 10 labels`;
    if (domain.split(".").some((l) => l.length >= 4 && l.slice(2, 4) === "--" && !l.startsWith("xn"))) {
        return `${refused}: ${domain} has a label in the reserved "??--" form`;
    }
    return undefined;
}

// ---------------------------------------------------------------- names and labels

/**
 * A Kubernetes label value: at most 63 characters, empty or starting and ending with a letter or
 * digit, with "-", "_" and "." between (k8s.io/apimachinery pkg/util/validation/validation.go,
 * IsValidLabelValue).
 */
export function labelValueProblem(value: string): string | undefined {
    if (value.length > 63) return `at most 63 characters (it is ${value.length})`;
    if (!/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value)) {
        return 'letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
    }
    return undefined;
}

/**
 * Helm refuses release names longer than 53 characters or outside DNS-1123 subdomain syntax
 * (helm/helm pkg/chartutil/validate_name.go, ValidateReleaseName).
 */
export function helmReleaseNameProblem(name: string): string | undefined {
    if (name.length > 53) return "at most 53 characters";
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name)) return "a DNS-1123 subdomain";
    return undefined;
}

/** The rule functions (components/config/rules.ts) on their own, with exact messages; no Pulumi SDK. */
import {
    acmeContactProblem,
    cronScheduleProblem,
    helmReleaseNameProblem,
    labelValueProblem,
    parseQuantity,
    requestAboveLimit,
} from "../components/config/rules";
import { REGIONS } from "../components/config/cluster";
import { isPrivateNetwork, RESERVED_EVERYWHERE, RESERVED_IN_REGION, reservedOverlaps } from "../components/config/networks";

describe("quantities", () => {
    test.each([
        ["1n", "1e-9"],
        ["1u", "1e-6"],
        ["2k", "2000"],
        ["3M", "3e6"],
        ["4G", "4e9"],
        ["5T", "5e12"],
        ["6P", "6e15"],
        ["7E", "7e18"],
        ["10", "1e1"],
        ["1Ki", "1024"],
        ["1Mi", "1024Ki"],
        ["1Ti", "1024Gi"],
        ["1Pi", "1024Ti"],
        ["1Ei", "1024Pi"],
        ["0.25", "250m"],
        ["12.5", "12500m"],
        ["+1", "1"],
        ["1e+3", "1k"],
        ["1e12", "1T"],
        ["1E-3", "1m"],
    ])("%s equals %s: neither is above the other", (a, b) => {
        const [qa, qb] = [parseQuantity(a), parseQuantity(b)];
        expect(qa && qb && qa.num * qb.den).toBe(qa && qb && qb.num * qa.den);
        expect(requestAboveLimit(a, b)).toBe(false);
        expect(requestAboveLimit(b, a)).toBe(false);
    });

    test("above and below", () => {
        expect(requestAboveLimit("2", "1")).toBe(true);
        expect(requestAboveLimit("1", "2")).toBe(false);
        expect(requestAboveLimit("1001m", "1")).toBe(true);
        expect(requestAboveLimit("1Ei", "1E")).toBe(true);
        expect(requestAboveLimit("1n", "0")).toBe(true);
        expect(requestAboveLimit("1.5", "1")).toBe(true);
        expect(requestAboveLimit("1", "1.5")).toBe(false);
    });

    test.each(["12", ".25", "1.", "0"])("%j is a quantity", (q) => {
        expect(parseQuantity(q)).toBeDefined();
    });

    test.each([".x", "1.2.", "1 ", " 1", "1Gi ", "10 k", ".5.5"])("%j is not a quantity", (q) => {
        expect(parseQuantity(q)).toBeUndefined();
    });
});

describe("CronJob schedules", () => {
    test.each(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", " @daily ", "0  3 * * *", "0 0 * jan-dec sun-sat", "0 0 ? FEB,MAR,APR,MAY,JUN,JUL,AUG,SEP,OCT,NOV ?", "0 0 * * mon,tue,wed,thu,fri,sat", "0 0 * * 6", "0 0 1 * ?"])(
        "%j is accepted",
        (s) => {
            expect(cronScheduleProblem(s)).toBeUndefined();
        },
    );

    test.each([
        ["@every 5m", "five cron fields or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly"],
        ["0 0 * * 1x", 'a valid day of week field: "1x" is not a number or a name (Kubernetes uses the standard 5-field cron syntax)'],
        ["x0 0 * * *", 'a valid minute field: "x0" is not a number (Kubernetes uses the standard 5-field cron syntax)'],
        ["0 0 * jan ?x", 'a valid day of week field: "?x" is not a number or a name (Kubernetes uses the standard 5-field cron syntax)'],
        ["0 ? * * *", 'a valid hour field: "?" is not a number (Kubernetes uses the standard 5-field cron syntax)'],
        ["0 0 * mon *", 'a valid month field: "mon" is not a number or a name (Kubernetes uses the standard 5-field cron syntax)'],
        ["0 0 * * jan", 'a valid day of week field: "jan" is not a number or a name (Kubernetes uses the standard 5-field cron syntax)'],
        ["0 0 * * 16", "a day of week from 0 to 6 (Sunday is 0; Kubernetes refuses 16)"],
        ["0 0 * * 1-7", "a day of week from 0 to 6 (Sunday is 0; Kubernetes refuses 7)"],
    ])("%j is refused", (s, message) => {
        expect(cronScheduleProblem(s)).toBe(message);
    });
});

describe("Let's Encrypt contacts", () => {
    const refused = "an address Let's Encrypt accepts as a contact";
    test.each([
        ["ops@example.net", `${refused}: it refuses @example.net`],
        ["ops@example.com", `${refused}: it refuses @example.com`],
        ["ops@acme.test", `${refused}: acme.test does not end in a public top-level domain`],
        ["ops@10.0.0.1", `${refused}: 10.0.0.1 does not end in a public top-level domain`],
        ["ops@acme.blogspot.com", undefined],
        ["ops@co.uk", `${refused}: co.uk is a public suffix, not a domain`],
        ["ops@a.b.c.d.e.f.g.h.i.acme.org", `${refused}: a.b.c.d.e.f.g.h.i.acme.org has more than 10 labels`],
        ["ops@a.b.c.d.e.f.g.h.acme.org", undefined],
        ["ops@ab--cd.acme.org", `${refused}: ab--cd.acme.org has a label in the reserved "??--" form`],
        ["ops@xn--bcher-kva.de", undefined],
        ["ops@ab-c.acme.org", undefined],
        ["ops@abc--d.acme.org", undefined],
    ])("%s", (email, expected) => {
        expect(acmeContactProblem(email)).toBe(expected);
    });
});

describe("names and labels", () => {
    test.each([
        ["a".repeat(63), undefined],
        ["a".repeat(64), "at most 63 characters (it is 64)"],
        ["", undefined],
        ["a", undefined],
        ["a-b.c_d", undefined],
        ["-a", 'letters, digits, "-", "_" and ".", starting and ending with a letter or digit'],
        ["a-", 'letters, digits, "-", "_" and ".", starting and ending with a letter or digit'],
    ])("label value %j", (value, expected) => {
        expect(labelValueProblem(value)).toBe(expected);
    });

    test.each([
        ["r".repeat(53), undefined],
        ["ingress-nginx.v2", undefined],
        ["a", undefined],
        ["Release", "a DNS-1123 subdomain"],
        ["a-", "a DNS-1123 subdomain"],
        ["-a", "a DNS-1123 subdomain"],
        ["a.-b", "a DNS-1123 subdomain"],
        ["a.b-", "a DNS-1123 subdomain"],
    ])("Helm release name %j", (name, expected) => {
        expect(helmReleaseNameProblem(name)).toBe(expected);
    });
});

describe("networks", () => {
    test.each([
        ["10.20.0.0/16", 16, 22, true],
        ["10.20.0.0/22", 16, 22, true],
        ["10.20.0.0/15", 16, 22, false],
        ["10.20.0.0/23", 16, 22, false],
        ["10.20.0.1/16", 16, 22, false],
        ["8.8.0.0/16", 16, 22, false],
        ["192.168.0.0/15", 8, 28, false],
        ["10.20.0.0", 16, 22, false],
    ])("isPrivateNetwork(%s, /%i to /%i) is %s", (cidr, shortest, longest, expected) => {
        expect(isPrivateNetwork(cidr, shortest, longest)).toBe(expected);
    });

    test("a region's reserved range is refused there and nowhere else; the ranges reserved everywhere, in every region", () => {
        expect(RESERVED_IN_REGION.fra1).toBe("10.19.0.0/16");
        expect(Object.keys(RESERVED_IN_REGION).every((r) => (REGIONS as readonly string[]).includes(r))).toBe(true);
        for (const region of REGIONS) {
            const own = RESERVED_IN_REGION[region];
            if (own !== undefined) expect(reservedOverlaps(own, region)).toEqual([own]);
            for (const other of Object.values(RESERVED_IN_REGION).filter((r) => r !== own)) expect(reservedOverlaps(other, region)).toEqual([]);
            for (const everywhere of RESERVED_EVERYWHERE) expect(reservedOverlaps(everywhere, region)).toEqual([everywhere]);
            expect(reservedOverlaps("172.24.0.0/20", region)).toEqual([]);
        }
        expect(reservedOverlaps("10.0.0.0/8", "ric1")).toEqual(RESERVED_EVERYWHERE);
    });
});

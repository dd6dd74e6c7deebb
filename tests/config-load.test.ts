/**
 * The config cases through the loader alone: the same messages as through the whole program
 * (config.test.ts, semantic.test.ts), in milliseconds per case.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, SECRET_KEYS } from "../components/config";
import { helmReleaseNameProblem, parseQuantity, requestAboveLimit } from "../components/config/rules";
import { CERT_MANAGER, INGRESS_CONTROLLER, METRICS_SERVER } from "../components/platform/charts";
import { BAD, JUST_INSIDE, ROWS } from "./config-cases";
import { loadConfigError, PROJECT, ROOT, STACKS } from "./harness";

/** The message's line for `key`. */
function lineFor(error: Error, key: string): string | undefined {
    const full = key.includes(":") || key === "stack name" ? key : `${PROJECT}:${key}`;
    return error.message.split("\n").find((l) => l.startsWith(`  - ${full} = `));
}

describe("the loader refuses each bad value with the program's message", () => {
    test.each([...BAD.map((c) => [c.title, c] as const), ...Object.entries(ROWS)])("%s", async (_title, c) => {
        const error = await loadConfigError(c.stack, c);
        expect(error).toBeInstanceOf(ConfigError);
        expect(error!.message).toContain(`stack "${("stackName" in c && c.stackName) || c.stack}"`);
        const line = lineFor(error!, c.key);
        expect(line).toBeDefined();
        expect(line).toContain(` = ${c.shown}: expected `);
        expect(line).toContain(c.allowed);
    });
});

test("the secret keys, which the schema does not declare, are named in Pulumi.yaml's comment", () => {
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
    for (const k of SECRET_KEYS) expect(text).toContain(k);
});

describe("the loader accepts", () => {
    test.each(STACKS)("the committed %s stack", async (stack) => {
        expect(await loadConfigError(stack)).toBeUndefined();
    });

    test.each(JUST_INSIDE)("%s", async (_title, o) => {
        expect(await loadConfigError(o.stack, o)).toBeUndefined();
    });
});

describe("quantities", () => {
    test.each([
        ["500m", "0.5", 0],
        ["1Gi", "1073741824", 0],
        ["1G", "1Gi", -1],
        ["1.5Gi", "1536Mi", 0],
        ["1e3", "1k", 0],
        ["100u", "1m", -1],
        [".5", "500m", 0],
    ])("%s against %s", (a, b, sign) => {
        expect(requestAboveLimit(a, b)).toBe(sign > 0);
        expect(requestAboveLimit(b, a)).toBe(sign < 0);
    });

    test.each(["", "1.2.3", "5 cores", "1KiB", "-1", "1Ki2", "e3"])("%j is not a quantity", (q) => {
        expect(parseQuantity(q)).toBeUndefined();
    });
});

test("the Helm release names are ones Helm accepts", () => {
    for (const spec of [INGRESS_CONTROLLER, CERT_MANAGER, METRICS_SERVER]) expect(helmReleaseNameProblem(spec.release)).toBeUndefined();
    expect(helmReleaseNameProblem("r".repeat(54))).toBe("at most 53 characters");
});

/**
 * npm run check -- <stack>
 * Whether Pulumi.<stack>.yaml would pass the program's validation at `pulumi up`: the same reader
 * and rules (components/config/read.ts), secrets present or not, the token from the stack or the
 * environment. No credentials, no network. Exits 0 when ready, 1 with every problem, 2 on usage.
 */
import { readConfig } from "../components/config/read";
import { ROOT, PROJECT, stackFileConfig } from "./render-stack";

export interface CheckResult {
    ready: boolean;
    /** What to print: the readiness line, or the program's error with every problem. */
    report: string;
}

/** Checks the stack file as `pulumi up` would read it; throws only when there is no stack file. */
export function checkStack(stack: string, root = ROOT, env: NodeJS.ProcessEnv = process.env): CheckResult {
    const { config, secretKeys } = stackFileConfig(stack, root);
    try {
        readConfig({ project: PROJECT, stack, config, isSecret: (k) => secretKeys.includes(k), env });
    } catch (e) {
        return { ready: false, report: `Pulumi.${stack}.yaml is not ready for \`pulumi up\`.\n${(e as Error).message}` };
    }
    return {
        ready: true,
        report:
            `Pulumi.${stack}.yaml is ready for \`pulumi up\`: every key passes the program's validation. ` +
            "Not checked here: what only DigitalOcean knows (the registry name's availability, the account's limits).",
    };
}

export const CHECK_USAGE = [
    "usage: npm run check -- <stack>",
    "  Checks Pulumi.<stack>.yaml as `pulumi up` would validate it, offline and without credentials;",
    "  exits non-zero, listing every missing or invalid key, unless the stack would pass.",
].join("\n");

if (require.main === module) {
    const stack = process.argv[2];
    if (!stack || stack === "--help" || stack === "-h") {
        console.log(CHECK_USAGE);
        process.exit(stack ? 0 : 2);
    }
    try {
        const { ready, report } = checkStack(stack);
        (ready ? console.log : console.error)(report);
        process.exit(ready ? 0 : 1);
    } catch (e) {
        console.error((e as Error).message);
        process.exit(2);
    }
}

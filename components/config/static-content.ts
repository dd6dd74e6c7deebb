/**
 * The staticContent key (components/app.ts, the static site): the git repository synced into the
 * site's volume, and how often.
 */
import { z } from "zod";
import { type CrossFieldRule, rule } from "./fields";
import { cronScheduleProblem } from "./rules";

const PUBLIC_HTTPS = "a public https git URL such as https://github.com/acme/site.git";

/** The repository's URL, if it parses as one. */
function parsedUrl(url: string): URL | undefined {
    try {
        return new URL(url);
    } catch {
        return undefined;
    }
}

/**
 * The sync pods clone with git-sync given only the URL (components/app/static-site.ts: no SSH key,
 * no credentials), and restricted egress opens only port 443 to them
 * (components/app/network-policies.ts): a public repository over https is what works.
 * Credentials in the URL would sit in plain text in the pods' spec: such a URL is not shown.
 */
function repositoryRule(url: string, ctx: z.core.$RefinementCtx<string>): void {
    const problem = (message: string, params?: { shown: string }) => ctx.addIssue({ code: "custom", message, params });
    const parsed = parsedUrl(url);
    if (/^ssh:\/\//i.test(url) || (parsed === undefined && /^[^/:]+@[^/:]+:/.test(url))) {
        problem(`${PUBLIC_HTTPS}, not SSH: the sync pods have no SSH key`);
    } else if (parsed === undefined) {
        problem(PUBLIC_HTTPS);
    } else if (parsed.username !== "" || parsed.password !== "") {
        problem(
            `${PUBLIC_HTTPS}, without credentials: the sync pods use none, so the repository must be public, and a token in the URL would be stored in plain text in their spec`,
            { shown: "(not shown: it holds credentials)" },
        );
    } else if (parsed.protocol === "http:") {
        problem(`${PUBLIC_HTTPS}: git over plain http can be altered on the way`);
    } else if (parsed.protocol !== "https:") {
        problem(PUBLIC_HTTPS);
    }
}

/** With restricted egress the sync pods reach port 443 alone (components/app/network-policies.ts). */
export const repositoryPortRule: CrossFieldRule<z.output<typeof staticContent> & { app: { egress: "restricted" | "open" } }> = (c, ctx) => {
    const url = parsedUrl(c.staticContent.repository);
    // Only a URL that passed repositoryRule: https, no credentials.
    const port = url?.protocol === "https:" && url.username === "" && url.password === "" ? url.port : "";
    if (c.app.egress === "restricted" && port !== "") {
        ctx.addIssue({
            code: "custom",
            path: ["staticContent", "repository"],
            input: c.staticContent.repository,
            message: `a repository on port 443, or app.egress "open": with restricted egress the sync pods reach port 443 alone, not ${port}`,
        });
    }
};

const staticContent = z.strictObject({
    staticContent: z
        .strictObject({
            repository: z.string().superRefine(repositoryRule),
            branch: z.string().regex(/^[A-Za-z0-9._\/-]+$/, { message: "a git branch or tag name" }).default("main"),
            path: z
                .string()
                .regex(/^([A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*)?$/, { message: 'a folder inside the repository such as "app/static-site" ("" for its root)' })
                .refine((p) => !p.split("/").includes(".."), { message: "a folder inside the repository (no ..)" })
                .default(""),
            schedule: z.string().superRefine(rule(cronScheduleProblem)).default("*/15 * * * *"),
            size: z.string().regex(/^[1-9]\d{0,3}Gi$/, { message: 'a volume size in Gi such as "1Gi"' }).default("1Gi"),
        })
        // Parsed from {} so that a missing repository is reported as staticContent.repository.
        .prefault({} as { repository: string }),
});

/** The staticContent key, in the order it is checked. */
export const staticContentKeys = staticContent.shape;

/**
 * The staticContent key (components/app.ts, the static site): the git repository synced into the
 * site's volume, and how often.
 */
import { z } from "zod";
import { rule } from "./fields";
import { cronScheduleProblem } from "./rules";

const staticContent = z.strictObject({
    staticContent: z
        .strictObject({
            repository: z.url({ protocol: /^https$/, message: "an https git URL such as https://github.com/acme/site.git" }),
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

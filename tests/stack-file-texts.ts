import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./stack-values";

/** The committed Pulumi.<stack>.yaml as text. */
export const committedStackFile = (stack: string) => fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");

/** What a user adds to the committed dev stack file before a first `pulumi up` (as `pulumi config set` writes it). */
export const COMPLETED_DEV = committedStackFile("dev").replace(
    "  django-doks:monitoring:\n    enabled: true\n",
    [
        "  django-doks:monitoring:",
        "    enabled: true",
        "    alertEmails:",
        "      - ops@acme-test.org",
        "  django-doks:registryName: acme-django",
        "  django-doks:hostname: app.acme-test.org",
        "  django-doks:acmeEmail: ops@acme-test.org",
        "  django-doks:staticContent:",
        "    repository: https://github.com/acme/django-doks.git",
        "  django-doks:namecheapPassword:",
        "    secure: v1:AAAAAAAAAAAAAAAA:BBBB",
        "  digitalocean:token:",
        "    secure: v1:AAAAAAAAAAAAAAAA:CCCC",
        "",
    ].join("\n"),
);

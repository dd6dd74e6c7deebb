import * as fs from "fs";
import * as path from "path";
import { isMap, isScalar, parseDocument, Scalar } from "yaml";
import { ROOT, stackFileConfig, STACKS } from "./harness";

/**
 * What the Pulumi CLI writes when it saves a stack file it loaded (`pulumi config set`,
 * `pulumi stack init`/`select --create`). It keeps a top-level config value only as text, so an
 * integer or boolean comes back as a double-quoted string; values inside objects keep their types;
 * comments stay where they were (pulumi/pulumi sdk/go/common/resource/config/value.go and
 * object.go: MarshalString / MarshalYAML; sdk/go/common/util/yamlutil/edit.go: the comment-keeping
 * edit). The fixtures hold a hand-written file and what the CLI's own code saved from it.
 */
function asTheCliSaves(text: string): string {
    const doc = parseDocument(text);
    const config = doc.get("config", true);
    if (!isMap(config)) throw new Error("no config map");
    for (const pair of config.items) {
        if (isScalar(pair.value) && typeof pair.value.value !== "string") {
            const quoted = new Scalar(String(pair.value.value));
            quoted.type = Scalar.QUOTE_DOUBLE;
            pair.value = quoted;
        }
    }
    return doc.toString();
}

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "fixtures", "stack-file", name), "utf8");

describe("stack files in the form the Pulumi CLI writes", () => {
    test("the model reproduces the CLI's save of a hand-written file byte for byte", () => {
        const handWritten = fixture("Pulumi.prod.hand-written.yaml");
        expect(handWritten).toContain("django-doks:nodeCount: 3\n");
        expect(asTheCliSaves(handWritten)).toBe(fixture("Pulumi.prod.cli-saved.yaml"));
    });

    test.each(STACKS)("Pulumi.%s.yaml is already in that form: the CLI's first save changes nothing", (stack) => {
        const text = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
        expect(asTheCliSaves(text)).toBe(text);
        expect(text).toMatch(/^# Before the first deploy/);
    });

    test.each(STACKS)("Pulumi.%s.yaml still reaches the program with the same values", (stack) => {
        const config = stackFileConfig(stack);
        expect(config["django-doks:nodeCount"]).toBe("3");
        if (stack === "prod") {
            expect(config["django-doks:dbProtect"]).toBe("true");
            expect(JSON.parse(config["django-doks:nodeAutoscale"])).toEqual({ minNodes: 3, maxNodes: 5 });
            expect(JSON.parse(config["django-doks:maintenanceWindow"])).toEqual({ day: "sunday", startTime: "03:00" });
        }
    });
});

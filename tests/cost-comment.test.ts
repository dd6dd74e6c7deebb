import type { CostEstimate } from "../components/cost";
import { costMarker, costSection, withCostSection } from "../scripts/cost-comment";

const estimate = (o: Partial<CostEstimate> = {}): CostEstimate => ({
    totalUsd: 117.1,
    lines: [
        { item: "DOKS node s-2vcpu-4gb (workers)", quantity: 3, unitUsd: 24, usd: 72 },
        { item: "PostgreSQL db-s-1vcpu-1gb primary", quantity: 1, unitUsd: 15, usd: 15 },
    ],
    unpriced: [],
    nodePrices: "the offline price table of 2026-12-04 (components/droplet-prices.ts)",
    ...o,
});

describe("the cost section of a PR preview comment", () => {
    test("before and after, the change, and only the lines that change", () => {
        const after = estimate({
            totalUsd: 141.1,
            lines: [
                { item: "DOKS node s-2vcpu-4gb (workers)", quantity: 4, unitUsd: 24, usd: 96 },
                { item: "PostgreSQL db-s-1vcpu-1gb primary", quantity: 1, unitUsd: 15, usd: 15 },
            ],
        });
        expect(costSection("dev", estimate(), after).split("\n")).toEqual([
            "<!-- django-doks: cost dev -->",
            "#### Estimated monthly cost of `dev` (USD, DigitalOcean list prices)",
            "",
            "| | Before (base) | After (this pull request) | Change |",
            "|---|---|---|---|",
            "| **Total** | $117.10 | $141.10 | **+$24.00** |",
            "",
            "| Line | Before | After | Change |",
            "|---|---|---|---|",
            "| DOKS node s-2vcpu-4gb (workers) | 3 x $24.00 = $72.00 | 4 x $24.00 = $96.00 | +$24.00 |",
            "",
            "The program's own estimate of each commit's stack file, computed offline (`npm run cost`); the preview's `estimatedMonthlyCostUsd` output prices nodes from DigitalOcean's API.",
        ]);
    });

    test("a cheaper change, a line removed, the autoscaling maximum, an unpriced line", () => {
        const before = estimate({ maxUsd: 165.1, lines: [...estimate().lines, { item: "DOKS HA control plane", quantity: 1, unitUsd: 40, usd: 40 }] });
        const after = estimate({ totalUsd: 77.1, maxUsd: 125.1, unpriced: [{ item: "PostgreSQL db-s-9vcpu-9gb primary", quantity: 1, reason: 'no price for database size "db-s-9vcpu-9gb"' }] });
        const section = costSection("prod", before, after);
        expect(section).toContain("| **Total** | $117.10 | $77.10 (partial) | **−$40.00** |");
        expect(section).toContain("| At the node autoscaling maximum | $165.10 | $125.10 | −$40.00 |");
        expect(section).toContain("| DOKS HA control plane | 1 x $40.00 = $40.00 | – | −$40.00 |");
        expect(section).toContain('Not priced after the change: PostgreSQL db-s-9vcpu-9gb primary x 1 (no price for database size "db-s-9vcpu-9gb").');
    });

    test("no change says so; an estimate that is not available says why, on one line", () => {
        expect(costSection("dev", estimate(), estimate())).toContain("| **Total** | $117.10 | $117.10 | **±$0.00** |\n\nNo line of the estimate changes.");
        const section = costSection("dev", { unavailable: "the base commit has no scripts/cost.ts" }, estimate());
        expect(section).toContain("| **Total** | not available | $117.10 | – |");
        expect(section).toContain("No estimate before the change: the base commit has no scripts/cost.ts");
        const refused = costSection("dev", estimate(), { unavailable: 'Invalid configuration for stack "dev" (nothing was created):\n  - django-doks:nodeCount = 0: expected at least 1' });
        expect(refused).toContain('No estimate after the change: Invalid configuration for stack "dev" (nothing was created):');
        expect(refused).not.toContain("nodeCount = 0");
    });

    test("appended to the preview's comment, keeping its summary; a later run replaces only the section", () => {
        const preview = "#### :tropical_drink: `preview` on django-doks/dev\n\n<details>\n<summary>Pulumi report</summary>\n<pre>\nResources:\n    ~ 1 to update\n</pre>\n</details>";
        const once = withCostSection(preview, "dev", costSection("dev", estimate(), estimate()));
        expect(once.startsWith(`${preview}\n\n${costMarker("dev")}\n`)).toBe(true);
        const twice = withCostSection(once, "dev", costSection("dev", estimate(), estimate({ totalUsd: 200 })));
        expect(twice.startsWith(`${preview}\n\n${costMarker("dev")}\n`)).toBe(true);
        expect(twice.split(costMarker("dev"))).toHaveLength(2);
        expect(twice).toContain("| **Total** | $117.10 | $200.00 | **+$82.90** |");
        expect(withCostSection("", "dev", "X")).toBe("X\n");
    });
});

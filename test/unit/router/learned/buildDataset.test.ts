import { describe, expect, it } from "vitest";
import { buildDataset, isHeldout, tierNames } from "../../../../models/router/build/buildDataset.js";
import { featureNames, featureVector } from "../../../../src/router/learned/featureVector.js";

describe("buildDataset", () => {
    it("is deterministic for a seed and labels every item with a known tier", () => {
        const a = buildDataset({ count: 120 });
        expect(buildDataset({ count: 120 })).toEqual(a);
        expect(buildDataset({ count: 120, seed: 1 })).not.toEqual(a);
        for (const item of a) {
            expect(tierNames).toContain(item.label);
            expect(item.request.messages.at(-1)!.role).toBe("user");
            expect(item.output_tokens).toBeGreaterThan(0);
        }
        expect(new Set(a.map((i) => i.label)).size).toBe(tierNames.length);
    });

    it("holds out about a quarter of the ids, by id alone", () => {
        const items = buildDataset({ count: 800 });
        const share = items.filter((i) => isHeldout(i.id)).length / items.length;
        expect(share).toBeGreaterThan(0.2);
        expect(share).toBeLessThan(0.3);
        expect(isHeldout(items[0]!.id)).toBe(isHeldout(items[0]!.id));
    });

    it("labels agent loops by the rubric: a first turn by its task, a loop at least mid, a stalled one frontier", () => {
        const streak = featureNames.indexOf("marked_error_streak");
        const calls = featureNames.indexOf("log_tool_calls");
        const loops = buildDataset({ count: 600, labelNoise: 0 }).filter((i) => i.category === "agent_loop");
        expect(loops.length).toBeGreaterThan(50);
        let stalled = 0;
        let onToolResults = 0;
        for (const item of loops) {
            const v = featureVector(item.request);
            if (v[streak]! >= 2) {
                stalled++;
                expect(item.label).toBe("frontier");
            } else if (v[calls]! > 0) {
                expect(item.label).not.toBe("local");
            }
            const last = item.request.messages.at(-1)!;
            if (typeof last.content !== "string" && last.content.every((p) => p.type === "tool_result"))
                onToolResults++;
            expect(item.request.tools?.length).toBeGreaterThan(0);
        }
        expect(stalled).toBeGreaterThan(0);
        expect(onToolResults).toBeGreaterThan(0);
    });
});

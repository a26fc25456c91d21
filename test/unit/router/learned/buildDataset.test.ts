import { describe, expect, it } from "vitest";
import { buildDataset, isHeldout, tierNames } from "../../../../models/router/build/buildDataset.js";

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
});

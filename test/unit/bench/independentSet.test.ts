/**
 * The independent evaluation set stays usable and independent: every request is a valid router request
 * with a known tier, ids are unique, and no user text of it occurs in the generator's data set.
 */
import { describe, expect, it } from "vitest";
import { independentSet } from "../../../bench/eval/independent/independentSet.js";
import { tierNames } from "../../../models/router/build/buildDataset.js";
import { loadDataset } from "../../../models/router/build/loadDataset.js";
import { validateChatRequest } from "../../../src/chat/chatRequestSchema.js";
import { userTexts } from "../../helpers/userTexts.js";

describe("independent evaluation set", () => {
    it("holds valid requests with known tiers, unique ids and every tier represented", () => {
        const ids = new Set(independentSet.map((item) => item.id));
        expect(ids.size).toBe(independentSet.length);
        for (const item of independentSet) {
            expect(() => validateChatRequest(item.request), item.id).not.toThrow();
            expect(tierNames).toContain(item.label);
            expect(item.output_tokens).toBeGreaterThan(0);
        }
        for (const tier of tierNames)
            expect(independentSet.filter((item) => item.label === tier).length).toBeGreaterThanOrEqual(15);
    });

    it("shares no user text with the generated training or held-out data", () => {
        const generated = new Set(
            [...loadDataset("train"), ...loadDataset("heldout")].flatMap((item) => userTexts(item.request)),
        );
        const shared = independentSet.flatMap((item) =>
            userTexts(item.request)
                .filter((text) => generated.has(text))
                .map(() => item.id),
        );
        expect(shared).toEqual([]);
    });
});

/**
 * The hand-written evaluation set stays usable, balanced and apart: every request is a valid router
 * request with a known tier, ids are unique and name their batch, every tier holds a quarter or more of
 * the set, agent loops are labelled by the rubric, and no user text of it occurs in the generator's data
 * set or in the independent set.
 */
import { wordVectors } from "../../helpers/wordVectors.js";
import { describe, expect, it } from "vitest";
import { handwrittenCategory, handwrittenSet } from "../../../bench/eval/handwritten/handwrittenSet.js";
import { independentSet } from "../../../bench/eval/independent/independentSet.js";
import { tierNames } from "../../../models/router/build/buildDataset.js";
import { loadDataset } from "../../../models/router/build/loadDataset.js";
import { validateChatRequest } from "../../../src/chat/chatRequestSchema.js";
import { userTexts } from "../../helpers/userTexts.js";
import { featureNames, featureVector } from "../../../src/router/learned/featureVector.js";

describe("hand-written evaluation set", () => {
    it("holds valid requests with known tiers, unique ids named after their batch, each ending on a user turn", () => {
        expect(handwrittenSet.length).toBeGreaterThanOrEqual(400);
        expect(new Set(handwrittenSet.map((item) => item.id)).size).toBe(handwrittenSet.length);
        for (const item of handwrittenSet) {
            expect(() => validateChatRequest(item.request), item.id).not.toThrow();
            expect(item.category).toBe(handwrittenCategory);
            expect(item.family).toMatch(/^hw:[a-z0-9_]+$/);
            expect(item.id.startsWith(`hw-${item.family!.slice(3)}-`), item.id).toBe(true);
            expect(tierNames).toContain(item.label);
            expect(item.request.messages.at(-1)!.role, item.id).toBe("user");
            expect(item.output_tokens).toBeGreaterThan(0);
        }
    });

    it("keeps each tier at 25 % or more of the set", () => {
        for (const tier of tierNames) {
            const share = handwrittenSet.filter((item) => item.label === tier).length / handwrittenSet.length;
            expect(share, tier).toBeGreaterThanOrEqual(0.25);
        }
    });

    it("labels agent loops by the rubric: a stalled loop frontier, any turn after a tool round at least mid", () => {
        const streak = featureNames.indexOf("marked_error_streak");
        const calls = featureNames.indexOf("log_tool_calls");
        let loops = 0;
        for (const item of handwrittenSet) {
            const v = featureVector(item.request, wordVectors);
            if (v[streak]! >= 2) expect(item.label, item.id).toBe("frontier");
            if (v[calls]! > 0) {
                loops++;
                expect(item.label, item.id).not.toBe("local");
            }
        }
        expect(loops).toBeGreaterThan(30);
    });

    it("shares no user text with the generated training or held-out data, nor with the independent set", () => {
        const elsewhere = new Set(
            [...loadDataset("train"), ...loadDataset("heldout"), ...independentSet].flatMap((item) =>
                userTexts(item.request),
            ),
        );
        const shared = handwrittenSet.flatMap((item) =>
            userTexts(item.request)
                .filter((text) => elsewhere.has(text))
                .map(() => item.id),
        );
        expect(shared).toEqual([]);
    });
});

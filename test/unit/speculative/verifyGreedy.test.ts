import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { verifyGreedy } from "../../../src/speculative/verifyGreedy.js";

// A small vocabulary so that draft and target agree often.
const token = fc.integer({ min: 0, max: 3 });
const draftAndTarget = fc
    .array(token, { maxLength: 8 })
    .chain((draft) =>
        fc.tuple(
            fc.constant(draft),
            fc.array(token, { minLength: draft.length + 1, maxLength: draft.length + 1 }),
        ),
    );

describe("verifyGreedy", () => {
    it.each([
        { draft: [], target: [7], accepted: 0, tokens: [7], lastKind: "bonus" },
        { draft: [1, 2, 3], target: [1, 2, 3, 4], accepted: 3, tokens: [1, 2, 3, 4], lastKind: "bonus" },
        { draft: [1, 2, 3], target: [1, 9, 3, 4], accepted: 1, tokens: [1, 9], lastKind: "recovered" },
        { draft: [1, 2, 3], target: [5, 2, 3, 4], accepted: 0, tokens: [5], lastKind: "recovered" },
    ])("$draft vs $target → $tokens", ({ draft, target, accepted, tokens, lastKind }) => {
        expect(verifyGreedy(draft, target)).toEqual({ acceptedTokens: accepted, tokens, lastKind });
    });

    it("throws a RangeError unless targetTokens.length === draft.length + 1", () => {
        expect(() => verifyGreedy([1, 2], [1, 2])).toThrow(RangeError);
        expect(() => verifyGreedy([1, 2], [1, 2, 3, 4])).toThrow(RangeError);
    });

    it("returns the accepted draft prefix plus the target's token after it", () => {
        fc.assert(
            fc.property(draftAndTarget, ([draft, target]) => {
                const { acceptedTokens, tokens, lastKind } = verifyGreedy(draft, target);
                expect(tokens.length).toBeGreaterThanOrEqual(1);
                expect(tokens.length).toBeLessThanOrEqual(draft.length + 1);
                expect(tokens.length).toBe(acceptedTokens + 1);
                expect(tokens.slice(0, acceptedTokens)).toEqual(draft.slice(0, acceptedTokens));
                expect(tokens.at(-1)).toBe(target[acceptedTokens]);
                // Longest prefix: the next draft token (if any) disagrees.
                if (acceptedTokens < draft.length)
                    expect(draft[acceptedTokens]).not.toBe(target[acceptedTokens]);
                expect(lastKind).toBe(acceptedTokens === draft.length ? "bonus" : "recovered");
            }),
        );
    });

    it("accepts everything and adds the bonus when draft and target agree", () => {
        fc.assert(
            fc.property(fc.array(token, { minLength: 1, maxLength: 9 }), (target) => {
                const draft = target.slice(0, -1);
                expect(verifyGreedy(draft, target)).toEqual({
                    acceptedTokens: draft.length,
                    tokens: target,
                    lastKind: "bonus",
                });
            }),
        );
    });
});

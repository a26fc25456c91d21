import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { defaultNgramMaxN, defaultNgramMinN, NgramIndex } from "../../../src/speculative/NgramIndex.js";
import type { Token } from "../../../src/speculative/types.js";

function indexOf(tokens: readonly Token[], options?: { minN?: number; maxN?: number }): NgramIndex {
    const index = new NgramIndex(options);
    index.append(tokens);
    return index;
}

/** Brute force reference: longest suffix n-gram first, most recent earlier occurrence, overlapping copy. */
function referenceLookup(tokens: readonly Token[], maxTokens: number, minN: number, maxN: number): Token[] {
    const length = tokens.length;
    for (let n = Math.min(maxN, length); n >= minN; n--) {
        for (let start = length - n - 1; start >= 0; start--) {
            let match = true;
            for (let i = 0; match && i < n; i++) match = tokens[start + i] === tokens[length - n + i];
            if (!match) continue;
            const extended = [...tokens];
            for (let m = 0; m < maxTokens; m++) extended.push(extended[start + n + m]!);
            return extended.slice(length);
        }
    }
    return [];
}

// A small alphabet makes repeats (and so matches) common.
const sequenceArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 60 });
/**
 * Distinct tokens, then a copy of a stretch of them: the copy's source is the only earlier occurrence,
 * so matches longer than any n-gram are common (beside sequenceArb's short ones).
 */
const repeatingArb = fc
    .tuple(
        fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 8, maxLength: 40 }),
        fc.nat(),
        fc.integer({ min: 1, max: 20 }),
    )
    .map(([s, from, length]) => [...s, ...s.slice(from % s.length, (from % s.length) + length)]);
const rangeArb = fc
    .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }))
    .map(([minN, extra]) => ({ minN, maxN: minN + extra }));

describe("NgramIndex", () => {
    it("has documented defaults", () => {
        const index = new NgramIndex();
        expect([index.minN, index.maxN]).toEqual([defaultNgramMinN, defaultNgramMaxN]);
    });

    it.each([
        {
            name: "continues a repeated phrase",
            tokens: [1, 2, 3, 4, 1, 2, 3],
            maxTokens: 3,
            expected: [4, 1, 2],
        },
        {
            name: "uses the most recent occurrence",
            tokens: [1, 2, 5, 1, 2, 6, 1, 2],
            maxTokens: 1,
            expected: [6],
        },
        { name: "respects maxTokens", tokens: [1, 2, 3, 4, 5, 6, 1, 2], maxTokens: 2, expected: [3, 4] },
        { name: "maxTokens 0", tokens: [1, 2, 3, 1, 2], maxTokens: 0, expected: [] },
        { name: "no earlier occurrence", tokens: [1, 2, 3, 4, 5], maxTokens: 4, expected: [] },
        { name: "the suffix itself is not a match", tokens: [1, 2], maxTokens: 4, expected: [] },
        { name: "empty sequence", tokens: [], maxTokens: 4, expected: [] },
        { name: "a 1-gram is below the default minN", tokens: [7, 8, 9, 7], maxTokens: 2, expected: [] },
        { name: "extends a period past the end", tokens: [5, 5, 5], maxTokens: 4, expected: [5, 5, 5, 5] },
        {
            name: "extends a period-3 cycle",
            tokens: [1, 2, 3, 1, 2],
            maxTokens: 5,
            expected: [3, 1, 2, 3, 1],
        },
    ])("$name", ({ tokens, maxTokens, expected }) => {
        expect(indexOf(tokens).lookup(maxTokens)).toEqual(expected);
    });

    it("prefers the longest matching n-gram over a more recent shorter one", () => {
        // Suffix [1, 2] occurred at 0 (→ 3); the 1-gram [2] occurred more recently at 4 (→ 4).
        expect(indexOf([1, 2, 3, 5, 2, 4, 1, 2], { minN: 1, maxN: 2 }).lookup(1)).toEqual([3]);
    });

    it("matches a brute-force reference", () => {
        fc.assert(
            fc.property(sequenceArb, rangeArb, fc.integer({ min: 0, max: 8 }), (tokens, range, maxTokens) => {
                const expected = referenceLookup(tokens, maxTokens, range.minN, range.maxN);
                expect(indexOf(tokens, range).lookup(maxTokens)).toEqual(expected);
            }),
        );
    });

    it("lookupMatch: the same draft, and the match measured back from the n-gram found", () => {
        // [9, 1, 2, 3] occurs at 0 and ends the sequence: a 3-gram found, 4 tokens agree backwards.
        const index = indexOf([9, 1, 2, 3, 4, 8, 9, 1, 2, 3], { minN: 2, maxN: 3 });
        expect(index.lookupMatch(2, 64)).toEqual({ tokens: [4, 8], matchLength: 4 });
        expect(index.lookupMatch(2)).toEqual({ tokens: [4, 8], matchLength: 3 }); // not measured beyond n
        expect(index.lookupMatch(2, 3)).toEqual({ tokens: [4, 8], matchLength: 3 });
        expect(index.lookupMatch(2, 4)).toEqual({ tokens: [4, 8], matchLength: 4 });
        expect(indexOf([1, 2, 3]).lookupMatch(2, 64)).toEqual({ tokens: [], matchLength: 0 });
    });

    it("property: lookupMatch measures the agreement before the occurrence lookup drafts from", () => {
        fc.assert(
            fc.property(
                fc.oneof(sequenceArb, repeatingArb),
                rangeArb,
                fc.integer({ min: 1, max: 8 }),
                fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constant(64)),
                (tokens, range, maxTokens, measureUpTo) => {
                    const index = indexOf(tokens, range);
                    const { tokens: draft, matchLength } = index.lookupMatch(maxTokens, measureUpTo);
                    expect(draft).toEqual(index.lookup(maxTokens));
                    if (draft.length === 0) {
                        expect(matchLength).toBe(0);
                        return;
                    }
                    // Brute force: the occurrence is the latest earlier one of the longest suffix n-gram.
                    const length = tokens.length;
                    for (let n = Math.min(range.maxN, length); n >= range.minN; n--) {
                        for (let start = length - n - 1; start >= 0; start--) {
                            let agree = 0;
                            while (
                                start + n - 1 - agree >= 0 &&
                                tokens[start + n - 1 - agree] === tokens[length - 1 - agree]
                            )
                                agree++;
                            if (agree < n) continue;
                            expect(matchLength).toBe(Math.max(n, Math.min(measureUpTo, agree)));
                            return;
                        }
                    }
                    expect.unreachable("a draft without an earlier occurrence");
                },
            ),
        );
    });

    it("appending in chunks equals building from scratch, at every step", () => {
        fc.assert(
            fc.property(fc.array(sequenceArb, { maxLength: 6 }), rangeArb, (chunks, range) => {
                const incremental = new NgramIndex(range);
                const all: Token[] = [];
                for (const chunk of chunks) {
                    incremental.append(chunk);
                    all.push(...chunk);
                    expect(incremental.tokens).toEqual(all);
                    expect(incremental.lookup(6)).toEqual(indexOf(all, range).lookup(6));
                }
            }),
        );
    });

    it("append(tokens, from) appends only tokens[from..], and reset empties the index", () => {
        const index = new NgramIndex();
        index.append([9, 9, 1, 2, 3, 1, 2], 2);
        expect(index.tokens).toEqual([1, 2, 3, 1, 2]);
        expect(index.lookup(1)).toEqual([3]);
        index.reset();
        expect(index.length).toBe(0);
        index.append([1, 2]);
        expect(index.lookup(1)).toEqual([]);
    });

    it("property: truncated to a prefix and extended, it looks up exactly as one built on the result", () => {
        fc.assert(
            fc.property(sequenceArb, fc.nat(70), sequenceArb, rangeArb, (first, cut, rest, range) => {
                const kept = first.slice(0, cut);
                const reused = indexOf(first, range);
                reused.truncate(cut);
                expect(reused.tokens).toEqual(kept);
                const fresh = indexOf(kept, range);
                // The same continuation, token by token: every lookup agrees.
                for (const token of [undefined, ...rest]) {
                    if (token !== undefined) {
                        reused.append([token]);
                        fresh.append([token]);
                    }
                    expect(reused.lookup(8)).toEqual(fresh.lookup(8));
                }
                // And again after truncating the grown one part of the way back.
                const back = Math.floor(reused.length / 2);
                reused.truncate(back);
                expect(reused.lookup(8)).toEqual(indexOf(reused.tokens, range).lookup(8));
                expect(reused.lookup(8)).toEqual(referenceLookup(reused.tokens, 8, range.minN, range.maxN));
            }),
        );
    });

    it.each([{ minN: 0 }, { minN: 3, maxN: 2 }, { maxN: 2.5 }])("rejects invalid options %o", (options) => {
        expect(() => new NgramIndex(options)).toThrow(RangeError);
    });
});

import { describe, expect, it } from "vitest";
import { commonPrefixLength } from "../../../src/speculative/commonPrefixLength.js";

describe("commonPrefixLength", () => {
    it.each([
        { a: [], b: [], limit: undefined, n: 0 },
        { a: [1, 2, 3], b: [1, 2, 3], limit: undefined, n: 3 },
        { a: [1, 2, 3], b: [1, 2], limit: undefined, n: 2 },
        { a: [1, 2], b: [1, 2, 3], limit: undefined, n: 2 },
        { a: [1, 2, 3], b: [1, 9, 3], limit: undefined, n: 1 },
        { a: [5], b: [6], limit: undefined, n: 0 },
        { a: [1, 2, 3], b: [1, 2, 3], limit: 2, n: 2 },
        { a: [1, 2, 3], b: [1, 2, 3], limit: 0, n: 0 },
        { a: [1, 2, 3], b: [1, 2, 3], limit: -1, n: 0 },
    ])("$a vs $b (limit $limit) → $n", ({ a, b, limit, n }) => {
        expect(commonPrefixLength(a, b, limit)).toBe(n);
    });

    it.each([
        // Tokens before `start` are taken as agreeing (a caller holding their hash), not compared.
        { a: [9, 2, 3, 4], b: [1, 2, 3, 5], start: 1, n: 3 },
        { a: [1, 2, 3], b: [1, 2, 3], start: 5, n: 3 },
        { a: [1, 2, 3], b: [1, 2, 7], start: 2, n: 2 },
        { a: [1, 2, 3], b: [1, 2, 3], start: -2, n: 3 },
    ])("$a vs $b from $start → $n", ({ a, b, start, n }) => {
        expect(commonPrefixLength(a, b, Infinity, start)).toBe(n);
    });
    it("a negative limit gives 0 whatever the start", () => {
        expect(commonPrefixLength([1, 2], [1, 2], -1, 1)).toBe(0);
    });
});

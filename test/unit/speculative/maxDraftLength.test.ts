import { describe, expect, it } from "vitest";

import { maxDraftLength } from "../../../src/speculative/maxDraftLength.js";

describe("maxDraftLength", () => {
    it.each([
        { requested: 16, contextTokensLeft: 1000, tokensLeft: Infinity, expected: 16 },
        { requested: 16, contextTokensLeft: 10, tokensLeft: 100, expected: 9 },
        { requested: 16, contextTokensLeft: 1000, tokensLeft: 5, expected: 4 },
        { requested: 16, contextTokensLeft: 1, tokensLeft: 100, expected: 0 },
        { requested: 16, contextTokensLeft: 100, tokensLeft: 1, expected: 0 },
        { requested: 16, contextTokensLeft: 0, tokensLeft: 0, expected: 0 },
        { requested: 0, contextTokensLeft: 100, tokensLeft: 100, expected: 0 },
    ])("$requested, ctx $contextTokensLeft, left $tokensLeft → $expected", ({ expected, ...input }) => {
        expect(maxDraftLength(input)).toBe(expected);
    });
});

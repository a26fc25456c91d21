import { describe, expect, it } from "vitest";
import type { BpeVocabulary } from "../../../models/build/tokenizer/ByteLevelBpe.js";
import { FIM_TOKENS, fimTokenIds, withFimTokens } from "../../../models/build/tokenizer/fimTokens.js";

const bpe: BpeVocabulary = {
    tokens: ["<|endoftext|>", "<|pad|>", "a", "b", "ab"],
    merges: ["a b"],
    specials: { "<|endoftext|>": 0, "<|pad|>": 1 },
};

describe("withFimTokens", () => {
    it("appends prefix, suffix and middle after every existing id, which keep their meaning", () => {
        const grown = withFimTokens(bpe);
        expect(grown.tokens.slice(0, bpe.tokens.length)).toEqual(bpe.tokens);
        expect(grown.tokens.slice(bpe.tokens.length)).toEqual([
            FIM_TOKENS.prefix,
            FIM_TOKENS.suffix,
            FIM_TOKENS.middle,
        ]);
        expect(fimTokenIds(grown)).toEqual({ prefix: 5, suffix: 6, middle: 7 });
        expect(grown.specials["<|pad|>"]).toBe(1);
        expect(grown.merges).toEqual(bpe.merges);
    });

    it("leaves a vocabulary that has them unchanged, and the input untouched", () => {
        const grown = withFimTokens(bpe);
        expect(withFimTokens(grown)).toBe(grown);
        expect(bpe.tokens).toHaveLength(5);
        expect(fimTokenIds(bpe)).toBeUndefined();
    });
});

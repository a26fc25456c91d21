/**
 * Fill-in-the-middle control tokens of our tokenizer, in Qwen 2.5 Coder's spelling (llama.cpp also
 * recognises these texts when a GGUF does not name them). They are appended after the BPE vocabulary
 * (ids 4096..4098 for the 4,096-token BPE), so every id the pair was first trained with keeps its
 * meaning and continued training only grows the embedding rows (train.py --resume).
 *
 * The middle ends with `<|endoftext|>` (id 0, the EOS), as StarCoder and Qwen 2.5 Coder end theirs.
 */
import type { BpeVocabulary } from "./ByteLevelBpe.js";

export const FIM_TOKENS = {
    prefix: "<|fim_prefix|>",
    suffix: "<|fim_suffix|>",
    middle: "<|fim_middle|>",
} as const;

/** The FIM token ids of a vocabulary, or undefined when it has none (a BPE fresh from trainBpe.ts). */
export function fimTokenIds(
    vocab: BpeVocabulary,
): { prefix: number; suffix: number; middle: number } | undefined {
    const prefix = vocab.specials[FIM_TOKENS.prefix];
    const suffix = vocab.specials[FIM_TOKENS.suffix];
    const middle = vocab.specials[FIM_TOKENS.middle];
    if (prefix === undefined || suffix === undefined || middle === undefined) return undefined;
    return { prefix, suffix, middle };
}

/** The vocabulary with the FIM tokens appended; unchanged when it already has them. */
export function withFimTokens(vocab: BpeVocabulary): BpeVocabulary {
    if (fimTokenIds(vocab)) return vocab;
    const tokens = [...vocab.tokens];
    const specials = { ...vocab.specials };
    for (const text of Object.values(FIM_TOKENS)) {
        specials[text] = tokens.length;
        tokens.push(text);
    }
    return { tokens, merges: vocab.merges, specials };
}

/**
 * Test fixture for translated drafts: a copy of a bundled model whose vocabulary is *incompatible*
 * with the original by llama.cpp's rule (200 extra tokens appended: the sizes differ by more than 128)
 * while every original token keeps its id, text and embedding. The copy therefore predicts exactly
 * what the original predicts, yet must be used through text: translated speculation with it should
 * be accepted nearly always, which tests the translation itself (detokenize, re-tokenize, boundaries).
 */
import { ensureRewrittenGguf, projectVocabulary } from "./gguf/rewriteGguf.js";

export const extraTokens = 200;

export async function ensureRetokenizedCopy(source: string, name: string): Promise<string> {
    const base = projectVocabulary();
    const vocab = {
        ...base,
        tokens: [...base.tokens, ...Array.from({ length: extraTokens }, (_, i) => `<|extra_${i}|>`)],
    };
    const n = vocab.tokens.length;
    return ensureRewrittenGguf(source, name, `plus${extraTokens}`, {
        name: `${name}-plus${extraTokens}`,
        vocab,
        transform: (tensor, data, shape) => {
            if (tensor !== "token_embd.weight" && tensor !== "output.weight") return { data, shape };
            // New rows are zero: the new tokens embed to nothing and get logit 0, far below the top
            // tokens of a trained model, so greedy predictions are unchanged.
            const extended = new Float32Array(n * shape[1]!);
            extended.set(data);
            return { data: extended, shape: [n, shape[1]!] };
        },
    });
}

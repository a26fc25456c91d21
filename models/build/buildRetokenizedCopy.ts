/**
 * Test fixture for translated drafts: a copy of a bundled model whose vocabulary is *incompatible*
 * with the original by llama.cpp's rule (200 extra tokens appended: the sizes differ by more than 128)
 * while every original token keeps its id, text and embedding. The copy therefore predicts exactly
 * what the original predicts, yet must be used through text: translated speculation with it should
 * be accepted nearly always, which tests the translation itself (detokenize, re-tokenize, boundaries).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { projectVocabulary, rewriteGguf } from "./gguf/rewriteGguf.js";

export const extraTokens = 200;

export async function ensureRetokenizedCopy(source: string, name: string): Promise<string> {
    // Named after the source's content: a rebuilt source model must not reuse a stale copy.
    const digest = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 12);
    const out = resolve(import.meta.dirname, `../.cache/fixtures/${name}-${digest}-plus${extraTokens}.gguf`);
    if (existsSync(out)) return out;
    const base = projectVocabulary();
    const vocab = {
        ...base,
        tokens: [...base.tokens, ...Array.from({ length: extraTokens }, (_, i) => `<|extra_${i}|>`)],
    };
    const n = vocab.tokens.length;
    await rewriteGguf(source, out, {
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
    return out;
}

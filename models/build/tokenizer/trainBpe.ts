/**
 * Trains our byte-level BPE vocabulary on the corpus (models/.cache/corpus/train.txt).
 *
 * Layout of the vocabulary (ids are part of the model contract):
 *   0..4      control tokens (SPECIAL_TOKENS), 0 = end of text (BOS and EOS)
 *   5..260    the 256 byte symbols
 *   261..     merged symbols, in merge order
 *   then      the FIM tokens, appended by fim/addFimTokens.ts (tokenizer/fimTokens.ts) after training
 *
 * Counting is over distinct pre-tokens with their frequencies; pair counts are updated
 * incrementally for the words a merge touches, so training a 4k vocabulary over tens of MB takes
 * about a minute instead of re-counting the corpus for every merge.
 *
 *   node --import tsx models/build/tokenizer/trainBpe.ts [--vocab 4096] [--sample-mb 40]
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { byteToUnicode, pretokenize, toByteSymbols } from "./byteLevel.js";
import type { BpeVocabulary } from "./ByteLevelBpe.js";

export const SPECIAL_TOKENS = ["<|endoftext|>", "<|pad|>", "<|im_start|>", "<|im_end|>", "<|fim|>"] as const;
export const tokenizerPath = resolve(import.meta.dirname, "../../tokenizer/tiercel-bpe.json");

export function trainBpe(text: string, vocabSize: number): BpeVocabulary {
    const symbolIds = new Map<string, number>();
    const symbols: string[] = [];
    const intern = (s: string): number => {
        let id = symbolIds.get(s);
        if (id === undefined) {
            id = symbols.length;
            symbols.push(s);
            symbolIds.set(s, id);
        }
        return id;
    };
    for (const b of byteToUnicode) intern(b);

    const wordCounts = new Map<string, number>();
    for (const w of pretokenize(text)) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
    const words: number[][] = [];
    const freqs: number[] = [];
    for (const [w, c] of wordCounts) {
        const s = toByteSymbols(w);
        if (s.length < 2) continue;
        words.push(s.map(intern));
        freqs.push(c);
    }

    const key = (a: number, b: number): number => a * 65536 + b;
    const pairCounts = new Map<number, number>();
    const pairWords = new Map<number, Set<number>>();
    const addPairs = (wi: number, sign: number): void => {
        const w = words[wi]!;
        const f = freqs[wi]! * sign;
        for (let i = 0; i + 1 < w.length; i++) {
            const k = key(w[i]!, w[i + 1]!);
            pairCounts.set(k, (pairCounts.get(k) ?? 0) + f);
            if (sign > 0) {
                let set = pairWords.get(k);
                if (!set) pairWords.set(k, (set = new Set()));
                set.add(wi);
            }
        }
    };
    for (let wi = 0; wi < words.length; wi++) addPairs(wi, 1);

    const merges: string[] = [];
    const mergeCount = vocabSize - SPECIAL_TOKENS.length - 256;
    while (merges.length < mergeCount) {
        let bestKey = -1;
        let bestCount = 0;
        for (const [k, c] of pairCounts) {
            if (c > bestCount || (c === bestCount && k < bestKey)) {
                bestCount = c;
                bestKey = k;
            }
        }
        if (bestKey < 0 || bestCount < 2) break;
        const a = Math.floor(bestKey / 65536);
        const b = bestKey % 65536;
        const merged = intern(symbols[a]! + symbols[b]!);
        merges.push(symbols[a]! + " " + symbols[b]!);
        for (const wi of pairWords.get(bestKey) ?? []) {
            addPairs(wi, -1);
            const w = words[wi]!;
            const next: number[] = [];
            for (let i = 0; i < w.length; i++) {
                if (i + 1 < w.length && w[i] === a && w[i + 1] === b) {
                    next.push(merged);
                    i++;
                } else next.push(w[i]!);
            }
            words[wi] = next;
            addPairs(wi, 1);
        }
        pairCounts.delete(bestKey);
        pairWords.delete(bestKey);
        for (const [k, c] of pairCounts) if (c <= 0) pairCounts.delete(k);
        if (merges.length % 500 === 0) console.error(`merges: ${merges.length}/${mergeCount}`);
    }

    const tokens = [...SPECIAL_TOKENS, ...symbols];
    const specials = Object.fromEntries(SPECIAL_TOKENS.map((t, i) => [t, i]));
    return { tokens, merges, specials };
}

if (import.meta.filename === process.argv[1]) {
    const arg = (name: string, fallback: number): number => {
        const i = process.argv.indexOf(name);
        return i > 0 ? Number(process.argv[i + 1]) : fallback;
    };
    const vocabSize = arg("--vocab", 4096);
    const sampleBytes = arg("--sample-mb", 40) * 1024 * 1024;
    const corpus = readFileSync(resolve(import.meta.dirname, "../../.cache/corpus/train.txt"), "utf8");
    // An evenly spread sample keeps both languages of the corpus in proportion.
    const docs = corpus.split("\u0000");
    const stride = Math.max(1, Math.round(corpus.length / sampleBytes));
    const sample = docs.filter((_, i) => i % stride === 0).join("\n");
    const started = Date.now();
    const vocab = trainBpe(sample, vocabSize);
    mkdirSync(join(tokenizerPath, ".."), { recursive: true });
    writeFileSync(tokenizerPath, JSON.stringify(vocab));
    console.error(
        `vocab ${vocab.tokens.length} tokens, ${vocab.merges.length} merges in ${Date.now() - started} ms`,
    );
}

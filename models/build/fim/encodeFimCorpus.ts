/**
 * Encodes the corpus for the fill-in-the-middle continuation of the pair (train/train.py --corpus
 * models/.cache/corpus-fim): documents are cut into chunks of 256..1,400 characters at line starts,
 * and half of the chunks are turned into FIM samples with two character-level random split points
 * (Bavarian et al. 2022, "Efficient Training of Language Models to Fill in the Middle"; context-level
 * FIM, so that a sample fits the 384-token training window). Each part is tokenized on its own, as an
 * editor's prefix and suffix are at inference time. Orders, half each:
 *
 *   PSM  <|fim_prefix|> prefix <|fim_suffix|> suffix <|fim_middle|> middle <|endoftext|>
 *   SPM  <|fim_prefix|> <|fim_suffix|> suffix <|fim_middle|> prefix middle <|endoftext|>
 *
 * (SPM as StarCoder lays it out; PSM is what llama.cpp's /infill and infillPrompt.ts send.) With
 * `--line-rate r`, a share r of the FIM samples is cut at line boundaries instead: the middle is 1–3
 * whole lines without the last one's newline, which starts the suffix, the way an editor asks for the
 * rest of a line or a short block. Such a middle is short, so its end (the `<|endoftext|>` after it)
 * is learned far sooner than after a middle cut at random characters (up to a whole chunk long). The other
 * half stay plain text, so the model keeps its left-to-right objective. Writes {train,heldout}.bin
 * (uint16 token streams) and {train,heldout}.starts.bin (uint32 offsets where a chunk begins; train.py
 * starts its windows there). Deterministic: one seeded generator.
 *
 *   node --import tsx models/build/fim/encodeFimCorpus.ts [--fim-rate 0.5] [--line-rate 0] [--seed 18]
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { corpusDir, DOC_SEPARATOR } from "../buildCorpus.js";
import type { ByteLevelBpe } from "../tokenizer/ByteLevelBpe.js";
import { loadBpe } from "../tokenizer/encodeCorpus.js";
import { fimTokenIds } from "../tokenizer/fimTokens.js";
import { createRandom } from "../../../src/speculative/createRandom.js";

export const fimCorpusDir = resolve(import.meta.dirname, "../../.cache/corpus-fim");
const minChunkChars = 256;
const maxChunkChars = 1400;
const endOfText = 0;

/** A seeded generator (the engine's own), so the encoded corpus is the same on every machine. */
export function random(seed: number): () => number {
    return createRandom(seed);
}

/** A document cut into chunks of minChunkChars..maxChunkChars, each ending at a line end where one exists. */
export function* chunks(doc: string, rand: () => number): Generator<string> {
    let at = 0;
    while (at < doc.length) {
        const want = minChunkChars + Math.floor(rand() * (maxChunkChars - minChunkChars));
        let end = Math.min(doc.length, at + want);
        if (end < doc.length) {
            const lineEnd = doc.lastIndexOf("\n", end);
            if (lineEnd > at + minChunkChars / 2) end = lineEnd + 1;
        }
        yield doc.slice(at, end);
        at = end;
    }
}

/**
 * Appends one chunk to `ids`: as plain text with probability 1 - fimRate, else as a FIM sample (PSM or
 * SPM, half each) split at two character positions drawn uniformly from [0, chunk.length]. Returns
 * whether it became a FIM sample. `encode` appends the plain-text tokens of a string.
 */
export function encodeChunk(
    chunk: string,
    ids: number[],
    options: {
        fim: { prefix: number; suffix: number; middle: number };
        encode: (text: string, out: number[]) => void;
        rand: () => number;
        fimRate: number;
        /** Share of FIM samples whose middle is whole lines (default 0: character-level cuts only). */
        lineRate?: number;
    },
): boolean {
    const { fim, encode, rand } = options;
    if (rand() >= options.fimRate) {
        encode(chunk, ids);
        return false;
    }
    const lineCut =
        options.lineRate !== undefined && rand() < options.lineRate ? lineCuts(chunk, rand) : undefined;
    const [a, b] =
        lineCut ??
        ([Math.floor(rand() * (chunk.length + 1)), Math.floor(rand() * (chunk.length + 1))].sort(
            (x, y) => x - y,
        ) as [number, number]);
    const [prefix, middle, suffix] = [chunk.slice(0, a), chunk.slice(a, b), chunk.slice(b)];
    if (rand() < 0.5) {
        ids.push(fim.prefix);
        encode(prefix, ids);
        ids.push(fim.suffix);
        encode(suffix, ids);
        ids.push(fim.middle);
    } else {
        ids.push(fim.prefix, fim.suffix);
        encode(suffix, ids);
        ids.push(fim.middle);
        encode(prefix, ids);
    }
    encode(middle, ids);
    ids.push(endOfText);
    return true;
}

/**
 * Cut points of a line-level middle: from the start of a line drawn uniformly to the end of the 1st, 2nd
 * or 3rd line from there, without that line's newline (it starts the suffix).
 */
export function lineCuts(chunk: string, rand: () => number): [number, number] {
    const starts = [0];
    for (let i = chunk.indexOf("\n"); i >= 0 && i < chunk.length - 1; i = chunk.indexOf("\n", i + 1))
        starts.push(i + 1);
    const first = Math.floor(rand() * starts.length);
    const last = Math.min(starts.length - 1, first + Math.floor(rand() * 3));
    const next = starts[last + 1];
    return [starts[first]!, next === undefined ? chunk.length - (chunk.endsWith("\n") ? 1 : 0) : next - 1];
}

function encodeSplit(bpe: ByteLevelBpe, split: string, fimRate: number, lineRate: number, seed: number) {
    const fim = fimTokenIds(bpe.vocab);
    if (!fim) throw new Error("the tokenizer has no FIM tokens: run models/build/fim/addFimTokens.ts first");
    const rand = random(seed);
    const options = {
        fim,
        encode: (text: string, out: number[]) => bpe.encode(text, out),
        rand,
        fimRate,
        lineRate,
    };
    const text = readFileSync(join(corpusDir, `${split}.txt`), "utf8");
    const ids: number[] = [];
    const starts: number[] = [];
    let fimChunks = 0;
    for (const doc of text.split(DOC_SEPARATOR)) {
        for (const chunk of chunks(doc, rand)) {
            starts.push(ids.length);
            if (encodeChunk(chunk, ids, options)) fimChunks++;
        }
        ids.push(endOfText);
    }
    mkdirSync(fimCorpusDir, { recursive: true });
    writeFileSync(join(fimCorpusDir, `${split}.bin`), Uint16Array.from(ids));
    writeFileSync(join(fimCorpusDir, `${split}.starts.bin`), Uint32Array.from(starts));
    return { tokens: ids.length, chunks: starts.length, fimChunks };
}

if (import.meta.filename === process.argv[1]) {
    const arg = (name: string, fallback: number): number => {
        const i = process.argv.indexOf(name);
        return i > 0 ? Number(process.argv[i + 1]) : fallback;
    };
    const bpe = loadBpe();
    const fimRate = arg("--fim-rate", 0.5);
    const lineRate = arg("--line-rate", 0);
    const seed = arg("--seed", 18);
    for (const [i, split] of ["heldout", "train"].entries()) {
        console.log(split, encodeSplit(bpe, split, fimRate, lineRate, seed + i));
    }
}

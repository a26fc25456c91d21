/**
 * Encodes the corpus with our BPE into flat little-endian uint16 token streams for training:
 * models/.cache/corpus/{train,heldout}.bin. Documents are separated by the end-of-text token (id 0).
 *
 *   node --import tsx models/build/tokenizer/encodeCorpus.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ByteLevelBpe, type BpeVocabulary } from "./ByteLevelBpe.js";
import { tokenizerPath } from "./trainBpe.js";
import { corpusDir, DOC_SEPARATOR } from "../buildCorpus.js";

export function loadBpe(): ByteLevelBpe {
    return new ByteLevelBpe(JSON.parse(readFileSync(tokenizerPath, "utf8")) as BpeVocabulary);
}

function encodeSplit(bpe: ByteLevelBpe, split: string): { tokens: number; bytes: number } {
    const text = readFileSync(join(corpusDir, `${split}.txt`), "utf8");
    const ids: number[] = [];
    for (const doc of text.split(DOC_SEPARATOR)) {
        bpe.encode(doc, ids);
        ids.push(0);
    }
    writeFileSync(join(corpusDir, `${split}.bin`), Uint16Array.from(ids));
    return { tokens: ids.length, bytes: Buffer.byteLength(text) };
}

if (import.meta.filename === process.argv[1]) {
    const bpe = loadBpe();
    for (const split of ["heldout", "train"]) {
        const { tokens, bytes } = encodeSplit(bpe, split);
        console.log(`${split}: ${tokens} tokens, ${(bytes / tokens).toFixed(2)} bytes/token`);
    }
}

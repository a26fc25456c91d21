/**
 * Test fixture for translated drafts: a copy of a bundled model whose vocabulary is *incompatible*
 * with the original by llama.cpp's rule (200 extra tokens appended: the sizes differ by more than 128)
 * while every original token keeps its id, text and embedding. The copy therefore predicts exactly
 * what the original predicts, yet must be used through text: translated speculation with it should
 * be accepted nearly always, which tests the translation itself (detokenize, re-tokenize, boundaries).
 */
import { existsSync, openSync, closeSync, mkdirSync } from "node:fs";
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { GgufWriter } from "./gguf/GgufWriter.js";
import { addTokenizer } from "./exportModels.js";
import { readTensor } from "./widenTarget.js";
import type { BpeVocabulary } from "./tokenizer/ByteLevelBpe.js";
import { tokenizerPath } from "./tokenizer/trainBpe.js";
import { readFileSync } from "node:fs";

export const extraTokens = 200;

export async function ensureRetokenizedCopy(source: string, name: string): Promise<string> {
    // Named after the source's content: a rebuilt source model must not reuse a stale copy.
    const digest = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 12);
    const out = resolve(import.meta.dirname, `../.cache/fixtures/${name}-${digest}-plus${extraTokens}.gguf`);
    if (existsSync(out)) return out;
    const info = await readGgufFileInfo(source, { readTensorInfo: true });
    const meta = info.architectureMetadata as {
        context_length: number;
        embedding_length: number;
        block_count: number;
        feed_forward_length: number;
        attention: { head_count: number; head_count_kv: number; layer_norm_rms_epsilon: number };
        rope: { dimension_count: number; freq_base: number };
    };
    const base = JSON.parse(readFileSync(tokenizerPath, "utf8")) as BpeVocabulary;
    const vocab: BpeVocabulary = {
        ...base,
        tokens: [...base.tokens, ...Array.from({ length: extraTokens }, (_, i) => `<|extra_${i}|>`)],
    };
    const n = vocab.tokens.length;
    const d = meta.embedding_length;
    const writer = new GgufWriter()
        .addString("general.architecture", "llama")
        .addString("general.name", `${name}-plus${extraTokens}`)
        .addUint32("general.file_type", 7)
        .addUint32("llama.context_length", meta.context_length)
        .addUint32("llama.embedding_length", d)
        .addUint32("llama.block_count", meta.block_count)
        .addUint32("llama.feed_forward_length", meta.feed_forward_length)
        .addUint32("llama.attention.head_count", meta.attention.head_count)
        .addUint32("llama.attention.head_count_kv", meta.attention.head_count_kv)
        .addUint32("llama.rope.dimension_count", meta.rope.dimension_count)
        .addFloat32("llama.rope.freq_base", meta.rope.freq_base)
        .addFloat32("llama.attention.layer_norm_rms_epsilon", meta.attention.layer_norm_rms_epsilon)
        .addUint32("llama.vocab_size", n);
    addTokenizer(writer, vocab);
    const fd = openSync(source, "r");
    try {
        for (const t of info.tensorInfo ?? []) {
            const dims = t.dimensions.map(Number);
            const count = dims.reduce((a, b) => a * b, 1);
            const data = readTensor(fd, Number(t.fileOffset), count, t.ggmlType);
            if (t.name === "token_embd.weight" || t.name === "output.weight") {
                // New rows are zero: the new tokens embed to nothing and get logit 0, far below the top
                // tokens of a trained model, so greedy predictions are unchanged.
                const extended = new Float32Array(n * d);
                extended.set(data);
                if (t.name === "output.weight") extended.fill(0, data.length);
                writer.addTensor(t.name, [n, d], extended, "Q8_0");
            } else {
                const shape = [...dims].reverse();
                writer.addTensor(t.name, shape, data, dims.length === 1 ? "F32" : "Q8_0");
            }
        }
    } finally {
        closeSync(fd);
    }
    mkdirSync(resolve(out, ".."), { recursive: true });
    await writer.writeToFile(out);
    return out;
}

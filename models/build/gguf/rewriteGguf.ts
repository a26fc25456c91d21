/**
 * Copies one of our llama GGUFs into a new file with the same architecture, an optionally different
 * vocabulary, and tensors passed through a transform: the shared core of the bench/test variants of
 * the bundled models (retokenized copy, disagreeing draft). Tensors are dequantized and re-quantized
 * to Q8_0 (1-D tensors stay F32), so a copy with an identity transform predicts what the source does up
 * to quantization noise.
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { GgufWriter } from "./GgufWriter.js";
import { addTokenizer } from "../exportModels.js";
import { readTensor } from "../widenTarget.js";
import type { BpeVocabulary } from "../tokenizer/ByteLevelBpe.js";
import { tokenizerPath } from "../tokenizer/trainBpe.js";

export interface RewriteOptions {
    /** general.name of the copy. */
    name: string;
    /** Vocabulary of the copy. Defaults to the project's tokenizer (models/tokenizer). */
    vocab?: BpeVocabulary;
    /** Returns the tensor to write (row-major, torch layout [out, in]); defaults to the data unchanged. */
    transform?: (
        name: string,
        data: Float32Array,
        shape: number[],
    ) => { data: Float32Array; shape: number[] };
    /** Tensors the source must have (the ones `transform` exists to change). Defaults to none. */
    requireTensors?: readonly string[];
}

/** The project's own tokenizer, as committed under models/tokenizer. */
export function projectVocabulary(): BpeVocabulary {
    return JSON.parse(readFileSync(tokenizerPath, "utf8")) as BpeVocabulary;
}

export async function rewriteGguf(source: string, out: string, options: RewriteOptions): Promise<void> {
    const info = await readGgufFileInfo(source, { readTensorInfo: true });
    const meta = info.architectureMetadata as {
        context_length: number;
        embedding_length: number;
        block_count: number;
        feed_forward_length: number;
        attention: { head_count: number; head_count_kv: number; layer_norm_rms_epsilon: number };
        rope: { dimension_count: number; freq_base: number };
    };
    const names = new Set((info.tensorInfo ?? []).map((t) => t.name));
    const missing = (options.requireTensors ?? []).filter((name) => !names.has(name));
    if (missing.length > 0) throw new Error(`${source} has no tensor ${missing.join(", ")} to rewrite`);
    const vocab = options.vocab ?? projectVocabulary();
    const writer = new GgufWriter()
        .addString("general.architecture", "llama")
        .addString("general.name", options.name)
        .addUint32("general.file_type", 7)
        .addUint32("llama.context_length", meta.context_length)
        .addUint32("llama.embedding_length", meta.embedding_length)
        .addUint32("llama.block_count", meta.block_count)
        .addUint32("llama.feed_forward_length", meta.feed_forward_length)
        .addUint32("llama.attention.head_count", meta.attention.head_count)
        .addUint32("llama.attention.head_count_kv", meta.attention.head_count_kv)
        .addUint32("llama.rope.dimension_count", meta.rope.dimension_count)
        .addFloat32("llama.rope.freq_base", meta.rope.freq_base)
        .addFloat32("llama.attention.layer_norm_rms_epsilon", meta.attention.layer_norm_rms_epsilon)
        .addUint32("llama.vocab_size", vocab.tokens.length);
    addTokenizer(writer, vocab);
    const fd = openSync(source, "r");
    try {
        for (const t of info.tensorInfo ?? []) {
            const dims = t.dimensions.map(Number);
            const count = dims.reduce((a, b) => a * b, 1);
            const data = readTensor(fd, Number(t.fileOffset), count, t.ggmlType);
            const shape = [...dims].reverse();
            const next = options.transform?.(t.name, data, shape) ?? { data, shape };
            writer.addTensor(t.name, next.shape, next.data, next.shape.length === 1 ? "F32" : "Q8_0");
        }
    } finally {
        closeSync(fd);
    }
    mkdirSync(dirname(out), { recursive: true });
    await writer.writeToFile(out);
}

/**
 * A variant of `source`, built once and cached as models/.cache/fixtures/<prefix>-<digest>-<suffix>.gguf:
 * named after the source's content, so a rebuilt source model never reuses a stale variant. Returns its
 * path.
 */
export async function ensureRewrittenGguf(
    source: string,
    prefix: string,
    suffix: string,
    options: RewriteOptions,
): Promise<string> {
    const digest = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 12);
    const out = resolve(import.meta.dirname, `../../.cache/fixtures/${prefix}-${digest}-${suffix}.gguf`);
    if (!existsSync(out)) await rewriteGguf(source, out, options);
    return out;
}

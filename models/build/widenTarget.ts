/**
 * Makes the cost-scaled target for CPU latency benches: a function-preserving widening (Net2Net) of
 * the bundled target by an integer factor r, written to models/.cache/ (not committed).
 *
 * Every width is tiled r times: residual unit i becomes units c·d + i (c < r), attention head h
 * becomes heads c·H + h (same head size, so the attention scale and RoPE are unchanged), FFN unit u
 * becomes c·F + u. A tiled residual keeps RMSNorm's mean square, hence the norms; every weight that
 * reads a tiled input is divided by r (the r copies sum back to the original), every weight that
 * writes a tiled output is copied. In exact arithmetic the widened model computes the same logits;
 * Q8_0 re-quantization perturbs them slightly, so greedy agreement is measured, not assumed.
 *
 * It is a stand-in for the *cost* of a large target, not for its quality: benches that use it say so.
 *
 * `layers` above the bundled target's depth adds pass-through blocks (Net2Net deepening): every matrix of
 * such a block is zero, so attention and FFN add 0 to the residual and the function is unchanged, while
 * each block costs what a real one of that width costs. Zero tensors are holes in the file, so a
 * multi-billion-parameter target (e.g. `--factor 12 --layers 48`, ~8.6 B parameters) is written in
 * seconds: the GPU check uses one.
 *
 * The widened matrices are written in Q8_0 by default, or in Q4_0 or BF16 (`--type`) to compare how
 * the quantization's kernels shape the verify cost curve.
 *
 *   node --import tsx models/build/widenTarget.ts [--factor 6] [--layers N] [--type Q8_0|Q4_0|BF16] [--check 8]
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync } from "node:fs";
import { resolve } from "node:path";
import { getLlama, readGgufFileInfo } from "node-llama-cpp";
import { bundledModel, bundledModelPath, readEvalPrompts } from "../../test/helpers/bundledModels.js";
import { GgufWriter, type GgufTensorType } from "./gguf/GgufWriter.js";
import { addTokenizer } from "./exportModels.js";
import { tokenizerPath } from "./tokenizer/trainBpe.js";
import { benchThreads } from "../../bench/threads.js";
import type { BpeVocabulary } from "./tokenizer/ByteLevelBpe.js";

/** Named after the bundled target's sha256, so a retrained target never reuses a stale widening. */
export const widenedTargetPath = (factor: number, type: WidenedType = "Q8_0", layers?: number): string =>
    resolve(
        import.meta.dirname,
        `../.cache/tiercel-code-target-${bundledModel("target").sha256.slice(0, 12)}-x${factor}${layers === undefined ? "" : `-L${layers}`}.${type}.gguf`,
    );

/** Matrix encodings of the widened target. */
export const widenedTypes = ["Q8_0", "Q4_0", "BF16"] as const satisfies readonly GgufTensorType[];
export type WidenedType = (typeof widenedTypes)[number];
/** llama.cpp `enum llama_ftype` for each (MOSTLY_Q8_0, MOSTLY_Q4_0, MOSTLY_BF16). */
const fileTypeOf: Record<WidenedType, number> = { Q8_0: 7, Q4_0: 2, BF16: 32 };

export function f16ToF32(h: number): number {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 0) return s * m * 2 ** -24;
    if (e === 31) return m ? NaN : s * Infinity;
    return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Reads a tensor's data as float32 (F32, F16 and Q8_0). */
export function readTensor(fd: number, offset: number, count: number, ggmlType: number): Float32Array {
    const out = new Float32Array(count);
    if (ggmlType === 0) {
        const buf = Buffer.alloc(count * 4);
        readSync(fd, buf, 0, buf.length, offset);
        for (let i = 0; i < count; i++) out[i] = buf.readFloatLE(i * 4);
    } else if (ggmlType === 1) {
        const buf = Buffer.alloc(count * 2);
        readSync(fd, buf, 0, buf.length, offset);
        for (let i = 0; i < count; i++) out[i] = f16ToF32(buf.readUInt16LE(i * 2));
    } else if (ggmlType === 8) {
        const blocks = count / 32;
        const buf = Buffer.alloc(blocks * 34);
        readSync(fd, buf, 0, buf.length, offset);
        for (let b = 0; b < blocks; b++) {
            const d = f16ToF32(buf.readUInt16LE(b * 34));
            for (let j = 0; j < 32; j++) out[b * 32 + j] = d * buf.readInt8(b * 34 + 2 + j);
        }
    } else throw new Error(`unsupported ggml type ${ggmlType}`);
    return out;
}

/** Tiles a [rows, cols] matrix rr × rc times and scales it. */
function tile(
    w: Float32Array,
    rows: number,
    cols: number,
    rr: number,
    rc: number,
    scale: number,
): Float32Array {
    const newCols = cols * rc;
    const out = new Float32Array(rows * rr * newCols);
    for (let cr = 0; cr < rr; cr++) {
        for (let i = 0; i < rows; i++) {
            const src = i * cols;
            const dstRow = (cr * rows + i) * newCols;
            for (let cc = 0; cc < rc; cc++) {
                const dst = dstRow + cc * cols;
                for (let j = 0; j < cols; j++) out[dst + j] = w[src + j]! * scale;
            }
        }
    }
    return out;
}

/** Parameters of the widened target (embeddings and norms included). */
export function widenedParameters(factor: number, layers?: number): number {
    const t = bundledModel("target") as unknown as {
        dim: number;
        layers: number;
        ffn: number;
        vocabSize: number;
    };
    const d = t.dim * factor;
    const f = t.ffn * factor;
    const perLayer = 4 * d * d + 3 * d * f + 2 * d;
    return (layers ?? t.layers) * perLayer + 2 * t.vocabSize * d + d;
}

/**
 * Writes the widened target and returns its path. `layers` (default: the bundled target's depth) above
 * that depth adds zero pass-through blocks.
 */
export async function widenTarget(
    factor: number,
    type: WidenedType = "Q8_0",
    layers?: number,
): Promise<string> {
    const source = bundledModelPath("target");
    const info = await readGgufFileInfo(source, { readTensorInfo: true });
    const meta = info.architectureMetadata as {
        embedding_length: number;
        block_count: number;
        feed_forward_length: number;
        attention: { head_count: number };
    };
    const d = meta.embedding_length;
    const ffn = meta.feed_forward_length;
    const heads = meta.attention.head_count;
    const depth = layers ?? meta.block_count;
    if (!Number.isInteger(depth) || depth < meta.block_count)
        throw new RangeError(
            `layers must be an integer ≥ ${meta.block_count} (the bundled depth), got ${layers}`,
        );
    const out = widenedTargetPath(factor, type, depth === meta.block_count ? undefined : depth);
    // The name holds the source's hash and every widening parameter, and files are only ever renamed into
    // place whole (GgufWriter.writeToFile): one that exists is this one.
    if (existsSync(out)) return out;
    const vocab = JSON.parse(readFileSync(tokenizerPath, "utf8")) as BpeVocabulary;
    const writer = new GgufWriter()
        .addString("general.architecture", "llama")
        .addString(
            "general.name",
            `tiercel-code-target-x${factor}${depth === meta.block_count ? "" : `-L${depth}`} (cost-scaled stand-in)`,
        )
        .addUint32("general.file_type", fileTypeOf[type])
        .addUint32("llama.context_length", 4096)
        .addUint32("llama.embedding_length", d * factor)
        .addUint32("llama.block_count", depth)
        .addUint32("llama.feed_forward_length", ffn * factor)
        .addUint32("llama.attention.head_count", heads * factor)
        .addUint32("llama.attention.head_count_kv", heads * factor)
        .addUint32("llama.rope.dimension_count", d / heads)
        .addFloat32("llama.rope.freq_base", 10000)
        .addFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5)
        .addUint32("llama.vocab_size", vocab.tokens.length);
    addTokenizer(writer, vocab);
    const fd = openSync(source, "r");
    try {
        for (const t of info.tensorInfo ?? []) {
            const dims = t.dimensions.map(Number); // GGUF order: [cols, rows]
            const count = dims.reduce((a, b) => a * b, 1);
            const offset = Number(t.fileOffset);
            const read = () => readTensor(fd, offset, count, t.ggmlType);
            const name = t.name;
            if (dims.length === 1) {
                // Norm weights act per residual unit: copied with their units.
                writer.addTensor(name, [d * factor], tile(read(), 1, d, 1, factor, 1), "F32");
                continue;
            }
            const [cols, rows] = dims as [number, number];
            // Which axes are model widths: embeddings/output have the vocabulary as rows.
            const vocabRows = name === "token_embd.weight" || name === "output.weight";
            // The embedding writes the residual (copy); every other matrix reads a tiled input (÷ r).
            // Made when written, so one widened matrix is in memory at a time.
            const widened = vocabRows
                ? () => tile(read(), rows, cols, 1, factor, name === "token_embd.weight" ? 1 : 1 / factor)
                : () => tile(read(), rows, cols, factor, factor, 1 / factor);
            writer.addTensor(name, [vocabRows ? rows : rows * factor, cols * factor], widened, type);
        }
        // Pass-through blocks: the first block's tensor shapes, all zeros (norm weights 1).
        const block0 = (info.tensorInfo ?? []).filter((t) => t.name.startsWith("blk.0."));
        for (let layer = meta.block_count; layer < depth; layer++) {
            for (const t of block0) {
                const name = t.name.replace(/^blk\.0\./, `blk.${layer}.`);
                const dims = t.dimensions.map(Number);
                if (dims.length === 1) {
                    writer.addTensor(name, [d * factor], new Float32Array(d * factor).fill(1), "F32");
                    continue;
                }
                const [cols, rows] = dims as [number, number];
                writer.addZeroTensor(name, [rows * factor, cols * factor], type);
            }
        }
        mkdirSync(resolve(out, ".."), { recursive: true });
        // Inside the try: the widened matrices read the source file while they are written.
        await writer.writeToFile(out);
        return out;
    } finally {
        closeSync(fd);
    }
}

/** Greedy agreement of the widened and the original target on held-out prompts, and eval cost. */
async function check(widened: string, prompts: number): Promise<void> {
    const llama = await getLlama({ gpu: false, build: "never" });
    const results: { path: string; tokens: number[][]; msPerToken: number }[] = [];
    for (const path of [bundledModelPath("target"), widened]) {
        const model = await llama.loadModel({ modelPath: path });
        const context = await model.createContext({ contextSize: 1024, threads: benchThreads });
        const sequence = context.getSequence();
        const outputs: number[][] = [];
        let ms = 0;
        let n = 0;
        for (const p of readEvalPrompts().slice(0, prompts)) {
            await sequence.clearHistory();
            const tokens: number[] = [];
            let last = performance.now();
            for await (const token of sequence.evaluate(model.tokenize(p.prompt), { temperature: 0 })) {
                const now = performance.now();
                if (tokens.length > 0) {
                    ms += now - last;
                    n++;
                }
                last = now;
                tokens.push(token);
                if (tokens.length >= 32) break;
            }
            outputs.push(tokens);
        }
        results.push({ path, tokens: outputs, msPerToken: ms / n });
        await model.dispose();
    }
    const [a, b] = results as [(typeof results)[0], (typeof results)[0]];
    let same = 0;
    let total = 0;
    a.tokens.forEach((seq, i) => {
        const other = b.tokens[i]!;
        let k = 0;
        while (k < seq.length && seq[k] === other[k]) k++;
        same += k;
        total += seq.length;
    });
    console.log(
        JSON.stringify({
            prefixAgreement: same / total,
            msPerTokenOriginal: a.msPerToken,
            msPerTokenWidened: b.msPerToken,
        }),
    );
}

if (import.meta.filename === process.argv[1]) {
    const arg = (name: string, fallback: number): number => {
        const i = process.argv.indexOf(name);
        return i > 0 ? Number(process.argv[i + 1]) : fallback;
    };
    const i = process.argv.indexOf("--type");
    const type = (i > 0 ? process.argv[i + 1] : "Q8_0") as WidenedType;
    if (!widenedTypes.includes(type))
        throw new Error(`unsupported --type ${type}; use one of ${widenedTypes.join(", ")}`);
    const layersArg = process.argv.includes("--layers") ? arg("--layers", 0) : undefined;
    const path = await widenTarget(arg("--factor", 6), type, layersArg);
    console.log(`wrote ${path}`);
    const prompts = arg("--check", 8);
    if (prompts > 0) await check(path, prompts);
}

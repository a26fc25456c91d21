/**
 * Exports the trained target and draft (safetensors checkpoints from train/train.py) to GGUF with
 * our BPE tokenizer in the metadata, and (re)writes models/manifest.json with their sha256.
 *
 *   node --import tsx models/build/exportModels.ts [--from models/.cache/train] [--type Q8_0]
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { GgufWriter, type GgufTensorType } from "./gguf/GgufWriter.js";
import type { BpeVocabulary } from "./tokenizer/ByteLevelBpe.js";
import { fimTokenIds } from "./tokenizer/fimTokens.js";
import { SPECIAL_TOKENS, tokenizerPath } from "./tokenizer/trainBpe.js";

export const modelsDir = resolve(import.meta.dirname, "..");
/** Trained context length; llama.cpp may run longer contexts (rope extrapolation degrades quality). */
const trainedContext = 384;
/** What the GGUF advertises: what the server may allocate per sequence. */
const advertisedContext = 4096;
const chatTemplate =
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}" +
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

interface SafeTensor {
    shape: number[];
    data: Float32Array;
}

export function readSafetensors(path: string): {
    tensors: Map<string, SafeTensor>;
    meta: Record<string, string>;
} {
    const buf = readFileSync(path);
    const headerLength = Number(buf.readBigUInt64LE(0));
    const header = JSON.parse(buf.subarray(8, 8 + headerLength).toString("utf8")) as Record<string, unknown>;
    const base = 8 + headerLength;
    const tensors = new Map<string, SafeTensor>();
    let meta: Record<string, string> = {};
    for (const [name, value] of Object.entries(header)) {
        if (name === "__metadata__") {
            meta = value as Record<string, string>;
            continue;
        }
        const { dtype, shape, data_offsets } = value as {
            dtype: string;
            shape: number[];
            data_offsets: [number, number];
        };
        if (dtype !== "F32") throw new Error(`${path}: tensor ${name} is ${dtype}, expected F32`);
        const bytes = buf.subarray(base + data_offsets[0], base + data_offsets[1]);
        const data = new Float32Array(bytes.byteLength / 4);
        Buffer.from(data.buffer).set(bytes);
        tensors.set(name, { shape, data });
    }
    return { tensors, meta };
}

/**
 * Writes the tokenizer into GGUF metadata as llama.cpp reads it. With FIM tokens (fim/addFimTokens.ts)
 * their ids go under `tokenizer.ggml.fim_{pre,suf,mid}_token_id` (what node-llama-cpp reports as
 * `model.tokens.infill`); a middle ends with `<|endoftext|>`, the EOS, which llama.cpp already counts as
 * an end of generation, so the EOT stays `<|im_end|>` (the chat turn's end).
 */
export function addTokenizer(writer: GgufWriter, vocab: BpeVocabulary): void {
    const fim = fimTokenIds(vocab);
    const controlIds = new Set([
        ...SPECIAL_TOKENS.map((t) => vocab.specials[t]),
        ...(fim ? [fim.prefix, fim.suffix, fim.middle] : []),
    ]);
    writer
        .addString("tokenizer.ggml.model", "gpt2")
        // "trillion" is llama.cpp's name for exactly GPT-2's split pattern *without* the detokenizer's
        // clean_up_tokenization_spaces ("x != y" would come back as "x!= y" under "gpt-2").
        .addString("tokenizer.ggml.pre", "trillion")
        .addArray("tokenizer.ggml.tokens", "string", vocab.tokens)
        .addArray(
            "tokenizer.ggml.token_type",
            "int32",
            vocab.tokens.map((_, i) => (controlIds.has(i) ? 3 : 1)),
        )
        .addArray("tokenizer.ggml.merges", "string", vocab.merges)
        .addUint32("tokenizer.ggml.bos_token_id", vocab.specials["<|endoftext|>"]!)
        .addUint32("tokenizer.ggml.eos_token_id", vocab.specials["<|endoftext|>"]!)
        .addUint32("tokenizer.ggml.eot_token_id", vocab.specials["<|im_end|>"]!)
        .addUint32("tokenizer.ggml.padding_token_id", vocab.specials["<|pad|>"]!)
        .addBool("tokenizer.ggml.add_bos_token", false)
        .addBool("tokenizer.ggml.add_eos_token", false)
        .addString("tokenizer.chat_template", chatTemplate);
    if (fim) {
        writer
            .addUint32("tokenizer.ggml.fim_pre_token_id", fim.prefix)
            .addUint32("tokenizer.ggml.fim_suf_token_id", fim.suffix)
            .addUint32("tokenizer.ggml.fim_mid_token_id", fim.middle);
    }
}

export function writeModel(
    path: string,
    name: string,
    tensors: Map<string, SafeTensor>,
    cfg: { dim: number; layers: number; heads: number; ffn: number },
    vocab: BpeVocabulary,
    type: GgufTensorType,
): Promise<void> {
    const writer = new GgufWriter()
        .addString("general.architecture", "llama")
        .addString("general.name", name)
        .addUint32("general.file_type", type === "Q8_0" ? 7 : type === "F16" ? 1 : 0)
        .addUint32("llama.context_length", advertisedContext)
        .addUint32("llama.embedding_length", cfg.dim)
        .addUint32("llama.block_count", cfg.layers)
        .addUint32("llama.feed_forward_length", cfg.ffn)
        .addUint32("llama.attention.head_count", cfg.heads)
        .addUint32("llama.attention.head_count_kv", cfg.heads)
        .addUint32("llama.rope.dimension_count", cfg.dim / cfg.heads)
        .addFloat32("llama.rope.freq_base", 10000)
        .addFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5)
        .addUint32("llama.vocab_size", vocab.tokens.length);
    addTokenizer(writer, vocab);
    for (const [tensorName, t] of tensors) {
        writer.addTensor(tensorName, t.shape, t.data, t.shape.length === 1 ? "F32" : type);
    }
    return writer.writeToFile(path);
}

interface TrainingLog {
    args: { resume?: string | null; freeze_target?: boolean; freeze_draft?: boolean };
    checkpoints: {
        tokens: number;
        seconds: number;
        target_loss: number;
        draft_loss: number;
        /** The draft's own counts where they differ from the target's (ggufToCheckpoint.ts writes them). */
        draft_tokens?: number;
        draft_seconds?: number;
    }[];
    target: { dim: number; layers: number; heads: number; ffn: number };
    draft: { dim: number; layers: number; heads: number; ffn: number };
}

function readTrainingLog(dir: string): TrainingLog {
    return JSON.parse(readFileSync(join(dir, "log.json"), "utf8")) as TrainingLog;
}

function sha256(path: string): string {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
}

async function main(): Promise<void> {
    const arg = (name: string, fallback: string): string => {
        const i = process.argv.indexOf(name);
        return i > 0 ? process.argv[i + 1]! : fallback;
    };
    const from = resolve(arg("--from", join(modelsDir, ".cache/train")));
    // --out writes a trial export elsewhere (e.g. to evaluate a checkpoint) without touching the bundled pair.
    const outDir = resolve(arg("--out", modelsDir));
    mkdirSync(outDir, { recursive: true });
    const type = arg("--type", "Q8_0") as GgufTensorType;
    const vocab = JSON.parse(readFileSync(tokenizerPath, "utf8")) as BpeVocabulary;
    const log = readTrainingLog(from);
    const last = log.checkpoints.at(-1)!;
    // A run resumed from an earlier one (train.py --resume) counts the earlier runs' tokens and time too;
    // a run with --freeze-target (--freeze-draft) trained only the draft (target), so it adds nothing to the
    // other's count.
    const trained = { target: { tokens: 0, seconds: 0 }, draft: { tokens: 0, seconds: 0 } };
    for (let run: TrainingLog | undefined = log; run;) {
        const end = run.checkpoints.at(-1)!;
        for (const role of ["target", "draft"] as const) {
            if (role === "target" && run.args.freeze_target === true) continue;
            if (role === "draft" && run.args.freeze_draft === true) continue;
            trained[role].tokens += role === "draft" ? (end.draft_tokens ?? end.tokens) : end.tokens;
            trained[role].seconds += role === "draft" ? (end.draft_seconds ?? end.seconds) : end.seconds;
        }
        run = run.args.resume ? readTrainingLog(resolve(run.args.resume)) : undefined;
    }
    const entries = [];
    for (const role of ["target", "draft"] as const) {
        const id = `tiercel-code-${role}`;
        const file = `${id}.${type}.gguf`;
        const { tensors } = readSafetensors(join(from, `${role}.safetensors`));
        const cfg = log[role];
        await writeModel(join(outDir, file), id, tensors, cfg, vocab, type);
        const parameters = [...tensors.entries()]
            .filter(([n]) => n !== "output.weight") // tied to token_embd
            .reduce((sum, [, t]) => sum + t.data.length, 0);
        entries.push({
            id,
            role,
            file,
            sha256: sha256(join(outDir, file)),
            parameters,
            architecture: "llama",
            ...cfg,
            vocabSize: vocab.tokens.length,
            trainedContextSize: trainedContext,
            contextSize: advertisedContext,
            quantization: type,
            heldoutLossNatsPerToken: role === "target" ? last.target_loss : last.draft_loss,
            trainedTokens: trained[role].tokens,
            trainingSeconds: trained[role].seconds,
            madeBy: "models/build (npm run models:build): own BPE tokenizer, trained with train/train.py, exported by exportModels.ts",
        });
    }
    writeFileSync(join(outDir, "manifest.json"), JSON.stringify({ models: entries }, null, 2) + "\n");
    console.log(
        JSON.stringify(
            entries.map((e) => ({ id: e.id, file: e.file, parameters: e.parameters })),
            null,
            1,
        ),
    );
}

if (import.meta.filename === process.argv[1]) await main();

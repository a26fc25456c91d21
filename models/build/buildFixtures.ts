/**
 * Builds tiny, real llama-architecture GGUF models for tests: random weights from a seeded PRNG and the
 * complete tokenizer metadata of a committed vocab-only GGUF (models/fixtures/vocab), optionally edited to
 * produce each tokenizer-compatibility case. Output goes to models/.cache/fixtures (gitignored) and is
 * rebuilt only when `fixtureBuilderVersion` or a source vocab changes.
 *
 * Run as a script with `npm run fixtures`.
 */
import { createHash } from "node:crypto";
import { access, mkdir, readFile, writeFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readGgufFileInfo } from "node-llama-cpp";
import { GgufWriter, type GgufScalarType } from "./gguf/GgufWriter.js";

/** Bump whenever the output of this builder changes, so cached fixtures are rebuilt. */
export const fixtureBuilderVersion = 1;

export const fixtureNames = ["base", "same", "plus100", "bosDiff", "textDiff", "typeDiff"] as const;
export type FixtureName = (typeof fixtureNames)[number];
/** Absolute path of each fixture GGUF. */
export type FixturePaths = Readonly<Record<FixtureName, string>>;

/** What the edited fixtures change relative to `base`, for tests to assert against. */
export const fixtureEdits = {
    /** `plus100` appends this many user-defined tokens. */
    extraTokenCount: 100,
    /**
     * `bosDiff` declares this id (`<unk>`) as BOS instead of 1 and marks it a control token: node-llama-cpp
     * reports a special token only when it is control-typed (`model.tokens.bos` would be null otherwise,
     * and it would then not prepend any BOS).
     */
    bosDiffId: 0,
    /** `textDiff` renames these ordinary tokens (all ≥ 5, so llama.cpp's rule sees them). */
    textDiffIds: [300, 4000, 31000],
} as const;

export interface ModelShape {
    embedding: number;
    layers: number;
    heads: number;
    ffn: number;
    context: number;
}

/** Small enough to build in well under a second, big enough to exercise every llama tensor. */
const shape: ModelShape = { embedding: 64, layers: 2, heads: 4, ffn: 128, context: 512 } as const;

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const fixtureDir = `${repoRoot}models/.cache/fixtures`;
const vocabDir = `${repoRoot}models/fixtures/vocab`;
const vocabFiles = { spm: "ggml-vocab-llama-spm.gguf", gpt2: "ggml-vocab-gpt-2.gguf" } as const;
const stampFile = `${fixtureDir}/fixtures.json`;

export type TokenizerValue =
    string | number | bigint | boolean | readonly (string | number | bigint | boolean)[];
/** Flattened `tokenizer.*` metadata, key → value, in file order. */
export type TokenizerMetadata = Map<string, TokenizerValue>;

interface FixtureSpec {
    readonly vocab: keyof typeof vocabFiles;
    readonly seed: number;
    readonly edit?: (tokenizer: TokenizerMetadata) => void;
}

const specs: Readonly<Record<FixtureName, FixtureSpec>> = {
    base: { vocab: "spm", seed: 1 },
    same: { vocab: "spm", seed: 2 },
    plus100: { vocab: "spm", seed: 3, edit: appendExtraTokens },
    bosDiff: { vocab: "spm", seed: 4, edit: moveBos },
    textDiff: { vocab: "spm", seed: 5, edit: renameTokens },
    typeDiff: { vocab: "gpt2", seed: 6 },
};

let pending: Promise<FixturePaths> | undefined;

/** Builds the fixtures if missing or stale; memoized per process. Concurrent processes are safe (atomic renames). */
export function ensureFixtures(): Promise<FixturePaths> {
    pending ??= buildIfStale().catch((error: unknown) => {
        pending = undefined;
        throw error;
    });
    return pending;
}

async function buildIfStale(): Promise<FixturePaths> {
    const paths = Object.fromEntries(
        fixtureNames.map((name) => [name, `${fixtureDir}/${name}.gguf`]),
    ) as Record<FixtureName, string>;
    const sources = await Promise.all(
        Object.values(vocabFiles).map((file) => readFile(`${vocabDir}/${file}`)),
    );
    const stamp = JSON.stringify({
        version: fixtureBuilderVersion,
        vocabSha256: sources.map((bytes) => createHash("sha256").update(bytes).digest("hex")),
    });
    const current = await readFile(stampFile, "utf8").catch(() => "");
    const present = await Promise.all(
        fixtureNames.map((name) =>
            access(paths[name]).then(
                () => true,
                () => false,
            ),
        ),
    );
    if (current === stamp && present.every(Boolean)) return paths;

    await mkdir(fixtureDir, { recursive: true });
    const tokenizers = new Map<keyof typeof vocabFiles, TokenizerMetadata>();
    for (const name of fixtureNames) {
        const spec = specs[name];
        let source = tokenizers.get(spec.vocab);
        if (source === undefined) {
            source = await readTokenizerMetadata(`${vocabDir}/${vocabFiles[spec.vocab]}`);
            tokenizers.set(spec.vocab, source);
        }
        const tokenizer = new Map(source);
        spec.edit?.(tokenizer);
        await buildModel(name, tokenizer, spec.seed).writeToFile(paths[name]);
    }
    await writeFile(stampFile, stamp);
    return paths;
}

/** A llama model with the given tokenizer and seeded random weights (`shape` by default). */
export function buildModel(
    name: string,
    tokenizer: TokenizerMetadata,
    seed: number,
    { embedding: d, layers, heads, ffn, context }: ModelShape = shape,
): GgufWriter {
    const vocabSize = (tokenizer.get("tokenizer.ggml.tokens") as readonly string[]).length;
    const writer = new GgufWriter()
        .addString("general.architecture", "llama")
        .addString("general.name", `tiercel-fixture-${name}`)
        .addUint32("general.file_type", 7) // LLAMA_FTYPE_MOSTLY_Q8_0
        .addUint32("llama.context_length", context)
        .addUint32("llama.embedding_length", d)
        .addUint32("llama.block_count", layers)
        .addUint32("llama.feed_forward_length", ffn)
        .addUint32("llama.attention.head_count", heads)
        .addUint32("llama.attention.head_count_kv", heads)
        .addUint32("llama.rope.dimension_count", d / heads)
        .addFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5)
        .addUint32("llama.vocab_size", vocabSize);
    for (const [key, value] of tokenizer) addTokenizerValue(writer, key, value);

    const random = mulberry32(seed);
    /** Uniform values with standard deviation `std` (the bound of U(-a, a) is std * sqrt(3)). */
    const uniform = (count: number, std: number): Float32Array =>
        Float32Array.from({ length: count }, () => (random() * 2 - 1) * std * Math.sqrt(3));
    // Linear weights get std 1/sqrt(fan_in), which keeps activations and logits O(1): sampling is not flat.
    const weights = (rows: number, cols: number): Float32Array => uniform(rows * cols, 1 / Math.sqrt(cols));
    const ones = new Float32Array(d).fill(1);
    writer.addTensor("token_embd.weight", [vocabSize, d], uniform(vocabSize * d, 1), "F16");
    for (let i = 0; i < layers; i++) {
        writer
            .addTensor(`blk.${i}.attn_norm.weight`, [d], ones, "F32")
            .addTensor(`blk.${i}.attn_q.weight`, [d, d], weights(d, d), "Q8_0")
            .addTensor(`blk.${i}.attn_k.weight`, [d, d], weights(d, d), "Q8_0")
            .addTensor(`blk.${i}.attn_v.weight`, [d, d], weights(d, d), "Q8_0")
            .addTensor(`blk.${i}.attn_output.weight`, [d, d], weights(d, d), "Q8_0")
            .addTensor(`blk.${i}.ffn_norm.weight`, [d], ones, "F32")
            .addTensor(`blk.${i}.ffn_gate.weight`, [ffn, d], weights(ffn, d), "Q8_0")
            .addTensor(`blk.${i}.ffn_up.weight`, [ffn, d], weights(ffn, d), "Q8_0")
            .addTensor(`blk.${i}.ffn_down.weight`, [d, ffn], weights(d, ffn), "Q8_0");
    }
    return writer
        .addTensor("output_norm.weight", [d], ones, "F32")
        .addTensor("output.weight", [vocabSize, d], weights(vocabSize, d), "Q8_0");
}

/** Every `tokenizer.*` key of a GGUF, flattened from node-llama-cpp's nested metadata object. */
export async function readTokenizerMetadata(path: string): Promise<TokenizerMetadata> {
    const info = await readGgufFileInfo(path, {
        readTensorInfo: false,
        logWarnings: false,
        sourceType: "filesystem",
    });
    const out: TokenizerMetadata = new Map();
    const walk = (prefix: string, node: unknown): void => {
        if (typeof node === "object" && node !== null && !Array.isArray(node)) {
            for (const [key, child] of Object.entries(node)) walk(`${prefix}.${key}`, child);
        } else {
            out.set(prefix, node as TokenizerValue);
        }
    };
    walk("tokenizer", info.metadata.tokenizer);
    return out;
}

/**
 * node-llama-cpp returns values without their GGUF types, so types come from llama.cpp's key
 * conventions (gguf-py constants): ids and counts are uint32, flags bool, scores float32, types int32.
 */
function tokenizerKeyType(key: string, value: TokenizerValue): GgufScalarType {
    const name = key.slice(key.lastIndexOf(".") + 1);
    if (name === "scores") return "float32";
    if (name === "token_type") return "int32";
    if (name.endsWith("_token_id") || name === "token_type_count") return "uint32";
    const sample = Array.isArray(value) ? (value as readonly unknown[])[0] : value;
    if (typeof sample === "boolean") return "bool";
    if (typeof sample === "string" || sample === undefined) return "string";
    throw new Error(`no known GGUF type for tokenizer key "${key}"; add it to tokenizerKeyType`);
}

function addTokenizerValue(writer: GgufWriter, key: string, value: TokenizerValue): void {
    const type = tokenizerKeyType(key, value);
    if (Array.isArray(value)) {
        const values = value as readonly (string | number | boolean)[];
        if (type === "string") writer.addArray(key, type, values as readonly string[]);
        else if (type === "bool") writer.addArray(key, type, values as readonly boolean[]);
        else writer.addArray(key, type, values.map(Number));
    } else if (type === "string") writer.addString(key, value as string);
    else if (type === "bool") writer.addBool(key, value as boolean);
    else writer.addScalar(key, type, Number(value));
}

function appendExtraTokens(tokenizer: TokenizerMetadata): void {
    const extra = Array.from({ length: fixtureEdits.extraTokenCount }, (_, i) => i);
    const append = (key: string, values: readonly (string | number)[]): void => {
        const current = tokenizer.get(key) as readonly (string | number)[] | undefined;
        if (current !== undefined) tokenizer.set(key, [...current, ...values]);
    };
    append(
        "tokenizer.ggml.tokens",
        extra.map((i) => `<tiercel_extra_${i}>`),
    );
    append(
        "tokenizer.ggml.token_type",
        extra.map(() => 4), // USER_DEFINED
    );
    append(
        "tokenizer.ggml.scores",
        extra.map(() => 0),
    );
}

function moveBos(tokenizer: TokenizerMetadata): void {
    const types = [...(tokenizer.get("tokenizer.ggml.token_type") as readonly number[])];
    types[fixtureEdits.bosDiffId] = 3; // CONTROL
    tokenizer.set("tokenizer.ggml.token_type", types);
    tokenizer.set("tokenizer.ggml.bos_token_id", fixtureEdits.bosDiffId);
}

function renameTokens(tokenizer: TokenizerMetadata): void {
    const tokens = [...(tokenizer.get("tokenizer.ggml.tokens") as readonly string[])];
    for (const id of fixtureEdits.textDiffIds) tokens[id] = `▁tiercel${id}`;
    tokenizer.set("tokenizer.ggml.tokens", tokens);
}

/** Tiny seeded PRNG (Tommy Ettinger's mulberry32): integer math only, so identical on every platform. */
function mulberry32(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
    const paths = await ensureFixtures();
    for (const name of fixtureNames) console.log(`${name.padEnd(8)} ${paths[name]}`);
}

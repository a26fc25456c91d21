/**
 * Tiny random-weight models of the families users serve (Llama 3, Qwen2.5-Coder, DeepSeek-Coder,
 * StarCoder, Phi-3), each with its family's real tokenizer, chat template, end-of-turn tokens and
 * fill-in-the-middle tokens, plus a same-family draft: so chat rendering, end-of-generation, FIM layout,
 * tokenizer compatibility and speculation are tested on every family before a user loads a 7B of it.
 *
 * Tokenizers come from the vocab-only GGUFs in the llama.cpp source node-llama-cpp ships
 * (`node_modules/node-llama-cpp/llama/gitRelease.bundle`, models/ggml-vocab-*.gguf); nothing is downloaded
 * and nothing large is committed. Where a vocab GGUF lacks what the released models' GGUFs carry (a chat
 * template, Qwen2.5's added tokens, FIM token ids, an instruct model's end-of-turn token as EOS), the edit
 * below adds it as those GGUFs have it. Output: models/.cache/families (gitignored), rebuilt when
 * `familyBuilderVersion` or node-llama-cpp's bundle changes. Run as a script: `npm run fixtures:families`.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import {
    buildModel,
    readTokenizerMetadata,
    type ModelShape,
    type TokenizerMetadata,
} from "./buildFixtures.js";
import { deepseekCoderTemplate, llama3Template, qwen25Template } from "./familyTemplates.js";

/** Bump whenever the output of this builder changes, so cached models are rebuilt. */
export const familyBuilderVersion = 2;

export const familyNames = ["llama3", "qwen25coder", "deepseekCoder", "starcoder", "phi3"] as const;
export type FamilyName = (typeof familyNames)[number];

/** What each family's GGUF must say, for tests to check node-llama-cpp and tiercel against. */
export interface FamilyFacts {
    /** The vocab-only GGUF it starts from (llama.cpp models/). */
    vocab: string;
    /** Ends the assistant's turn and is an end-of-generation token. */
    endOfTurn: string;
    /** FIM token texts (prefix, suffix, middle); null for a family without FIM. */
    fim: { prefix: string; suffix: string; middle: string } | null;
    /** Has a chat template (StarCoder is a completion model). */
    chat: boolean;
}

export const familyFacts: Readonly<Record<FamilyName, FamilyFacts>> = {
    llama3: { vocab: "ggml-vocab-llama-bpe.gguf", endOfTurn: "<|eot_id|>", fim: null, chat: true },
    qwen25coder: {
        vocab: "ggml-vocab-qwen2.gguf",
        endOfTurn: "<|im_end|>",
        fim: { prefix: "<|fim_prefix|>", suffix: "<|fim_suffix|>", middle: "<|fim_middle|>" },
        chat: true,
    },
    deepseekCoder: {
        vocab: "ggml-vocab-deepseek-coder.gguf",
        endOfTurn: "<|EOT|>",
        fim: { prefix: "<｜fim▁begin｜>", suffix: "<｜fim▁hole｜>", middle: "<｜fim▁end｜>" },
        chat: true,
    },
    starcoder: {
        vocab: "ggml-vocab-starcoder.gguf",
        endOfTurn: "<|endoftext|>",
        fim: { prefix: "<fim_prefix>", suffix: "<fim_suffix>", middle: "<fim_middle>" },
        chat: false,
    },
    phi3: { vocab: "ggml-vocab-phi-3.gguf", endOfTurn: "<|end|>", fim: null, chat: true },
};

/** Qwen2.5's added tokens in the ids its vocab-only GGUF pads (tokenizer_config.json `added_tokens_decoder`). */
const qwen25AddedTokens: readonly [id: number, text: string, special: boolean][] = [
    [151646, "<|object_ref_start|>", true],
    [151647, "<|object_ref_end|>", true],
    [151648, "<|box_start|>", true],
    [151649, "<|box_end|>", true],
    [151650, "<|quad_start|>", true],
    [151651, "<|quad_end|>", true],
    [151652, "<|vision_start|>", true],
    [151653, "<|vision_end|>", true],
    [151654, "<|vision_pad|>", true],
    [151655, "<|image_pad|>", true],
    [151656, "<|video_pad|>", true],
    [151657, "<tool_call>", false],
    [151658, "</tool_call>", false],
    [151659, "<|fim_prefix|>", true],
    [151660, "<|fim_middle|>", true],
    [151661, "<|fim_suffix|>", true],
    [151662, "<|fim_pad|>", true],
    [151663, "<|repo_name|>", true],
    [151664, "<|file_sep|>", true],
];

const tokenType = { control: 3, userDefined: 4 } as const;

function idOf(tokenizer: TokenizerMetadata, text: string): number {
    const id = (tokenizer.get("tokenizer.ggml.tokens") as readonly string[]).indexOf(text);
    if (id < 0) throw new Error(`token ${text} is not in the vocabulary`);
    return id;
}

/** FIM ids as convert_hf_to_gguf.py writes them (`tokenizer.ggml.fim_{pre,suf,mid,pad,rep,sep}_token_id`). */
function setFim(
    tokenizer: TokenizerMetadata,
    texts: Partial<Record<"pre" | "suf" | "mid" | "pad" | "rep" | "sep", string>>,
): void {
    for (const [key, text] of Object.entries(texts))
        tokenizer.set(`tokenizer.ggml.fim_${key}_token_id`, idOf(tokenizer, text));
}

const edits: Readonly<Record<FamilyName, (tokenizer: TokenizerMetadata) => void>> = {
    llama3: (t) => {
        t.set("tokenizer.chat_template", llama3Template);
        t.set("tokenizer.ggml.eos_token_id", idOf(t, "<|eot_id|>")); // Instruct models end turns with it
    },
    qwen25coder: (t) => {
        const tokens = [...(t.get("tokenizer.ggml.tokens") as readonly string[])];
        const types = [...(t.get("tokenizer.ggml.token_type") as readonly number[])];
        for (const [id, text, special] of qwen25AddedTokens) {
            tokens[id] = text;
            types[id] = special ? tokenType.control : tokenType.userDefined;
        }
        t.set("tokenizer.ggml.tokens", tokens);
        t.set("tokenizer.ggml.token_type", types);
        t.set("tokenizer.chat_template", qwen25Template);
        t.set("tokenizer.ggml.eos_token_id", idOf(t, "<|im_end|>"));
        t.set("tokenizer.ggml.add_bos_token", false);
        setFim(t, {
            pre: "<|fim_prefix|>",
            suf: "<|fim_suffix|>",
            mid: "<|fim_middle|>",
            pad: "<|fim_pad|>",
            rep: "<|repo_name|>",
            sep: "<|file_sep|>",
        });
    },
    deepseekCoder: (t) => {
        // The Instruct model's added `<|EOT|>` is a special (control) token; the base vocab has it user-defined.
        const types = [...(t.get("tokenizer.ggml.token_type") as readonly number[])];
        types[idOf(t, "<|EOT|>")] = tokenType.control;
        t.set("tokenizer.ggml.token_type", types);
        t.set("tokenizer.chat_template", deepseekCoderTemplate);
        t.set("tokenizer.ggml.eos_token_id", idOf(t, "<|EOT|>"));
        setFim(t, { pre: "<｜fim▁begin｜>", suf: "<｜fim▁hole｜>", mid: "<｜fim▁end｜>" });
    },
    starcoder: (t) => {
        setFim(t, {
            pre: "<fim_prefix>",
            suf: "<fim_suffix>",
            mid: "<fim_middle>",
            pad: "<fim_pad>",
            rep: "<repo_name>",
            sep: "<file_sep>",
        });
    },
    phi3: () => {
        // The vocab GGUF carries Phi-3's template; llama.cpp treats `<|end|>` as end of generation.
    },
};

/** Tiny: the output layer of a 150k vocabulary dominates; d = 64 keeps each model ~30 MB and fast. */
const familyShape: ModelShape = { embedding: 64, layers: 2, heads: 4, ffn: 128, context: 1024 };

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const familyDir = `${repoRoot}models/.cache/families`;
const stampFile = `${familyDir}/families.json`;
const run = promisify(execFile);

export interface FamilyPaths {
    target: string;
    /** Same family, other weights: a direct (token-compatible) draft. */
    draft: string;
}

function bundlePath(): string {
    return `${repoRoot}node_modules/node-llama-cpp/llama/gitRelease.bundle`;
}

/** The vocab-only GGUFs out of the bundled llama.cpp source (a git bundle), via a throwaway clone. */
async function extractVocabs(): Promise<Map<string, Buffer>> {
    const clone = await mkdtemp(join(tmpdir(), "tiercel-llama-src-"));
    try {
        await run("git", ["clone", "--quiet", "--no-checkout", bundlePath(), clone]);
        const out = new Map<string, Buffer>();
        for (const { vocab } of Object.values(familyFacts)) {
            const { stdout } = await run("git", ["-C", clone, "show", `HEAD:models/${vocab}`], {
                encoding: "buffer",
                maxBuffer: 64 * 2 ** 20,
            });
            out.set(vocab, stdout);
        }
        return out;
    } finally {
        await rm(clone, { recursive: true, force: true });
    }
}

let pending: Promise<Record<FamilyName, FamilyPaths>> | undefined;

/** Builds the family models if missing or stale; memoized per process. */
export function ensureFamilyFixtures(): Promise<Record<FamilyName, FamilyPaths>> {
    pending ??= buildIfStale().catch((error: unknown) => {
        pending = undefined;
        throw error;
    });
    return pending;
}

async function buildIfStale(): Promise<Record<FamilyName, FamilyPaths>> {
    const paths = Object.fromEntries(
        familyNames.map((name) => [
            name,
            { target: `${familyDir}/${name}-target.gguf`, draft: `${familyDir}/${name}-draft.gguf` },
        ]),
    ) as Record<FamilyName, FamilyPaths>;
    const bundleHash = createHash("sha256")
        .update(await readFile(bundlePath()))
        .digest("hex");
    const stamp = JSON.stringify({ version: familyBuilderVersion, bundleHash });
    const current = await readFile(stampFile, "utf8").catch(() => "");
    const files = familyNames.flatMap((name) => [paths[name].target, paths[name].draft]);
    const present = await Promise.all(
        files.map((f) =>
            access(f).then(
                () => true,
                () => false,
            ),
        ),
    );
    if (current === stamp && present.every(Boolean)) return paths;

    await mkdir(familyDir, { recursive: true });
    const vocabs = await extractVocabs();
    for (const [index, name] of familyNames.entries()) {
        const vocabPath = `${familyDir}/${familyFacts[name].vocab}`;
        await writeFile(vocabPath, vocabs.get(familyFacts[name].vocab)!);
        const tokenizer = await readTokenizerMetadata(vocabPath);
        await rm(vocabPath);
        edits[name](tokenizer);
        const seed = 100 + index * 2;
        await buildModel(`${name}-target`, tokenizer, seed, familyShape).writeToFile(paths[name].target);
        await buildModel(`${name}-draft`, tokenizer, seed + 1, familyShape).writeToFile(paths[name].draft);
    }
    await writeFile(stampFile, stamp);
    return paths;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
    const paths = await ensureFamilyFixtures();
    for (const name of familyNames)
        console.log(`${name.padEnd(14)} ${paths[name].target}  ${paths[name].draft}`);
}

/**
 * Reads a GGUF file's tokenizer metadata into a plain `VocabInfo`, resolving omitted keys to the values
 * llama.cpp would use (llama-vocab.cpp `llama_vocab::impl::load`), so the compatibility check compares
 * what the runtime will actually do, not what happens to be written in the file.
 */
import { createHash } from "node:crypto";
import { readGgufFileInfo } from "node-llama-cpp";
import { vocabTypeOf } from "./tokenizerCompat.js";
import type { VocabInfo } from "./vocabTypes.js";

/** Default BOS/EOS ids per vocab type when the GGUF has no `*_token_id` key (null = none). */
const defaultSpecialIds: Readonly<Record<string, { bos: number | null; eos: number | null }>> = {
    SPM: { bos: 1, eos: 2 },
    BPE: { bos: 11, eos: 11 },
    WPM: { bos: 101, eos: null },
    UGM: { bos: null, eos: 1 },
};

/** SPM and WPM add BOS by default, UGM adds EOS; BPE adds BOS only for these pre-tokenizers. */
const bpePreAddingBos = new Set([
    "llama3",
    "llama-v3",
    "llama-bpe",
    "falcon3",
    "falcon-h1",
    "pixtral",
    "midm-2.0",
    "lfm2",
    "jina-v5-nano",
    "tekken",
    "chameleon",
    "gemma4",
]);

/**
 * Token texts llama.cpp treats as end-of-generation whatever their type (a subset of its list, covering
 * the tokenizers we meet: SentencePiece, GPT-2/NeoX, Llama 3, ChatML, Phi, Gemma, CodeLlama).
 */
const endTokenTexts = new Set([
    "</s>",
    "<eos>",
    "<|endoftext|>",
    "<|end_of_text|>",
    "<|eot_id|>",
    "<|eom_id|>",
    "<|im_end|>",
    "<|end|>",
    "<|return|>",
    "<|call|>",
    "<end_of_turn>",
    "<EOT>",
    "_<EOT>",
    "<end_of_utterance>",
]);

/**
 * Reads the tokenizer of the GGUF at `path`. node-llama-cpp's reader parses every metadata key in full
 * (arrays are never truncated; `ignoreKeys` is its only filter) but decodes strings as UTF-8, so a token
 * holding invalid UTF-8 reads as U+FFFD; all llama.cpp reference vocabs are valid UTF-8.
 */
export async function readGgufVocab(path: string): Promise<VocabInfo> {
    const info = await readGgufFileInfo(path, {
        readTensorInfo: false,
        logWarnings: false,
        sourceType: "filesystem",
    });
    // The typings claim `tokenizer` always exists; a vocab-less GGUF proves otherwise.
    const tokenizer = info.metadata.tokenizer as typeof info.metadata.tokenizer | undefined;
    const ggml = tokenizer?.ggml;
    if (ggml === undefined || !Array.isArray(ggml.tokens))
        throw new Error(`${path}: no tokenizer.ggml.tokens`);

    const tokens: readonly string[] = ggml.tokens;
    const tokenTypes =
        (ggml.token_type as readonly unknown[] | undefined)?.map(Number) ?? tokens.map(() => 1);
    if (tokenTypes.length !== tokens.length)
        throw new Error(`${path}: ${tokens.length} tokens but ${tokenTypes.length} token types`);

    const vocabType = vocabTypeOf(ggml.model);
    const defaults = defaultSpecialIds[vocabType] ?? { bos: null, eos: null };
    /** A present, in-range id wins; llama.cpp ignores out-of-range ids and keeps the default. */
    const id = (value: unknown, fallback: number | null): number | null => {
        const n = typeof value === "bigint" || typeof value === "number" ? Number(value) : NaN;
        return Number.isInteger(n) && n >= 0 && n < tokens.length ? n : fallback;
    };
    const bosId = id(ggml.bos_token_id, defaults.bos);
    const eosId = id(ggml.eos_token_id, defaults.eos);

    const defaultAddBos =
        vocabType === "SPM" ||
        vocabType === "WPM" ||
        (vocabType === "BPE" && bpePreAddingBos.has(ggml.pre ?? ""));
    const addBos = ggml.add_bos_token ?? defaultAddBos;
    const addEos = ggml.add_eos_token ?? vocabType === "UGM";

    const eog = new Set<number>();
    for (const value of [eosId, id(ggml.eot_token_id, null), id(ggml.eom_token_id, null)])
        if (value !== null) eog.add(value);
    for (const value of [ggml.fim_pad_token_id, ggml.fim_rep_token_id, ggml.fim_sep_token_id]) {
        const fim = id(value, null);
        if (fim !== null) eog.add(fim);
    }
    tokens.forEach((text, tokenId) => {
        if (endTokenTexts.has(text)) eog.add(tokenId);
    });

    const merges = ggml.merges;
    return {
        model: ggml.model,
        ...(ggml.pre === undefined ? {} : { pre: ggml.pre }),
        tokens,
        tokenTypes,
        bosId,
        eosId,
        addBos,
        addEos,
        eogIds: [...eog].sort((a, b) => a - b),
        ...(merges === undefined
            ? {}
            : {
                  merges: {
                      count: merges.length,
                      hash: createHash("sha256").update(merges.join("\n")).digest("hex"),
                  },
              }),
        ...(tokenizer?.chat_template === undefined ? {} : { chatTemplate: tokenizer.chat_template }),
    };
}

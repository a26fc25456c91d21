/**
 * Plain data describing a model's tokenizer, and the report that compares two of them.
 * Produced by `readGgufVocab` (models/build/gguf) and consumed by `checkTokenizerCompatibility`.
 */

/**
 * A model's tokenizer as llama.cpp sees it once loaded. Values are *effective*: where the GGUF omits a
 * key, the llama.cpp default for that tokenizer model is filled in (e.g. SPM adds BOS by default).
 */
export interface VocabInfo {
    /** `tokenizer.ggml.model`: "llama" (SPM), "gpt2" (byte-level BPE), "bert" (WPM), "t5" (UGM), ... */
    readonly model: string;
    /** `tokenizer.ggml.pre`: the BPE pre-tokenizer name ("gpt-2", "llama-bpe", ...), if present. */
    readonly pre?: string;
    /** Token text by id (`tokenizer.ggml.tokens`). */
    readonly tokens: readonly string[];
    /** llama.cpp token type by id (`tokenizer.ggml.token_type`): 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte. */
    readonly tokenTypes: readonly number[];
    /** BOS token id, or null when the tokenizer has none. */
    readonly bosId: number | null;
    /** EOS token id, or null when the tokenizer has none. */
    readonly eosId: number | null;
    /** Whether tokenizing a prompt prepends BOS. */
    readonly addBos: boolean;
    /** Whether tokenizing a prompt appends EOS. */
    readonly addEos: boolean;
    /**
     * Ids that end generation, sorted ascending: EOS, EOT, EOM, FIM pad/rep/sep when set, plus every token
     * whose text is a well-known end marker ("</s>", "<|endoftext|>", "<|im_end|>", "<|eot_id|>", ...).
     * Like llama.cpp (llama-vocab.cpp, "special_eog_ids"), the text match applies whatever the token's type,
     * since llama.cpp promotes such tokens to control tokens itself.
     */
    readonly eogIds: readonly number[];
    /** BPE merges (`tokenizer.ggml.merges`) as a count and a sha256 of the list joined by "\n"; absent for SPM. */
    readonly merges?: { readonly count: number; readonly hash: string };
    /** `tokenizer.chat_template`, if present. */
    readonly chatTemplate?: string;
}

/**
 * How a draft's tokenizer relates to the target's:
 * - `identical`: same vocab type, same token texts and types, same specials (BOS/EOS ids, add flags, EOG set).
 * - `compatible`: llama.cpp's `common_speculative_are_compatible` rule holds and the EOG sets agree; the
 *   draft's token ids can be fed to the target as they are.
 * - `incompatible`: at least one rule in `reasons` failed.
 *
 * An `incompatible` draft can still be loaded in `translated` mode (see `DraftMode` in
 * loadModels.ts and TranslatingDraftProposer): its proposals are detokenized to text and retokenized with
 * the target's vocab, and the reasons say why direct id exchange is impossible.
 */
export type CompatibilityVerdict = "identical" | "compatible" | "incompatible";

/** Stable ids of the rules whose failure makes a draft incompatible. */
export type CompatibilityRule =
    "vocab_type" | "add_bos" | "bos_id" | "add_eos" | "eos_id" | "vocab_size" | "token_text" | "eog_set";

/** One differing token, its text on either side (undefined when the id is outside that vocab). */
export interface TokenSample {
    readonly id: number;
    readonly target: string | undefined;
    readonly draft: string | undefined;
}

export interface CompatibilityReason {
    readonly rule: CompatibilityRule;
    /** What differs and what to do about it. */
    readonly message: string;
    /** The first 20 ids concerned (token_text, eog_set); the full count is in the message/summary. */
    readonly tokenIds?: readonly number[];
    /** Up to 5 examples with both texts. */
    readonly samples?: readonly TokenSample[];
}

/** Differences that do not stop speculative decoding but deserve a log line. */
export type CompatibilityWarningKind =
    "pre_tokenizer" | "merges" | "chat_template" | "tail_tokens" | "token_type";

export interface CompatibilityWarning {
    readonly kind: CompatibilityWarningKind;
    readonly message: string;
}

export interface CompatibilitySummary {
    readonly targetVocabSize: number;
    readonly draftVocabSize: number;
    /** Half-open id range whose token texts were compared: [start, end). */
    readonly checkedRange: { readonly start: number; readonly end: number };
    /** Number of ids in `checkedRange` whose text differs. */
    readonly differingTextCount: number;
    /** Number of ids in [0, min size) whose token type differs. */
    readonly differingTypeCount: number;
}

export interface CompatibilityReport {
    readonly verdict: CompatibilityVerdict;
    /** Every failed rule, in rule order; empty unless the verdict is `incompatible`. */
    readonly reasons: readonly CompatibilityReason[];
    readonly warnings: readonly CompatibilityWarning[];
    readonly summary: CompatibilitySummary;
}

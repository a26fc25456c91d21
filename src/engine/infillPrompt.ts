/**
 * Fill-in-the-middle prompt layout from a model's FIM tokens, as llama.cpp's server `/infill` lays it
 * out (repo-level pattern of Qwen2.5-Coder, https://arxiv.org/pdf/2409.12186):
 *
 * ```
 * [BOS]                      when the model wants one
 * [FIM_REP]myproject\n       when the GGUF has fim_rep_token_id
 * [FIM_SEP]name\ntext        per extra context file, when it has fim_sep_token_id
 *                            (without it: "\n\n--- snippet ---\n\n" text)
 * [FIM_SEP]filename\n        the current file, when it has fim_sep_token_id
 * [FIM_PRE]prefix[FIM_SUF]suffix[FIM_MID]
 * ```
 *
 * The model generates the middle. `myproject` and `filename` are llama.cpp's placeholders, kept so a
 * prompt here matches what the same model sees behind llama.cpp. One difference: llama.cpp inserts the
 * extra context before BOS; here BOS comes first, where every other prompt has it. Code text is
 * tokenized as plain text: special-token strings inside it are not special. Nothing is truncated: a
 * layout that does not fit the context is refused like any other prompt.
 */
import type { LlamaModel } from "node-llama-cpp";
import type { Token } from "../speculative/types.js";
import type { InfillContext } from "./types.js";

/** The token ids a FIM layout uses; `repo`, `fileSeparator` and `bos` are null when the model has none. */
export interface InfillTokens {
    prefix: Token;
    suffix: Token;
    middle: Token;
    repo: Token | null;
    fileSeparator: Token | null;
    bos: Token | null;
}

export interface InfillParts {
    /** Text before the cursor. */
    prefix: string;
    /** Text after the cursor. */
    suffix: string;
    /** Other files shown to the model before the current one. */
    extraContext: readonly InfillContext[];
}

/** llama.cpp's separator of extra context chunks for a model without a file separator token. */
const snippetSeparator = "\n\n--- snippet ---\n\n";
const repoPlaceholder = "myproject\n";
const currentFilePlaceholder = "filename\n";
/** llama.cpp's name of an extra context chunk that has none. */
const defaultContextName = "tmp";

/**
 * The model's FIM tokens (prefix, suffix and middle from node-llama-cpp, repo and file separators from
 * the GGUF metadata), or undefined when it lacks any of prefix, suffix or middle.
 */
export function infillTokensOf(model: LlamaModel): InfillTokens | undefined {
    const { prefix, suffix, middle } = model.tokens.infill;
    if (prefix === null || suffix === null || middle === null) return undefined;
    const { ggml } = model.fileInfo.metadata.tokenizer;
    return {
        prefix,
        suffix,
        middle,
        repo: ggml.fim_rep_token_id ?? null,
        fileSeparator: ggml.fim_sep_token_id ?? null,
        bos: model.tokens.shouldPrependBosToken ? model.tokens.bos : null,
    };
}

/** The FIM prompt; `tokenize` turns text into tokens without special tokens and without BOS. */
export function infillPrompt(
    tokens: InfillTokens,
    parts: InfillParts,
    tokenize: (text: string) => readonly Token[],
): Token[] {
    const out: Token[] = [];
    if (tokens.bos !== null) out.push(tokens.bos);
    if (tokens.repo !== null) out.push(tokens.repo, ...tokenize(repoPlaceholder));
    for (const file of parts.extraContext) {
        if (tokens.fileSeparator !== null) {
            out.push(tokens.fileSeparator, ...tokenize(`${file.name || defaultContextName}\n`));
        } else {
            out.push(...tokenize(snippetSeparator));
        }
        out.push(...tokenize(file.text));
    }
    if (tokens.fileSeparator !== null) out.push(tokens.fileSeparator, ...tokenize(currentFilePlaceholder));
    out.push(tokens.prefix, ...tokenize(parts.prefix));
    out.push(tokens.suffix, ...tokenize(parts.suffix));
    out.push(tokens.middle);
    return out;
}

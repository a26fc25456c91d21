/**
 * The engine's request/response types: plain data, independent of gRPC and of node-llama-cpp.
 */
import type { SpeculationMode } from "../config/schema.js";
import type { SpeculationSummary } from "../speculative/SpeculationController.js";
import type { SpecStatsJSON } from "../speculative/SpecStats.js";

export interface SamplingOptions {
    /** 0 = greedy (deterministic, and speculation is exact). Defaults to 0. */
    temperature?: number;
    /** Keep the k most likely tokens (temperature > 0 only; 0 = off). Defaults to 40. */
    topK?: number;
    /** Nucleus sampling mass (temperature > 0 only; 1 = off). Defaults to 0.95. */
    topP?: number;
    /** Seed of the request's sampler: same seed, same output. Defaults to a random seed. */
    seed?: number;
    /** Min-p sampling in [0, 1] (temperature > 0 only; 0 = off). Defaults to 0. */
    minP?: number;
    /**
     * The penalties and logit bias below apply to the target's distribution at every position (verified
     * drafted ones included) with that position's own history, so speculation stays exact.
     * llama.cpp's repeat penalty, > 0 (1 = off). Defaults to 1.
     */
    repeatPenalty?: number;
    /** Latest tokens (prompt and output) the penalties look at (0 = none). Defaults to 64. */
    repeatLastN?: number;
    /** Subtracted once from the logit of each token present in the window, in [-2, 2]. Defaults to 0. */
    presencePenalty?: number;
    /** Subtracted per occurrence in the window, in [-2, 2]. Defaults to 0. */
    frequencyPenalty?: number;
    /** Token id → value added to its logit. End-of-generation tokens cannot be biased. Defaults to none. */
    logitBias?: ReadonlyMap<number, number>;
}

export interface SpeculationOptions {
    /** Defaults to the config's `speculation.defaultMode`. */
    mode?: SpeculationMode;
    /** Draft model id for `draft_model` mode. Defaults to the first loaded draft. */
    draftModel?: string;
    /**
     * Upper bound on drafted tokens per step: a positive integer, clamped to the config's
     * `speculation.maxDraftTokens`, which is also the default. 0 is refused (use mode `off`).
     */
    maxDraftTokens?: number;
}

/** A file shown to a fill-in-the-middle request as context (infillPrompt.ts lays it out). */
export interface InfillContext {
    /** The file's name (path), e.g. `src/util.py`. Defaults to `tmp`, as llama.cpp's. */
    name: string;
    /** The file's text. */
    text: string;
}

/**
 * Constrains the output to JSON (ResponseGrammars.ts): `json_schema` to a JSON Schema given as JSON text
 * (the keywords checkJsonSchema.ts lists; others are refused), `json_object` to any JSON object.
 */
export type ResponseFormat = { type: "json_schema"; schema: string } | { type: "json_object" };

export interface GenerateRequest {
    /**
     * Prompt text (tokenized with the target's tokenizer, special tokens parsed) or token ids. With
     * `suffix` set: the text before the cursor, tokenized as plain text (may be empty).
     */
    prompt: string | readonly number[];
    /**
     * Fill-in-the-middle: the text after the cursor. When set (even to ""), the prompt is laid out with the
     * target's FIM tokens (infillPrompt.ts) and the output is the middle; `prompt` must be text. A target
     * without FIM tokens refuses it (E_FIM_UNSUPPORTED). Defaults to unset (a plain completion).
     */
    suffix?: string;
    /** Fill-in-the-middle only: other files shown before the current one. Defaults to none. */
    extraContext?: readonly InfillContext[];
    /** Target model id. Defaults to the configured target. */
    model?: string;
    /** Output cap. Defaults to the config's `generation.defaultMaxTokens`, and never beyond the context. */
    maxTokens?: number;
    sampling?: SamplingOptions;
    /** Generation stops before the first occurrence of any of these strings (not included in the text). */
    stop?: readonly string[];
    speculation?: SpeculationOptions;
    /**
     * The client's session (e.g. one agent conversation): the namespace of cross-request drafting. A
     * request's prompt and output draft only for later requests of the same session. Defaults to none
     * (no cross-request drafting).
     */
    sessionId?: string;
    /**
     * Measure the target's confidence in the emitted tokens (GenerationStats.confidence). Opt-in: at
     * temperature 0 it makes every target pass compute a softmax over the vocabulary (see generate.ts).
     * Defaults to `false`.
     */
    returnConfidence?: boolean;
    /**
     * Constrain the output with a grammar: every emitted token, drafted ones included, is chosen among
     * the tokens the grammar allows at its position, so speculation stays exact, and generation ends at
     * the end of the JSON value (finish "eos"). A `length` or `stop_sequence` finish can still cut the
     * JSON short. Defaults to unset (free text).
     */
    responseFormat?: ResponseFormat;
}

/**
 * The target model's confidence in the tokens it emitted: log-probabilities of the emitted tokens
 * (end-of-generation token excluded) under the distribution each was chosen from. At temperature 0 that
 * is the target's raw softmax (the emitted token is its argmax, so this is the log of the max
 * probability); at temperature > 0 it is the post-sampler distribution (temperature, top-k, top-p) that
 * sampling and verification draw from.
 */
export interface GenerationConfidence {
    /** Mean natural-log probability per emitted token (≤ 0; closer to 0 = more confident). */
    meanLogprob: number;
    /** The least likely emitted token's log-probability. */
    minLogprob: number;
    /** Tokens averaged over. */
    tokens: number;
}

/** Why generation ended: an end-of-generation token, a stop string, or the token budget. */
export type FinishReason = "eos" | "stop_sequence" | "length";

export interface GenerationStats {
    /** The drafter chosen at the start: "none", "ngram" or a draft model id. */
    proposer: string;
    /** Why that drafter, switches mid-request, draft lengths used, predicted speedup. */
    speculation: SpeculationSummary;
    /** Measured decode rate over the measured plain-decoding rate of this target. */
    measuredSpeedup: number;
    mode: SpeculationMode;
    promptTokens: number;
    /** Prompt tokens whose KV state was reused from the slot's previous request (not evaluated again). */
    promptTokensReused: number;
    completionTokens: number;
    /** Speculation counters (drafts, draftTokens, acceptedTokens, acceptedPerPos, targetPasses...). */
    spec: SpecStatsJSON;
    /** Time from the request start (after queueing) to the first generated token. */
    ttftMs: number;
    /** Time spent waiting for a free sequence. */
    queueMs: number;
    totalMs: number;
    /** Completion tokens after the first, per second of decoding after the first token. */
    decodeTokensPerSecond: number;
    /** Present when the request set `returnConfidence` and at least one token was emitted. */
    confidence?: GenerationConfidence;
}

export interface GenerateChunk {
    /** Token ids generated since the previous chunk. */
    tokens: number[];
    /** Text delta (may lag tokens while a multi-byte character or a possible stop string is pending). */
    text: string;
    /** Present on the last chunk only. */
    finish?: { reason: FinishReason; stats: GenerationStats };
}

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
}

export interface SpeculationOptions {
    /** Defaults to the config's `speculation.defaultMode`. */
    mode?: SpeculationMode;
    /** Draft model id for `draft_model` mode. Defaults to the first loaded draft. */
    draftModel?: string;
    /** Upper bound on drafted tokens per step (clamped to the config's maximum). */
    maxDraftTokens?: number;
}

export interface GenerateRequest {
    /** Prompt text (tokenized with the target's tokenizer, special tokens parsed) or token ids. */
    prompt: string | readonly number[];
    /** Target model id. Defaults to the configured target. */
    model?: string;
    /** Output cap. Defaults to the config's `generation.defaultMaxTokens`, and never beyond the context. */
    maxTokens?: number;
    sampling?: SamplingOptions;
    /** Generation stops before the first occurrence of any of these strings (not included in the text). */
    stop?: readonly string[];
    speculation?: SpeculationOptions;
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
}

export interface GenerateChunk {
    /** Token ids generated since the previous chunk. */
    tokens: number[];
    /** Text delta (may lag tokens while a multi-byte character or a possible stop string is pending). */
    text: string;
    /** Present on the last chunk only. */
    finish?: { reason: FinishReason; stats: GenerationStats };
}

/** What one request's decoding loop (generate.ts) is given: its slot, prompt, sampling and controller. */
import type { TokenBias } from "node-llama-cpp";
import type { SpeculationMode } from "../config/schema.js";
import type { SpeculationController } from "../speculative/SpeculationController.js";
import type { Token } from "../speculative/types.js";
import type { ResolvedSampling } from "./resolveSampling.js";
import type { Slot } from "./Slot.js";
import type { Detokenize } from "./TextStream.js";
import type { TokenGrammar } from "./TokenGrammar.js";

export interface GenerationPlan {
    slot: Slot;
    promptTokens: readonly Token[];
    /** Already clamped to the context. */
    maxTokens: number;
    contextSize: number;
    sampling: ResolvedSampling;
    stop: readonly string[];
    mode: SpeculationMode;
    /** Chooses drafter and draft length per step (no drafters: plain decoding). */
    controller: SpeculationController;
    maxDraftTokens: number;
    reusePrefix: boolean;
    /** Leading prompt tokens the engine copied into the slot from another slot's cache before this call. */
    copiedPrefix: number;
    /** Leading prompt tokens the engine loaded into the slot from the host cache before this call. */
    restoredPrefix: number;
    /** Measure the emitted tokens' log-probabilities (GenerationStats.confidence). */
    confidence: boolean;
    /** The request's logit bias in node-llama-cpp's form; undefined when it has none. */
    tokenBias: TokenBias | undefined;
    /** The response format's grammar state at the start of the output; undefined for free text. */
    grammar: TokenGrammar | undefined;
    isEog: (token: Token) => boolean;
    detokenize: Detokenize;
    /** performance.now() when the request started waiting for a slot, and when it got one. */
    queuedAt: number;
    startedAt: number;
    /** Other requests holding a slot when this one got its own. */
    othersRunning: number;
    /**
     * Dispatch a plain pass before recording the step before it, when the controller says the pass is
     * plain whatever that step teaches ("Overlap" above): `engine.overlapSteps` resolved.
     */
    overlap: boolean;
    /**
     * Under a grammar, list only each position's `grammarList` most likely tokens where that decides the
     * choice (a large vocabulary, whose full map is what costs; TargetChoice.ts); 0: the full map (a
     * small vocabulary, where it is cheap and a top-k list would send more positions to a second
     * evaluation). `engine.grammarTopK` resolved.
     */
    grammarList: number;
}

/** What a request's SpeculationController is made with and answers: its drafters, options, step plans and summary. */
import type { DrafterCandidate } from "./SpeculationPolicy.js";
import type { DraftProposer, Token } from "./types.js";

export interface ControllerDrafter {
    candidate: DrafterCandidate;
    proposer: DraftProposer;
}

export interface SpeculationControllerOptions {
    drafters: readonly ControllerDrafter[];
    signature: string;
    maxK: number;
    /** AUTO: adaptive k and switching. Fixed modes: the single drafter at maxK every step. */
    adaptive: boolean;
    /** Confidence threshold until the policy has measured one. */
    minConfidence: number;
}

/** One step's plan: who drafts how many tokens. */
export interface ControllerStep {
    drafter: ControllerDrafter;
    k: number;
    minConfidence: number;
    /**
     * The draft already proposed (a free drafter asked for more than k, for "the tail past k"), and what
     * proposing it took: the engine uses it instead of asking the drafter again.
     */
    proposal?: { tokens: readonly Token[]; ms: number };
}

export interface SpeculationSummary {
    /** Drafter chosen at the start ("none" for plain decoding). */
    chosen: string;
    reason: string;
    switches: { atToken: number; from: string; to: string; reason: string }[];
    /** How many steps used each draft length (index = k). */
    draftLengths: number[];
    /** Steps that verified a free drafter's proposal to measure the verify curve (SpeculationController.ts, "exploration"). */
    explorations: number;
    predictedSpeedup: number;
}

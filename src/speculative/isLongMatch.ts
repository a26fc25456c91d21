/**
 * Long matches: a free (lookup) drafter's proposal whose match covers at least `longMatchTokens` history
 * tokens (DraftProposal.matchLength) is judged on the acceptance of such proposals (AcceptanceEstimator
 * `classPositions`, class `longMatchClass`), not on the drafter's estimate over all its steps
 * (SpeculationController chooses k by it; SpeculationController and Counterfactuals record it). Measured
 * on the agent trace (bundled pair, fixed suffix k = 8, two rounds in process): after a 64-token match the
 * proposal was kept whole 18 times of 18 (144 tokens of 144), after a 16–31-token one 4 of 6, after a
 * 4–7-token one 4 of 14 (29 % of its tokens). The blend, p ≈ 0.96 a position, had AUTO draft 3–6 tokens a
 * step on retried requests whose every draft was kept, where 8 pays most.
 */
import type { AcceptanceEstimator } from "./AcceptanceEstimator.js";
import type { RequestEvidence } from "./RequestEvidence.js";
import type { DraftProposal } from "./types.js";

/** Half the longest match the suffix pool measures (SuffixPool's maxMatchLength, 64). */
export const longMatchTokens = 32;
/** The class name of long-match steps in the acceptance estimates. */
export const longMatchClass = "long-match";

/** The key of a drafter's long-match proposals in a request's own evidence (RequestEvidence). */
export function longMatchKey(drafter: string): string {
    return `${drafter}#${longMatchClass}`;
}

/** Whether a lookup proposal's match is long (`longMatchTokens`). */
export function isLongMatch(proposal: DraftProposal): boolean {
    return (proposal.matchLength ?? 0) >= longMatchTokens;
}

/**
 * A long-match draft of `drafter` resolved, `accepted` of its `drafted` tokens kept: counted engine-wide
 * (the class's positions) and in the request's own evidence, which together make long matches' estimate.
 */
export function recordLongMatch(
    acceptance: AcceptanceEstimator,
    evidence: RequestEvidence,
    drafter: string,
    signature: string,
    drafted: number,
    accepted: number,
): void {
    acceptance.recordClass(drafter, longMatchClass, signature, drafted, accepted);
    evidence.record(longMatchKey(drafter), drafted, accepted);
}

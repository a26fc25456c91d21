/**
 * A free (lookup, synchronous) drafter's proposal of up to `maxTokens` tokens, timed, with whether its match
 * is long (isLongMatch.ts). SpeculationController asks a free drafter before it chooses k: the proposal
 * costs nothing, its match length decides the step's acceptance estimate, and its first k tokens serve the
 * step while the rest is the tail past k (DraftTail.ts).
 */
import { isLongMatch } from "./isLongMatch.js";
import type { DraftProposer, Token } from "./types.js";

export interface FreeProposal {
    tokens: readonly Token[];
    ms: number;
    longMatch: boolean;
}

/** Undefined when the drafter answered asynchronously (not free after all). */
export function proposeFree(
    proposer: DraftProposer,
    history: readonly Token[],
    maxTokens: number,
): FreeProposal | undefined {
    const t0 = performance.now();
    const proposal = proposer.propose(history, maxTokens);
    if (proposal instanceof Promise) {
        proposal.catch(() => {});
        return undefined;
    }
    return { tokens: proposal.tokens, ms: performance.now() - t0, longMatch: isLongMatch(proposal) };
}

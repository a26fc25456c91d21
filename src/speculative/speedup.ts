/**
 * Leviathan et al. (2023), "Fast Inference from Transformers via Speculative Decoding":
 *
 *   expected tokens per target pass   E(α, k) = (1 − α^{k+1}) / (1 − α)           (Eq. 1)
 *   expected wall-time speedup        S(α, k, c) = E(α, k) / (k·c + 1)             (Thm 3.8)
 *
 * with α the per-token acceptance probability (i.i.d.), k the draft length and c the cost of a draft
 * step relative to a target pass. The paper assumes verifying k+1 tokens costs one target pass; on
 * CPUs it does not (a pass over 9 tokens costs 2–6× a one-token pass, depending on model and CPU), so
 * `expectedTokensPerSecond` uses measured costs:
 *
 *   tokens/s = E(α, k) / (k·T_draft + T_verify(k + 1) + T_overhead)
 *
 * Acceptance is not i.i.d. either: a copy drafter's draft keeps matching or breaks at once. With
 * per-position acceptance p_i = P(position i accepted | position i − 1 accepted), the expected tokens
 * per pass are the bonus/recovered token plus the probability that each position is reached and kept:
 *
 *   E(p, k) = 1 + Σ_{i=1..k} Π_{j=1..i} p_j                                          (reduces to Eq. 1
 *                                                                                       when p_j = α)
 * Nor is a step's first position the same after every step: a copy drafter's step that kept its whole
 * draft usually stops inside the run it copies, so the next step's first token continues it, while a step
 * after a rejection starts where the run broke. Measured per step, p_1 therefore depends on k (fixed
 * n-gram on the quick bench's prompts: p_1 0.57–0.88 at k = 2 against 0.40–0.75 at k = 8, session 11),
 * and a p_1 learned at one k mispredicts another. `RunAcceptance` splits p_1 by the step's start: p_1^f
 * after a rejected or empty step, p_1^c right after a fully accepted one (positions 2.. keep one estimate:
 * each is conditional on the position before it accepted, whatever the start). Steps then form a two-state
 * chain: from state s a step keeps its whole draft with P_s = Π_{j=1..k} p_j^s (p_1 replaced by p_1^s) and
 * moves to c, else to f; its stationary share of c-steps is π_c = P_f / (1 − P_c + P_f), and
 *
 *   E_run(k) = (1 − π_c) E(p^f, k) + π_c E(p^c, k),
 *
 * which equals E(p, k) when p_1^c = p_1^f.
 *
 * Every function below takes a scalar α (i.i.d.), the vector p (p[0] is position 1), or a RunAcceptance.
 */

/** Per-position acceptance with the first position split by the step's start (see above). */
export interface RunAcceptance {
    /** p_1^f, p_2, p_3, ...: p[0] is the first position after a rejected or empty step. */
    positions: readonly number[];
    /** p_1^c: the first position right after a step that kept its whole draft. */
    continuingFirst: number;
}

/** A scalar α (i.i.d.), per-position conditional acceptance p (p[0] = position 1), or a RunAcceptance. */
export type Acceptance = number | readonly number[] | RunAcceptance;

export function expectedTokensPerPass(acceptance: Acceptance, k: number): number {
    if (k <= 0) return 1;
    if (isRun(acceptance)) {
        const p = acceptance.positions;
        const fresh = expectedTokensPerPass(p, k);
        const continuing = runTokens(p, acceptance.continuingFirst, k);
        const keepFresh = keepAll(p, p[0] ?? 0, k);
        const keepContinuing = keepAll(p, acceptance.continuingFirst, k);
        const denominator = 1 - keepContinuing + keepFresh;
        // Never leaving f (P_f = 0) or never c at all: the chain stays where it starts, f.
        if (denominator <= 1e-12) return fresh;
        const share = keepFresh / denominator;
        return (1 - share) * fresh + share * continuing;
    }
    if (typeof acceptance !== "number") {
        // Positions past the vector's end keep its last probability.
        let tokens = 1;
        let reached = 1;
        for (let i = 0; i < k; i++) {
            reached *= acceptance[Math.min(i, acceptance.length - 1)] ?? 0;
            tokens += reached;
        }
        return tokens;
    }
    const alpha = acceptance;
    if (alpha >= 1) return k + 1;
    return (1 - alpha ** (k + 1)) / (1 - alpha);
}

function isRun(acceptance: Acceptance): acceptance is RunAcceptance {
    return typeof acceptance === "object" && !Array.isArray(acceptance);
}

/** E(p, k) with p_1 replaced by `first`. */
function runTokens(p: readonly number[], first: number, k: number): number {
    let tokens = 1;
    let reached = 1;
    for (let i = 0; i < k; i++) {
        reached *= i === 0 ? first : (p[Math.min(i, p.length - 1)] ?? 0);
        tokens += reached;
    }
    return tokens;
}

/** Π_{j=1..k} p_j with p_1 replaced by `first`: the chance a step keeps its whole draft. */
function keepAll(p: readonly number[], first: number, k: number): number {
    let keep = first;
    for (let i = 1; i < k; i++) keep *= p[Math.min(i, p.length - 1)] ?? 0;
    return keep;
}

export function expectedSpeedup(alpha: number, k: number, costRatio: number): number {
    return expectedTokensPerPass(alpha, k) / (k * costRatio + 1);
}

export interface StepCosts {
    /** Milliseconds of one draft step (one drafted token). */
    draftMsPerToken: number;
    /** Fixed milliseconds per drafting call (0 for cheap drafters). */
    draftMsPerCall: number;
    /** Milliseconds of one target pass over n tokens. */
    verifyMs: (n: number) => number;
    /**
     * The backend decodes a shared batch whose sequences add different numbers of tokens as several
     * passes (llama.cpp without unified KV: see batchDraftLength.ts). Only shared passes are affected.
     */
    splitsMixedLengths?: boolean;
}

/** Expected decoded tokens per second with draft length k (k = 0: plain decoding). */
export function expectedTokensPerSecond(alpha: Acceptance, k: number, costs: StepCosts): number {
    const ms =
        k === 0
            ? costs.verifyMs(1)
            : k * costs.draftMsPerToken + costs.draftMsPerCall + costs.verifyMs(k + 1);
    return (expectedTokensPerPass(alpha, k) * 1000) / Math.max(ms, 1e-6);
}

/** The draft length in [0, maxK] with the highest expected tokens/s, and that rate. */
export function bestDraftLength(
    alpha: Acceptance,
    maxK: number,
    costs: StepCosts,
): { k: number; tokensPerSecond: number } {
    let best = { k: 0, tokensPerSecond: expectedTokensPerSecond(alpha, 0, costs) };
    for (let k = 1; k <= maxK; k++) {
        const tokensPerSecond = expectedTokensPerSecond(alpha, k, costs);
        if (tokensPerSecond > best.tokensPerSecond) best = { k, tokensPerSecond };
    }
    return best;
}

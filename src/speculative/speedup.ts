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
 * Every function below takes either a scalar α (i.i.d.) or the vector p (p[0] is position 1).
 */

/** A scalar α (i.i.d. acceptance) or per-position conditional acceptance p (p[0] = position 1). */
export type Acceptance = number | readonly number[];

export function expectedTokensPerPass(acceptance: Acceptance, k: number): number {
    if (k <= 0) return 1;
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

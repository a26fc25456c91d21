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
 */

export function expectedTokensPerPass(alpha: number, k: number): number {
    if (k <= 0) return 1;
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
}

/** Expected decoded tokens per second with draft length k (k = 0: plain decoding). */
export function expectedTokensPerSecond(alpha: number, k: number, costs: StepCosts): number {
    const ms =
        k === 0
            ? costs.verifyMs(1)
            : k * costs.draftMsPerToken + costs.draftMsPerCall + costs.verifyMs(k + 1);
    return (expectedTokensPerPass(alpha, k) * 1000) / Math.max(ms, 1e-6);
}

/** The draft length in [0, maxK] with the highest expected tokens/s, and that rate. */
export function bestDraftLength(
    alpha: number,
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

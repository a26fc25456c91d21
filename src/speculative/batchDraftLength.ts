/**
 * The draft length of one sequence whose next target pass is shared with other sequences' passes (one
 * native batch, see engine/PassBatcher.ts). Every sequence in the batch waits for the whole pass, so a
 * drafted token is paid by all of them; whether it pays depends on what the batch already holds.
 *
 * Terms (speedup.ts has E and the costs):
 *   O        tokens the other sequences put into the same pass (0: this sequence's pass is alone);
 *   T(n)     the measured cost of one pass over n tokens in total, whoever's they are (CostModel.ts);
 *   E(p, k)  this sequence's expected committed tokens with k drafted (1 for k = 0);
 *   D(k)     its drafting time, k·draftMsPerToken + draftMsPerCall (0 for k = 0).
 *
 * Objective: the batch's committed tokens per second,
 *
 *   R(k) = (O + E(p, k)) / (D(k) + T(O + k + 1)),
 *
 * counting every other token in the pass as committed. That is an upper bound on what the others
 * commit (their drafts may be rejected), and the safe side of it: with E_o ≤ O the others' true yield,
 * R(k) > R(0) means (E(p, k) − 1) / (D(k) + T(O + k + 1) − T(O + 1)) > (O + 1) / T(O + 1) ≥
 * (E_o + 1) / T(O + 1), so a k chosen here is faster than no draft for the true batch too. In words: a
 * drafted token must be at least as productive as the batch's average token, and under load the
 * average token is cheap (T(O + 1) / (O + 1) falls towards the curve's slope as the fixed cost of a pass
 * is shared), so k shrinks, to 0 when speculation cannot pay.
 *
 * Contract (test/unit/speculative/batchDraftLength.test.ts):
 *  - O = 0 gives the same k and rate as `bestDraftLength`: a sequence alone is unaffected.
 *  - k ∈ [0, maxK], and k > 0 only when R(k) > R(0) strictly (ties draft less).
 *  - On a curve linear in n, T(n) = a + b·n with a, b ≥ 0, k is non-increasing in O (the advantage
 *    of a longer draft, R(k₁) − R(k₀) scaled by both denominators, has slope
 *    b·(E₁ − E₀) − (b + draftMsPerToken)·(k₁ − k₀) ≤ 0 in O, since each drafted token adds at most one
 *    expected token); with a = 0 (nothing to share: every token costs the same) k = 0.
 */
import { expectedTokensPerPass, type Acceptance, type StepCosts } from "./speedup.js";

/** The batch's expected committed tokens per second when this sequence drafts k tokens (R(k) above). */
export function batchTokensPerSecond(
    acceptance: Acceptance,
    k: number,
    costs: StepCosts,
    otherTokens: number,
): number {
    const ms =
        k === 0
            ? costs.verifyMs(otherTokens + 1)
            : k * costs.draftMsPerToken + costs.draftMsPerCall + costs.verifyMs(otherTokens + k + 1);
    return ((otherTokens + expectedTokensPerPass(acceptance, k)) * 1000) / Math.max(ms, 1e-6);
}

/**
 * The draft length in [0, maxK] with the highest batch tokens/s when `otherTokens` other tokens share
 * the pass, and that rate (the batch's, not this sequence's alone).
 */
export function batchDraftLength(
    acceptance: Acceptance,
    maxK: number,
    costs: StepCosts,
    otherTokens: number,
): { k: number; tokensPerSecond: number } {
    const others = Math.max(0, otherTokens);
    let best = { k: 0, tokensPerSecond: batchTokensPerSecond(acceptance, 0, costs, others) };
    for (let k = 1; k <= maxK; k++) {
        const tokensPerSecond = batchTokensPerSecond(acceptance, k, costs, others);
        if (tokensPerSecond > best.tokensPerSecond) best = { k, tokensPerSecond };
    }
    return best;
}

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
 *  - With `splitsMixedLengths` it drafts (k > 0) only where it would draft without (every draft's pass
 *    costs at least as much, T(O + 1) + T(k) ≥ T(O + k + 1) on a subadditive curve, and no draft costs
 *    the same), and O = 0 is unaffected. A draft it does choose may be longer: its own pass's fixed cost
 *    is shared by more drafted tokens.
 *
 * Mixed lengths. llama.cpp without unified KV (node-llama-cpp 3.x creates every context so; native/
 * builds can turn it on, TIERCEL_KV_UNIFIED=1) decodes a batch as micro-batches, each taking the same
 * number of tokens from every sequence in it (src/llama-batch.cpp, split_equal; bench/microBatches.ts
 * replays it), and every micro-batch is a pass over the weights. A sequence verifying k drafted tokens
 * beside sequences stepping one token each therefore costs T(O + 1) for the shared micro-batch plus
 * T(k) for its own: on a GPU, where T has a large fixed part, about two passes instead of one. Measured
 * on an H200 at 32 gRPC streams before this term (bench/results/gpu-2026-11-28-s8.md): 9.4 micro-batches
 * per decode and AUTO at 0.32× OFF's aggregate. The term counts the drafts alone in their micro-batch
 * even when others verify drafts of the same length and would share it: the safe side (AUTO drafts
 * less, never slower than no draft), and the others' lengths differ more often than not.
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
            : k * costs.draftMsPerToken + costs.draftMsPerCall + sharedVerifyMs(costs, otherTokens, k);
    return ((otherTokens + expectedTokensPerPass(acceptance, k)) * 1000) / Math.max(ms, 1e-6);
}

/**
 * Milliseconds of the target pass that verifies k drafted tokens (k + 1 tokens) beside `otherTokens`
 * other tokens: one pass over all of them, or, when the backend splits mixed lengths and the pass is
 * shared, the shared pass plus one over the k drafted tokens (see "Mixed lengths" above).
 */
export function sharedVerifyMs(costs: StepCosts, otherTokens: number, k: number): number {
    if (k > 0 && otherTokens > 0 && costs.splitsMixedLengths === true)
        return costs.verifyMs(otherTokens + 1) + costs.verifyMs(k);
    return costs.verifyMs(otherTokens + k + 1);
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

/**
 * Verification by the target's own sample ("sample and match") with position-keyed draws: the verifier at
 * temperature > 0 for deterministic drafters, which every drafter here is (n-gram and suffix lookups copy,
 * draft models draft greedily).
 *
 * Contract: `draft` holds `k` drafted tokens chosen deterministically (q one-hot); `targetDists` has
 * `k + 1` entries, `p_i` the target's distribution (after the sampler chain) following the prefix that ends
 * at `draft[i - 1]`, as for verifyStochastic. `draws(first + i)` is the draw of the history position that
 * `p_i` chooses (positionDraws.ts). With `t_i = sampleAt(p_i, draws(first + i))`, the target's own sample
 * at position `first + i`, the result keeps the longest prefix with `draft[i] = t_i` (`n` tokens) and emits
 * `t_0 … t_n`: the recovered token when `n < k`, the bonus when `n = k`. Throws a RangeError on wrong lengths.
 *
 * Why: every emitted token is the sample plain decoding draws at its position with the same draws, so a
 * seeded request's output does not depend on whether, what and how much was drafted (given the same
 * distributions: see docs/speculative-decoding.md on batch invariance). Its law is p's: `t_i` is an inverse-CDF
 * draw from `p_i` with a uniform draw. And it accepts no less than speculative sampling does: draft token x
 * is kept with probability P(t_i = x) = p_i(x) = min(1, p_i(x) / q_i(x)) for one-hot q (verifyStochastic).
 * A drafter with draft distributions would accept less this way (Σ q·p instead of Σ min(p, q)); it goes
 * through verifyStochastic.
 *
 * Hot path: samples only up to the first mismatch; allocates only the output array.
 */
import { sampleAt } from "./sampleDistribution.js";
import type { PositionDraws } from "./positionDraws.js";
import type { Token, TokenDistribution, VerifyOutcome } from "./types.js";

export function verifyPositional(
    draft: readonly Token[],
    targetDists: readonly TokenDistribution[],
    draws: PositionDraws,
    first: number,
): VerifyOutcome {
    const k = draft.length;
    if (targetDists.length !== k + 1) {
        throw new RangeError(
            `verifyPositional: expected ${k + 1} target distributions for ${k} draft tokens, got ${targetDists.length}`,
        );
    }
    const tokens: Token[] = [];
    for (let i = 0; i <= k; i++) {
        const token = sampleAt(targetDists[i]!, draws(first + i));
        tokens.push(token);
        if (i === k) break;
        if (token !== draft[i]) return { acceptedTokens: i, tokens, lastKind: "recovered" };
    }
    return { acceptedTokens: k, tokens, lastKind: "bonus" };
}

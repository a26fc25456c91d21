/**
 * Stochastic verification: speculative sampling (Leviathan et al. 2023, arXiv:2211.17192; Chen et al.
 * 2023, arXiv:2302.01318). The emitted tokens are distributed exactly as if sampled from the target
 * alone, whatever the draft distribution is.
 *
 * Contract: `draft` holds `k` drafted tokens, `draft[i]` sampled from `q_i = draftDists[i]` (or chosen
 * deterministically when `draftDists` is undefined: `q_i` is one-hot on `draft[i]`). `targetDists` has
 * `k + 1` entries: `p_i` is the target distribution (after the sampler chain) following the prefix that
 * ends at `draft[i - 1]`; `p_0` follows the last committed token, `p_k` follows the whole draft.
 * `random` yields floats in `[0, 1)`; one draw per examined draft position, plus one for the last token.
 * Throws a RangeError on wrong lengths or when `q_i(draft[i]) = 0` (the draft claims a token it could
 * not have sampled).
 *
 * For i = 0..k-1, with x = draft[i], p = p_i(x), q = q_i(x):
 *   - accept x with probability min(1, p / q)   (p = 0 → always rejected);
 *   - on rejection, emit the recovered token t ~ r(t) / Σ_s r(s), with r(t) = max(0, p_i(t) − q_i(t)),
 *     and stop. r lives inside supp(p_i). For one-hot q_i, r is p_i with x removed. If Σ r ≈ 0
 *     (p_i = q_i up to rounding, so a rejection was a rounding artefact) t is sampled from p_i.
 * If all k were accepted, the bonus token is sampled from p_k.
 *
 * Why this preserves p (one position, p and q normalized):
 *   P(emit t) = q(t)·min(1, p(t)/q(t)) + P(reject)·r(t)/Σr
 *             = min(p(t), q(t)) + (1 − Σ_s min(p(s), q(s)))·r(t)/Σr
 *             = min(p(t), q(t)) + max(0, p(t) − q(t)) = p(t),
 * since Σr = Σ (p − min(p, q)) = 1 − Σ min(p, q) = P(reject).
 *
 * Hot path: accepting does no allocation; a rejection with a stochastic drafter fills one module-level
 * scratch Map with q (cleared after use) so that r costs O(|supp p| + |supp q|), no sorting.
 */
import { probabilityOf, sampleDistribution } from "./sampleDistribution.js";
import type { Token, TokenDistribution, VerifyOutcome } from "./types.js";

/** Below this residual mass p and q are taken as equal, and the recovered token is sampled from p. */
const residualMassEpsilon = 1e-12;

/** Reused q lookup for the residual; safe because verification is synchronous. */
const scratchQ = new Map<Token, number>();

export function verifyStochastic(
    draft: readonly Token[],
    draftDists: readonly TokenDistribution[] | undefined,
    targetDists: readonly TokenDistribution[],
    random: () => number,
): VerifyOutcome {
    const k = draft.length;
    if (targetDists.length !== k + 1) {
        throw new RangeError(
            `verifyStochastic: expected ${k + 1} target distributions for ${k} draft tokens, got ${targetDists.length}`,
        );
    }
    if (draftDists !== undefined && draftDists.length !== k) {
        throw new RangeError(
            `verifyStochastic: expected ${k} draft distributions (or none for a greedy drafter), got ${draftDists.length}`,
        );
    }
    const tokens: Token[] = [];
    for (let i = 0; i < k; i++) {
        const x = draft[i]!;
        const target = targetDists[i]!;
        const draftDist = draftDists?.[i];
        const p = probabilityOf(target, x);
        const q = draftDist === undefined ? 1 : probabilityOf(draftDist, x);
        if (!(q > 0)) {
            throw new RangeError(
                `verifyStochastic: draft token ${x} at position ${i} has probability ${q} in its own draft distribution`,
            );
        }
        // random() < min(1, p/q), without the division.
        if (random() * q < p) {
            tokens.push(x);
            continue;
        }
        tokens.push(sampleResidual(target, draftDist, x, random));
        return { acceptedTokens: i, tokens, lastKind: "recovered" };
    }
    tokens.push(sampleDistribution(targetDists[k]!, random));
    return { acceptedTokens: k, tokens, lastKind: "bonus" };
}

/** Samples from norm(max(0, p − q)); `draftDist` undefined means q is one-hot on `rejected`. */
function sampleResidual(
    target: TokenDistribution,
    draftDist: TokenDistribution | undefined,
    rejected: Token,
    random: () => number,
): Token {
    if (draftDist !== undefined) {
        for (let j = 0; j < draftDist.tokens.length; j++)
            scratchQ.set(draftDist.tokens[j]!, draftDist.probs[j]!);
    }
    try {
        const { tokens, probs } = target;
        const residualAt = (j: number): number => {
            const t = tokens[j]!;
            const q = draftDist === undefined ? (t === rejected ? 1 : 0) : (scratchQ.get(t) ?? 0);
            const p = probs[j]!;
            return p > q ? p - q : 0;
        };
        let total = 0;
        for (let j = 0; j < tokens.length; j++) total += residualAt(j);
        if (total <= residualMassEpsilon) return sampleDistribution(target, random);
        const u = random() * total;
        let cumulative = 0;
        let last = -1;
        for (let j = 0; j < tokens.length; j++) {
            const r = residualAt(j);
            if (r <= 0) continue;
            cumulative += r;
            last = j;
            if (u < cumulative) return tokens[j]!;
        }
        return tokens[last]!;
    } finally {
        scratchQ.clear();
    }
}

/**
 * Sampling from a sparse {@link TokenDistribution} by inverse CDF.
 *
 * `sampleAt(dist, u)` scales `u ∈ [0, 1)` by `total = Σ probs` (so distributions that do not sum to
 * exactly 1 are sampled as if normalized) and returns the first token, in the distribution's order, whose
 * cumulative probability exceeds it; `sampleDistribution(dist, random)` is `sampleAt(dist, random())`.
 * O(|support|), no allocation. Throws a RangeError for a distribution without positive mass.
 */
import type { Token, TokenDistribution } from "./types.js";

export function sampleDistribution(dist: TokenDistribution, random: () => number): Token {
    return sampleAt(dist, random());
}

export function sampleAt(dist: TokenDistribution, draw: number): Token {
    const { tokens, probs } = dist;
    let total = 0;
    for (let i = 0; i < probs.length; i++) total += probs[i]!;
    if (!(total > 0))
        throw new RangeError("sampleDistribution: distribution has no positive probability mass");
    const u = draw * total;
    let cumulative = 0;
    let last = -1;
    for (let i = 0; i < probs.length; i++) {
        const p = probs[i]!;
        if (p <= 0) continue;
        cumulative += p;
        last = i;
        if (u < cumulative) return tokens[i]!;
    }
    // Rounding: the running sum can end a hair below `u`; the answer is then the last token with p > 0.
    return tokens[last]!;
}

/** The probability of `token` in `dist` (0 when it is not listed). O(|support|). */
export function probabilityOf(dist: TokenDistribution, token: Token): number {
    const { tokens, probs } = dist;
    for (let i = 0; i < tokens.length; i++) if (tokens[i] === token) return probs[i]!;
    return 0;
}

/**
 * The classifier's scalar score and the threshold rule that turns it into a tier. Pure.
 *
 * score = Σ_k k · p_k / (K − 1): the expected tier index under the model's probabilities, scaled to
 * [0, 1] (0 = surely the cheapest tier, 1 = surely the most capable). One ordered number is what
 * RouteLLM's quantile calibration needs, what a routing record can carry (`classifier_score`), and what
 * an operator can move ("send more to frontier" = lower the last threshold).
 */

export function tierScore(probabilities: ArrayLike<number>): number {
    const k = probabilities.length;
    if (k < 2) return 0;
    let expected = 0;
    for (let i = 1; i < k; i++) expected += i * probabilities[i]!;
    return expected / (k - 1);
}

/** Tier index for a score: the number of (ascending) thresholds the score reaches. */
export function tierIndexForScore(score: number, thresholds: readonly number[]): number {
    let tier = 0;
    while (tier < thresholds.length && score >= thresholds[tier]!) tier++;
    return tier;
}

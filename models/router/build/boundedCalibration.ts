/**
 * Threshold calibration under an under-routing bound, for three tiers: of every pair of cut points on a
 * grid of score quantiles, the one with the best agreement whose under-routing on the calibration set is
 * at most `maxUnder`. The build runs it on out-of-fold scores (folds by wording family), so the bound
 * holds for wording the model was not trained on.
 *
 * It replaces moving the label mix's two cut points together (one shift from the cheapest tier to the
 * top one): each boundary moves only as far as its own under-routing needs, so a boundary that sends
 * few requests too low is not pulled up with the other. Ties keep the higher pair (cheaper routing).
 */
import { tierIndexForScore } from "../../../src/router/learned/tierScore.js";

/** Quantile steps of the candidate grid. */
const gridSteps = 200;

export interface BoundedCalibration {
    thresholds: [number, number];
    agreement: number;
    underRouting: number;
}

export function boundedCalibration(
    scores: readonly number[],
    labels: readonly number[],
    maxUnder: number,
): BoundedCalibration {
    if (scores.length === 0 || scores.length !== labels.length) {
        throw new RangeError(
            `boundedCalibration needs one label per score, and at least one (${scores.length} scores, ${labels.length} labels)`,
        );
    }
    if (labels.some((l) => l !== 0 && l !== 1 && l !== 2)) {
        throw new RangeError("boundedCalibration calibrates three tiers: labels must be 0, 1 or 2");
    }
    const sorted = [...scores].sort((a, b) => a - b);
    const n = sorted.length;
    // Cut points: each quantile of the grid, and one above every score (nothing reaches the tier).
    const candidates = [
        ...new Set([
            ...Array.from({ length: gridSteps }, (_, i) => sorted[Math.floor((i / gridSteps) * n)]!),
            sorted[n - 1]! + 1,
        ]),
    ];
    let best: BoundedCalibration | undefined;
    for (let a = 0; a < candidates.length; a++) {
        for (let b = a; b < candidates.length; b++) {
            const cut = [candidates[a]!, candidates[b]!];
            let agree = 0;
            let under = 0;
            for (let i = 0; i < n; i++) {
                const tier = tierIndexForScore(scores[i]!, cut);
                if (tier === labels[i]) agree++;
                else if (tier < labels[i]!) under++;
            }
            if (under / n > maxUnder) continue;
            if (best === undefined || agree / n >= best.agreement) {
                best = { thresholds: [cut[0]!, cut[1]!], agreement: agree / n, underRouting: under / n };
            }
        }
    }
    // The pair with both cut points above every score sends everything to the top tier: never under.
    return best!;
}

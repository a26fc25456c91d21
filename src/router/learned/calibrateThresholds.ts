/**
 * Score thresholds from a target tier mix: RouteLLM's quantile calibration (lm-sys/RouteLLM
 * `calibrate_threshold.py`), generalized from one strong/weak cut to K ordered tiers. Pure.
 *
 * The classifier's score is one number per request in [0, 1] (the expected tier index of its
 * probabilities over K − 1, see tierScore.ts); a request goes to tier k when its score is at or above
 * thresholds[k − 1] and below thresholds[k]. Given a target mix (e.g. local 50 % / mid 30 % / frontier
 * 20 %) the thresholds are the score quantiles at the mix's cumulative shares, so on the calibration
 * set the tiers receive that mix (up to ties). Because the same score is written to every routing
 * record (`classifier_score`), the records themselves are a calibration set: `recalibrateFromRecords`
 * re-derives the thresholds from live traffic when its score distribution drifts from the training set's.
 */
import { InvalidArgumentError } from "../../errors/ServiceError.js";

/** Share of requests per tier, cheapest first (normalized to sum to 1). */
export type TierMix = readonly number[];

/** K − 1 ascending thresholds for K tiers. */
export type Thresholds = readonly number[];

/** Thresholds whose tier shares on `scores` match `mix` (see the module comment). */
export function calibrateThresholds(scores: readonly number[], mix: TierMix): number[] {
    if (mix.length < 2)
        throw new InvalidArgumentError(`a tier mix needs at least 2 tiers (got ${mix.length})`);
    if (mix.some((share) => !Number.isFinite(share) || share < 0)) {
        throw new InvalidArgumentError(`tier mix shares must be finite and ≥ 0 (got ${mix.join(", ")})`);
    }
    const total = mix.reduce((a, b) => a + b, 0);
    if (total <= 0) throw new InvalidArgumentError("a tier mix needs a positive share somewhere");
    if (scores.length === 0) throw new InvalidArgumentError("calibration needs at least one score");
    if (scores.some((s) => !Number.isFinite(s)))
        throw new InvalidArgumentError("calibration scores must be finite");

    const sorted = Float64Array.from(scores).sort();
    const n = sorted.length;
    const thresholds: number[] = [];
    let cumulative = 0;
    for (let k = 0; k < mix.length - 1; k++) {
        cumulative += mix[k]! / total;
        const below = Math.round(cumulative * n);
        // `below` scores fall under the cut; it sits halfway between the last of them and the next.
        let threshold: number;
        if (below <= 0) threshold = sorted[0]!;
        else if (below >= n) threshold = nextUp(sorted[n - 1]!);
        else {
            const lower = sorted[below - 1]!;
            const upper = sorted[below]!;
            // Halfway between two adjacent doubles rounds to one of them; when it rounds down to the
            // lower score, that score would no longer be under the cut, so cut at the upper one.
            const halfway = (lower + upper) / 2;
            threshold = halfway > lower ? halfway : upper;
        }
        thresholds.push(Math.max(threshold, thresholds.at(-1) ?? -Infinity));
    }
    return thresholds;
}

/** The smallest double above x (x finite): a cut no score in the set reaches. */
function nextUp(x: number): number {
    return x + Math.max(Math.abs(x) * Number.EPSILON, Number.MIN_VALUE);
}

export interface RecalibrationOptions {
    /** Only records decided by this classifier (`classifier:<name>`). Defaults to any classifier. */
    classifier?: string;
}

export interface Recalibration {
    thresholds: number[];
    /** Records whose `classifier_score` was used. */
    used: number;
    /** Lines skipped: not JSON, no numeric `classifier_score`, or not decided by the classifier. */
    skipped: number;
}

/**
 * Thresholds from routing records (the router's JSON lines, RoutingLog.ts). A record counts when the
 * classifier decided it (`policy_reason`, or `routing_reason` when absent, is `classifier:<name>`) and
 * it carries a numeric `classifier_score`: requests that rules decided never reach the classifier, so
 * they are not part of the population its thresholds split.
 */
export function recalibrateFromRecords(
    lines: Iterable<string>,
    mix: TierMix,
    options: RecalibrationOptions = {},
): Recalibration {
    const prefix = options.classifier === undefined ? "classifier:" : `classifier:${options.classifier}`;
    const scores: number[] = [];
    let skipped = 0;
    for (const line of lines) {
        if (line.trim() === "") continue;
        let record: unknown;
        try {
            record = JSON.parse(line);
        } catch {
            skipped++;
            continue;
        }
        const score = fieldOf(record, "classifier_score");
        const reason = fieldOf(record, "policy_reason") ?? fieldOf(record, "routing_reason");
        const decided =
            typeof reason === "string" &&
            (options.classifier === undefined ? reason.startsWith(prefix) : reason === prefix);
        if (decided && typeof score === "number" && Number.isFinite(score)) scores.push(score);
        else skipped++;
    }
    if (scores.length === 0) {
        throw new InvalidArgumentError(
            `no routing record was decided by ${options.classifier === undefined ? "a classifier" : `classifier "${options.classifier}"`} with a numeric classifier_score (${skipped} lines skipped); records only carry scores for requests no rule matched`,
        );
    }
    return { thresholds: calibrateThresholds(scores, mix), used: scores.length, skipped };
}

function fieldOf(record: unknown, key: string): unknown {
    return record !== null && typeof record === "object"
        ? (record as Record<string, unknown>)[key]
        : undefined;
}

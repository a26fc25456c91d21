import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../../src/errors/ServiceError.js";
import {
    calibrateThresholds,
    recalibrateFromRecords,
} from "../../../../src/router/learned/calibrateThresholds.js";
import { tierIndexForScore, tierScore } from "../../../../src/router/learned/tierScore.js";

const shares = (scores: readonly number[], thresholds: readonly number[], tiers: number): number[] => {
    const counts = new Array<number>(tiers).fill(0);
    for (const s of scores) counts[tierIndexForScore(s, thresholds)]!++;
    return counts.map((c) => c / scores.length);
};

describe("calibrateThresholds", () => {
    it("cuts distinct scores at the target mix's quantiles", () => {
        const scores = Array.from({ length: 100 }, (_, i) => i / 100);
        const thresholds = calibrateThresholds(scores, [0.5, 0.3, 0.2]);
        expect(thresholds).toEqual([0.495, 0.795]);
        expect(shares(scores, thresholds, 3)).toEqual([0.5, 0.3, 0.2]);
    });

    it("normalizes the mix and handles empty tiers at either end", () => {
        const scores = [0.1, 0.2, 0.3, 0.4];
        expect(shares(scores, calibrateThresholds(scores, [0, 2, 2]), 3)).toEqual([0, 0.5, 0.5]);
        expect(shares(scores, calibrateThresholds(scores, [1, 1, 0]), 3)).toEqual([0.5, 0.5, 0]);
    });

    it("keeps the lower of two adjacent doubles under the cut (halfway rounds down to it)", () => {
        // The property below found this: (0 + 5e-324) / 2 is 0, so a cut there sent both scores up.
        const scores = [0, Number.MIN_VALUE];
        const thresholds = calibrateThresholds(scores, [1, 1]);
        expect(shares(scores, thresholds, 2)).toEqual([0.5, 0.5]);
        const one = [1, 1 + Number.EPSILON];
        expect(shares(one, calibrateThresholds(one, [1, 1]), 2)).toEqual([0.5, 0.5]);
    });

    it("reaches the mix within one item per boundary for any distinct scores (property)", () => {
        fc.assert(
            fc.property(
                fc.uniqueArray(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 300 }),
                fc
                    .array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 5 })
                    .filter((m) => m.some((x) => x > 1e-6)),
                (scores, mix) => {
                    const thresholds = calibrateThresholds(scores, mix);
                    expect(thresholds).toHaveLength(mix.length - 1);
                    thresholds.forEach((t, i) => {
                        expect(t).toBeGreaterThanOrEqual(thresholds[i - 1] ?? -Infinity);
                    });
                    const total = mix.reduce((a, b) => a + b, 0);
                    const got = shares(scores, thresholds, mix.length);
                    let cumGot = 0;
                    let cumWant = 0;
                    for (let k = 0; k < mix.length - 1; k++) {
                        cumGot += got[k]!;
                        cumWant += mix[k]! / total;
                        expect(Math.abs(cumGot - cumWant)).toBeLessThanOrEqual(0.5 / scores.length + 1e-9);
                    }
                },
            ),
        );
    });

    it("rejects bad input with InvalidArgumentError", () => {
        expect(() => calibrateThresholds([], [0.5, 0.5])).toThrow(InvalidArgumentError);
        expect(() => calibrateThresholds([0.1], [1])).toThrow(InvalidArgumentError);
        expect(() => calibrateThresholds([0.1], [-1, 2])).toThrow(InvalidArgumentError);
        expect(() => calibrateThresholds([Number.NaN], [0.5, 0.5])).toThrow(InvalidArgumentError);
    });
});

describe("tierScore", () => {
    it("is the expected tier index scaled to [0, 1]", () => {
        expect(tierScore([1, 0, 0])).toBe(0);
        expect(tierScore([0, 0, 1])).toBe(1);
        expect(tierScore([0.2, 0.4, 0.4])).toBeCloseTo(0.6);
        expect(tierIndexForScore(0.6, [0.3, 0.6])).toBe(2);
        expect(tierIndexForScore(0.59, [0.3, 0.6])).toBe(1);
    });
});

describe("recalibrateFromRecords", () => {
    const record = (score: number | null, reason: string): string =>
        JSON.stringify({
            request_id: "r",
            policy_reason: reason,
            routing_reason: "affinity",
            classifier_score: score,
        });

    it("uses only classifier-decided records with a score, and reports what it skipped", () => {
        const lines = [
            ...Array.from({ length: 10 }, (_, i) => record(i / 10, "classifier:learned")),
            record(null, "rule:security"),
            record(0.99, "rule:security"),
            "not json",
            "",
        ];
        const result = recalibrateFromRecords(lines, [0.5, 0.5]);
        expect(result).toEqual({ thresholds: [0.45], used: 10, skipped: 3 });
        expect(recalibrateFromRecords(lines, [0.5, 0.5], { classifier: "learned" }).used).toBe(10);
        expect(() => recalibrateFromRecords(lines, [0.5, 0.5], { classifier: "other" })).toThrow(
            InvalidArgumentError,
        );
        const withoutPolicyReason = JSON.stringify({
            routing_reason: "classifier:learned",
            classifier_score: 0.7,
        });
        expect(recalibrateFromRecords([withoutPolicyReason], [0.5, 0.5]).used).toBe(1);
    });

    it("throws when no record carries a classifier score", () => {
        expect(() => recalibrateFromRecords([record(null, "default")], [0.5, 0.5])).toThrow(
            /no routing record/,
        );
    });
});

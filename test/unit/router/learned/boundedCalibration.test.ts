import { describe, expect, it } from "vitest";
import { boundedCalibration } from "../../../../models/router/build/boundedCalibration.js";
import { tierIndexForScore } from "../../../../src/router/learned/tierScore.js";

describe("boundedCalibration", () => {
    // 100 requests per tier. Local 0.000–0.396; mid: 10 inside the local range (0.31–0.40), 90 at
    // 0.45–0.58; frontier 0.70–1.00. Only the lower boundary has requests on both sides.
    const scores = [
        ...Array.from({ length: 100 }, (_, i) => i * 0.004),
        ...Array.from({ length: 10 }, (_, i) => 0.31 + i * 0.01),
        ...Array.from({ length: 90 }, (_, i) => 0.45 + i * 0.0015),
        ...Array.from({ length: 100 }, (_, i) => 0.7 + i * 0.003),
    ];
    const labels = [
        ...Array<number>(100).fill(0),
        ...Array<number>(100).fill(1),
        ...Array<number>(100).fill(2),
    ];

    it("keeps under-routing within the bound and moves each boundary only as far as it needs", () => {
        const loose = boundedCalibration(scores, labels, 0.1);
        const tight = boundedCalibration(scores, labels, 0);
        for (const c of [loose, tight]) {
            const decided = scores.map((s) => tierIndexForScore(s, c.thresholds));
            const under = decided.filter((t, i) => t < labels[i]!).length / labels.length;
            expect(under).toBe(c.underRouting);
        }
        expect(loose.underRouting).toBeLessThanOrEqual(0.1);
        expect(tight.underRouting).toBe(0);
        // Without the bound the best lower cut point is above the 10 mid requests (3.3 % under); holding
        // 0 % costs agreement there, and the upper cut point stays in the mid/frontier gap.
        expect(tight.thresholds[0]).toBeLessThanOrEqual(0.31);
        expect(tight.thresholds[1]).toBeGreaterThan(0.58);
        expect(loose.thresholds[0]).toBeGreaterThan(0.39);
        expect(tight.agreement).toBeLessThan(loose.agreement);
    });

    it("refuses labels of other than three tiers and mismatched lengths", () => {
        expect(() => boundedCalibration([0.1, 0.2], [0, 3], 0.03)).toThrow(/three tiers/);
        expect(() => boundedCalibration([0.1], [0, 1], 0.03)).toThrow(/one label per score/);
    });
});

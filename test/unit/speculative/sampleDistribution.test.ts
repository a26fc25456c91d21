import { describe, expect, it } from "vitest";

import { createRandom } from "../../../src/speculative/createRandom.js";
import { probabilityOf, sampleDistribution } from "../../../src/speculative/sampleDistribution.js";

describe("sampleDistribution", () => {
    it("inverts the CDF over the listed tokens", () => {
        const dist = { tokens: [10, 20, 30], probs: [0.25, 0.5, 0.25] };
        expect(sampleDistribution(dist, () => 0)).toBe(10);
        expect(sampleDistribution(dist, () => 0.2499)).toBe(10);
        expect(sampleDistribution(dist, () => 0.25)).toBe(20);
        expect(sampleDistribution(dist, () => 0.9999)).toBe(30);
    });

    it("normalizes by the actual total and skips zero-probability entries", () => {
        const dist = { tokens: Int32Array.from([1, 2, 3]), probs: Float64Array.from([2, 0, 2]) };
        expect(sampleDistribution(dist, () => 0.49)).toBe(1);
        expect(sampleDistribution(dist, () => 0.5)).toBe(3);
        expect(sampleDistribution(dist, () => 0.999999)).toBe(3);
    });

    it("matches the probabilities empirically", () => {
        const dist = { tokens: [0, 1, 2, 3], probs: [0.1, 0.2, 0.3, 0.4] };
        const random = createRandom(7);
        const counts = [0, 0, 0, 0];
        const trials = 100_000;
        for (let i = 0; i < trials; i++) counts[sampleDistribution(dist, random)]!++;
        counts.forEach((count, t) => {
            expect(count / trials).toBeCloseTo(dist.probs[t]!, 2);
        });
    });

    it("throws a RangeError for a distribution without mass", () => {
        expect(() => sampleDistribution({ tokens: [], probs: [] }, Math.random)).toThrow(RangeError);
        expect(() => sampleDistribution({ tokens: [1], probs: [0] }, Math.random)).toThrow(RangeError);
    });
});

describe("probabilityOf", () => {
    it("looks up listed tokens and returns 0 for the rest", () => {
        const dist = { tokens: [4, 8], probs: [0.75, 0.25] };
        expect(probabilityOf(dist, 8)).toBe(0.25);
        expect(probabilityOf(dist, 5)).toBe(0);
    });
});

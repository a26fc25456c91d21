/**
 * AUTO's acceptance posterior: Beta counts per drafter and task signature, decayed per update,
 * falling back to the drafter's pooled counts and then to the prior; Thompson samples from it.
 */
import { describe, expect, it } from "vitest";
import { AcceptanceEstimator, sampleBeta } from "../../../src/speculative/AcceptanceEstimator.js";
import { createRandom } from "../../../src/speculative/createRandom.js";

type Step = readonly [drafted: number, accepted: number];

describe("AcceptanceEstimator.record", () => {
    it.each<{ name: string; decay: number; steps: Step[]; successes: number; failures: number }>([
        { name: "nothing recorded: the prior", decay: 1, steps: [], successes: 1, failures: 1 },
        { name: "all accepted: no failure", decay: 1, steps: [[4, 4]], successes: 5, failures: 1 },
        {
            name: "a rejection ends the step: one failure",
            decay: 1,
            steps: [[4, 2]],
            successes: 3,
            failures: 2,
        },
        { name: "nothing accepted", decay: 1, steps: [[3, 0]], successes: 1, failures: 2 },
        { name: "an empty draft observes nothing", decay: 1, steps: [[0, 0]], successes: 1, failures: 1 },
        {
            name: "steps add up",
            decay: 1,
            steps: [
                [4, 4],
                [4, 1],
                [2, 0],
            ],
            successes: 6,
            failures: 3,
        },
        {
            name: "old evidence decays per update",
            decay: 0.5,
            steps: [
                [2, 2],
                [2, 0],
            ],
            successes: 2, // 2·0.5 + 0, plus the prior's 1
            failures: 2, // 0·0.5 + 1, plus the prior's 1
        },
    ])("$name", ({ decay, steps, successes, failures }) => {
        const estimator = new AcceptanceEstimator({ decay });
        for (const [drafted, accepted] of steps) estimator.record("d", "sig", drafted, accepted);
        expect(estimator.posterior("d", "sig")).toEqual({ successes, failures });
        expect(estimator.mean("d", "sig")).toBeCloseTo(successes / (successes + failures), 12);
        expect(estimator.evidence("d", "sig")).toBeCloseTo(successes + failures - 2, 12);
        expect(estimator.updates).toBe(steps.filter(([drafted]) => drafted > 0).length);
    });
});

describe("AcceptanceEstimator lookup", () => {
    it("falls back from an unseen signature to the drafter's pooled counts, then to the prior", () => {
        const estimator = new AcceptanceEstimator({ decay: 1 });
        estimator.record("d", "python", 4, 4);
        estimator.record("d", "text", 4, 0);
        expect(estimator.posterior("d", "python")).toEqual({ successes: 5, failures: 1 });
        expect(estimator.posterior("d", "text")).toEqual({ successes: 1, failures: 2 });
        expect(estimator.posterior("d", "unseen")).toEqual({ successes: 5, failures: 2 });
        expect(estimator.posterior("other", "python")).toEqual({ successes: 1, failures: 1 });
    });

    it("uses its prior pseudo-counts", () => {
        const estimator = new AcceptanceEstimator({ prior: { successes: 3, failures: 1 } });
        expect(estimator.mean("d", "sig")).toBe(0.75);
        expect(estimator.evidence("d", "sig")).toBe(0);
    });

    it("round-trips through toJSON/load and ignores invalid counts", () => {
        const estimator = new AcceptanceEstimator({ decay: 1 });
        estimator.record("d", "sig", 4, 3);
        const restored = new AcceptanceEstimator({ decay: 1 });
        restored.load({
            ...estimator.toJSON(),
            "bad|sig": { successes: -1, failures: 0 },
            "nan|sig": { successes: Number.NaN, failures: 0 },
        });
        expect(restored.posterior("d", "sig")).toEqual(estimator.posterior("d", "sig"));
        expect(Object.keys(restored.toJSON()).sort()).toEqual(["d|*", "d|sig"]);
    });
});

describe("sampleBeta", () => {
    it.each([
        { a: 2, b: 5 },
        { a: 0.5, b: 0.5 }, // shape < 1 takes the boost path
        { a: 30, b: 3 },
    ])("Beta($a, $b): sample mean and variance match the distribution's", ({ a, b }) => {
        const random = createRandom(42);
        const n = 20_000;
        let sum = 0;
        let sumSq = 0;
        let min = 1;
        let max = 0;
        for (let i = 0; i < n; i++) {
            const x = sampleBeta(a, b, random);
            min = Math.min(min, x);
            max = Math.max(max, x);
            sum += x;
            sumSq += x * x;
        }
        expect(min).toBeGreaterThanOrEqual(0);
        expect(max).toBeLessThanOrEqual(1);
        const mean = a / (a + b);
        const variance = (a * b) / ((a + b) ** 2 * (a + b + 1));
        // Standard error of the mean is sqrt(variance / n) ≤ 0.0036 here; allow 4 of them.
        expect(Math.abs(sum / n - mean)).toBeLessThan(4 * Math.sqrt(variance / n));
        expect(sumSq / n - (sum / n) ** 2).toBeCloseTo(variance, 2);
    });
});

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

describe("AcceptanceEstimator per-position acceptance", () => {
    /** Steps of 8 drafted tokens: [accepted, how many such steps]. */
    type Steps = readonly (readonly [accepted: number, times: number])[];
    const trained = (steps: Steps) => {
        const e = new AcceptanceEstimator({ decay: 1 });
        for (const [accepted, times] of steps)
            for (let i = 0; i < times; i++) e.record("copy", "sig", 8, accepted);
        return e;
    };
    it.each<{ what: string; steps: Steps; p: number[] }>([
        {
            // A copy drafter: all 8 accepted or none. p_1 = 80/100; later positions only see successes.
            what: "all-or-nothing drafts",
            steps: [
                [8, 80],
                [0, 20],
            ],
            p: [(80 + 2 * (641 / 662)) / 102, (80 + 2 * ((80 + 2 * (641 / 662)) / 102)) / 82],
        },
        {
            // Breaks at position 3 half the time: p_1 = p_2 = 1, p_3 = 50/100.
            what: "a break at position 3",
            steps: [
                [2, 50],
                [8, 50],
            ],
            p: ((alpha) => {
                const p1 = (100 + 2 * alpha) / 102;
                const p2 = (100 + 2 * p1) / 102;
                return [p1, p2, (50 + 2 * p2) / 102];
            })(501 / 552),
        },
    ])("$what", ({ steps, p }) => {
        const e = trained(steps);
        // Beta(1, 1) prior on the scalar α; position 1 shrunk toward it with 2 pseudo-observations, each
        // later position toward the estimate of the one before it.
        const means = e.positionMeans("copy", "sig", p.length);
        p.forEach((x, i) => {
            expect(means[i]).toBeCloseTo(x, 9);
        });
    });

    it("reads as the position before it where a position was never observed (the first as α)", () => {
        const e = trained([[1, 10]]);
        const [p1, p2, p3, p4] = e.positionMeans("copy", "sig", 4);
        expect(p1).toBeCloseTo((10 + 2 * e.mean("copy", "sig")) / 12, 12);
        expect(p2).toBeCloseTo((2 * p1!) / 12, 12);
        expect(p3).toBeCloseTo(p2!, 12);
        expect(p4).toBeCloseTo(p2!, 12);
        expect(new AcceptanceEstimator().positionMeans("none", "sig", 2)).toEqual([0.5, 0.5]);
    });

    it("a copy drafter's long positions, seldom reached at k = 2, read as its short ones, not as its α", () => {
        // Fixed k = 2 most of the time (positions 1–2 well measured, 1 often rejected: α is low), a few
        // k = 8 steps that kept everything long ago: position 3's counts have decayed to almost nothing.
        const e = new AcceptanceEstimator();
        for (let i = 0; i < 20; i++) e.record("ngram", "sig", 8, 8);
        for (let i = 0; i < 600; i++) e.record("ngram", "sig", 2, i % 2 === 0 ? 2 : 0);
        expect(e.mean("ngram", "sig")).toBeLessThan(0.75);
        const p = e.positionMeans("ngram", "sig", 4);
        expect(p[1]).toBeGreaterThan(0.95);
        expect(p[2]).toBeGreaterThan(0.95);
        expect(p[3]).toBeGreaterThan(0.95);
    });

    it("falls back to the drafter's pooled positions for an unseen signature, and round-trips", () => {
        const e = trained([
            [8, 30],
            [0, 10],
        ]);
        expect(e.positionMeans("copy", "other", 3)).toEqual(e.positionMeans("copy", "sig", 3));
        const restored = new AcceptanceEstimator({ decay: 1 });
        restored.load(e.toJSON());
        restored.loadPositions(e.positionsJSON());
        expect(restored.positionMeans("copy", "sig", 8)).toEqual(e.positionMeans("copy", "sig", 8));
        restored.loadPositions({ bad: { successes: [1, 2], failures: [-1, 0] } });
        expect(restored.positionsJSON()).not.toHaveProperty("bad");
    });

    it("Thompson samples of p_i are in [0, 1] and centre on the means with evidence", () => {
        const e = trained([
            [8, 400],
            [0, 100],
        ]);
        const random = createRandom(3);
        let sum0 = 0;
        let sum1 = 0;
        for (let i = 0; i < 2000; i++) {
            const p = e.samplePositions("copy", "sig", 2, random);
            for (const x of p) expect(x).toBeGreaterThanOrEqual(0);
            for (const x of p) expect(x).toBeLessThanOrEqual(1);
            sum0 += p[0]!;
            sum1 += p[1]!;
        }
        const means = e.positionMeans("copy", "sig", 2);
        expect(sum0 / 2000).toBeCloseTo(means[0]!, 2);
        expect(sum1 / 2000).toBeCloseTo(means[1]!, 2);
    });

    it("a signature's rarely reached positions borrow the drafter's other signatures' evidence", () => {
        // Signature "b": 300 steps that keep 2 drafted tokens and lose the third. Signature "a": 3 steps
        // of 2 drafted, 2 kept, so its third position was never observed.
        const e = new AcceptanceEstimator({ decay: 1 });
        for (let i = 0; i < 300; i++) e.record("draft", "b", 8, 2);
        for (let i = 0; i < 3; i++) e.record("draft", "a", 2, 2);
        const alpha = e.mean("draft", "a"); // 7 / 8: "a" alone says "all accepted"
        // p_3: 2 pseudo-observations at p_2 plus "b"'s 300 failures scaled to 8 (otherSignaturesWeight).
        const p2 = e.positionMeans("draft", "a", 3)[1]!;
        expect(e.positionMeans("draft", "a", 3)[2]).toBeCloseTo((2 * p2) / (2 + 8), 9);
        // Positions "a" saw itself keep its own counts, plus "b"'s (all successes) scaled to 8.
        expect(e.positionMeans("draft", "a", 3)[0]).toBeCloseTo((3 + 8 + 2 * alpha) / (3 + 8 + 2), 9);
        // Thompson samples of p_3 near 1 (which made AUTO try long drafts on a sparse signature) are rare.
        const random = createRandom(5);
        let high = 0;
        for (let i = 0; i < 2000; i++) if (e.samplePositions("draft", "a", 3, random)[2]! > 0.9) high++;
        expect(high / 2000).toBeLessThan(0.02);
    });

    it("a signature's own evidence outweighs the other signatures' as it accumulates", () => {
        const e = new AcceptanceEstimator({ decay: 1 });
        for (let i = 0; i < 300; i++) e.record("draft", "b", 8, 2);
        for (let i = 0; i < 200; i++) e.record("draft", "a", 4, 4);
        expect(e.positionMeans("draft", "a", 3)[2]).toBeGreaterThan(0.95);
    });
});

describe("AcceptanceEstimator run estimate (p_1 after a kept draft)", () => {
    it("is p_1 after a rejection until steps after a kept draft are seen", () => {
        const e = new AcceptanceEstimator();
        for (let i = 0; i < 20; i++) e.record("ngram", "s", 2, i % 2 === 0 ? 0 : 2);
        const run = e.runMeans("ngram", "s", 2);
        expect(run.continuingWeight).toBe(0);
        expect(run.continuingFirst).toBeCloseTo(run.positions[0]!, 12);
    });

    it("counts the first position of a step after a kept draft apart, the later positions together", () => {
        const e = new AcceptanceEstimator({ decay: 1 });
        for (let i = 0; i < 10; i++) e.record("ngram", "s", 2, 0); // fresh: p_1 fails
        for (let i = 0; i < 10; i++) e.record("ngram", "s", 2, 2, true); // after a kept draft: all kept
        const run = e.runMeans("ngram", "s", 2);
        expect(run.continuingWeight).toBe(10);
        expect(run.positions[0]).toBeLessThan(0.2);
        expect(run.continuingFirst).toBeGreaterThan(0.8);
        // Position 2 saw the ten kept drafts only (a fresh step's first rejection ends it).
        expect(run.positions[1]).toBeGreaterThan(0.8);
        // The pooled estimate carries it to a signature without counts of its own.
        expect(e.runMeans("ngram", "other", 2).continuingFirst).toBeGreaterThan(0.8);
    });
});

/**
 * AUTO's cost model: the target pass time as a measured curve per pass length (from a prior until
 * measured), and per drafter an EMA of ms per drafted token, ms per call and coverage.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
    CostModel,
    minOverheadSamples,
    pointForgetting,
    type CostModelState,
} from "../../../src/speculative/CostModel.js";

describe("CostModel.verifyMs", () => {
    /** Q8_0 276 M target on an EPYC (ms at n = 1, 2, 3, 5, 9), a step curve no line fits. */
    const q8 = [
        [1, 14.3],
        [2, 39.3],
        [3, 39.2],
        [5, 61.8],
        [9, 82.4],
    ] as const;
    const measured = (points: readonly (readonly [number, number])[]) => {
        const costs = new CostModel(10);
        for (const [n, ms] of points) costs.recordVerify(n, ms);
        return costs;
    };

    it.each([
        { prior: 10, n: 1, ms: 10 },
        { prior: 10, n: 9, ms: 20 },
        { prior: 10, n: 5, ms: 15 },
        { prior: 4, n: 1, ms: 4 },
        { prior: 4, n: 9, ms: 8 },
    ])("prior $prior ms: a pass over $n tokens is $ms ms until measured", ({ prior, n, ms }) => {
        expect(new CostModel(prior).verifyMs(n)).toBeCloseTo(ms, 9);
    });

    it.each([
        { what: "a measured point", points: q8, n: 2, ms: 39.3 },
        { what: "a measured point after a cheaper longer one (running max)", points: q8, n: 3, ms: 39.3 },
        { what: "between measured points, linear", points: q8, n: 4, ms: 39.2 + (61.8 - 39.2) / 2 },
        { what: "between 5 and 9", points: q8, n: 7, ms: 61.8 + (82.4 - 61.8) / 2 },
        { what: "past the largest, the mean slope", points: q8, n: 17, ms: 82.4 + 8 * ((82.4 - 14.3) / 8) },
        { what: "one point only: the prior's shape scaled to it", points: [[1, 4]] as const, n: 9, ms: 8 },
        { what: "below the smallest: the prior's shape", points: [[5, 15]] as const, n: 1, ms: 10 },
        {
            what: "a jump the line through 1 and 9 misses",
            points: [
                [1, 10],
                [2, 30],
                [9, 34],
            ] as const,
            n: 2,
            ms: 30,
        },
    ])("$what: verify($n) = $ms ms", ({ points, n, ms }) => {
        expect(measured(points).verifyMs(n)).toBeCloseTo(ms, 9);
    });

    it("is non-decreasing in n whatever was measured", () => {
        const costs = measured([
            [1, 20],
            [3, 5],
            [6, 30],
            [7, 12],
        ]);
        let last = 0;
        for (let n = 1; n <= 20; n++) {
            expect(costs.verifyMs(n)).toBeGreaterThanOrEqual(last);
            last = costs.verifyMs(n);
        }
        expect(costs.verifyMs(3)).toBe(20);
        expect(new CostModel(0).verifyMs(1)).toBe(0.01);
        // A mean draft length + 1 reads the curve at its whole part, asked before or after the whole one.
        expect(costs.verifyMs(6.5)).toBe(costs.verifyMs(6));
        expect(measured([[1, 20]]).verifyMs(2.5)).toBe(measured([[1, 20]]).verifyMs(2));
        expect(costs.verifyMs(-1)).toBe(0.01);
    });

    it("answers the same whatever it was asked before and between measurements (its cache extends)", () => {
        const record = fc.tuple(
            fc.integer({ min: 1, max: 40 }),
            fc.double({ min: 0, max: 100, noNaN: true }),
        );
        const op = fc.oneof(record, fc.integer({ min: 0, max: 60 }));
        fc.assert(
            fc.property(fc.array(op, { maxLength: 40 }), fc.integer({ min: 0, max: 60 }), (ops, n) => {
                const asked = new CostModel(10);
                const records: [number, number][] = [];
                for (const o of ops) {
                    if (typeof o === "number") asked.verifyMs(o);
                    else {
                        asked.recordVerify(o[0], o[1]);
                        records.push(o);
                    }
                }
                const fresh = new CostModel(10);
                for (const [tokens, ms] of records) fresh.recordVerify(tokens, ms);
                expect(asked.verifyMs(n)).toBe(fresh.verifyMs(n));
            }),
        );
    });

    it("refines a point online, forgetting old observations geometrically", () => {
        const costs = measured([[3, 10]]);
        costs.recordVerify(3, 20);
        // (10·0.95 + 20) / (0.95 + 1)
        expect(costs.verifyMs(3)).toBeCloseTo((10 * pointForgetting + 20) / (pointForgetting + 1), 9);
        for (let i = 0; i < 300; i++) costs.recordVerify(3, 20);
        expect(costs.verifyMs(3)).toBeCloseTo(20, 3);
    });

    it("a shared batch recorded by each of its B requests at weight 1/B counts and ages as one pass", () => {
        const shared = measured([[24, 10]]);
        for (let r = 0; r < 8; r++) shared.recordVerify(24, 20, 1 / 8);
        const single = measured([[24, 10]]);
        single.recordVerify(24, 20);
        const [a] = shared.curve();
        const [b] = single.curve();
        // Within the batch the first shares age by the later ones' (1/B each): 2 % less weight here.
        expect(a!.weight / b!.weight).toBeGreaterThan(0.98);
        expect(a!.weight / b!.weight).toBeLessThan(1);
        expect(a!.ms / b!.ms).toBeCloseTo(1, 2);
        // A new point from a batch weighs one observation, whatever the batch's size.
        const fresh = new CostModel();
        for (let r = 0; r < 4; r++) fresh.recordVerify(12, 8 + r, 1 / 4);
        expect(fresh.curve()).toEqual([
            { tokens: 12, ms: expect.closeTo(9.5, 1) as number, weight: expect.closeTo(0.98, 2) as number },
        ]);
    });

    it("ignores passes of no tokens and non-finite or negative times", () => {
        const costs = measured([[1, 5]]);
        costs.recordVerify(0, 1);
        costs.recordVerify(1, Number.NaN);
        costs.recordVerify(1, -3);
        costs.recordVerify(2.5, 3);
        costs.recordVerify(1, 3, 0);
        costs.recordVerify(1, 3, 1.5);
        costs.recordVerify(1, 3, Number.NaN);
        expect(costs.verifyMs(1)).toBe(5);
        expect(costs.updates).toBe(1);
        expect(costs.curve()).toEqual([{ tokens: 1, ms: 5, weight: 1 }]);
    });
});

describe("CostModel.recordDraft", () => {
    type Call = readonly [tokens: number, ms: number, perCall: boolean];
    it.each<{ name: string; calls: Call[]; msPerToken: number; msPerCall: number; coverage: number }>([
        {
            name: "first model call: every evaluation alike",
            calls: [[4, 8, false]],
            msPerToken: 2,
            msPerCall: 2,
            coverage: 1,
        },
        {
            name: "first lookup call: all per call",
            calls: [[3, 0.2, true]],
            msPerToken: 0,
            msPerCall: 0.2,
            coverage: 1,
        },
        {
            name: "an empty model call (one evaluation, then the confidence stop) teaches the per-call part",
            calls: [
                [4, 8, false],
                [0, 1, false],
            ],
            msPerToken: 2,
            msPerCall: 1.9,
            coverage: 0.9,
        },
        {
            name: "a one-token model call costs what an empty one does: one evaluation",
            calls: [
                [4, 8, false],
                [1, 3, false],
            ],
            msPerToken: 2,
            msPerCall: 2.1,
            coverage: 1,
        },
        {
            name: "the per-call part (the first evaluation) is subtracted from later per-token estimates",
            calls: [
                [4, 8, false],
                [0, 1, false],
                [4, 12.1, false], // (12.1 − 1.9) / 3 = 3.4 ms per further token, EMA 0.1 from 2
            ],
            msPerToken: 2.14,
            msPerCall: 1.9,
            coverage: 0.91,
        },
        {
            name: "a lookup that finds nothing still costs its call",
            calls: [
                [3, 0.2, true],
                [0, 0.4, true],
            ],
            msPerToken: 0,
            msPerCall: 0.22,
            coverage: 0.9,
        },
    ])("$name", ({ calls, msPerToken, msPerCall, coverage }) => {
        const costs = new CostModel();
        for (const [tokens, ms, perCall] of calls) costs.recordDraft("d", tokens, ms, perCall);
        const d = costs.drafter("d")!;
        expect(d.msPerToken).toBeCloseTo(msPerToken, 9);
        expect(d.msPerCall).toBeCloseTo(msPerCall, 9);
        expect(d.coverage).toBeCloseTo(coverage, 9);
        expect(costs.updates).toBe(calls.length);
    });

    it("round-trips through toJSON/load and ignores non-finite state", () => {
        const costs = new CostModel();
        costs.recordVerify(3, 7);
        costs.recordDraft("d", 2, 3, false);
        const restored = new CostModel(99);
        restored.load(costs.toJSON());
        expect(restored.verifyMs(4)).toBeCloseTo(costs.verifyMs(4), 9);
        expect(restored.drafter("d")).toEqual(costs.drafter("d"));
        restored.load({
            verify: [
                { tokens: 2, weight: 1, msSum: Number.NaN },
                { tokens: 0, weight: 1, msSum: 1 },
            ],
            drafters: { x: { msPerToken: Number.POSITIVE_INFINITY, msPerCall: 0, coverage: 1 } },
        });
        expect(restored.verifyMs(4)).toBeCloseTo(costs.verifyMs(4), 9);
        expect(restored.drafter("x")).toBeUndefined();
    });
});

describe("CostModel step overheads", () => {
    it("is 0 until both the drafter's and plain steps are measured enough, then their difference (never < 0)", () => {
        const c = new CostModel();
        expect(c.stepOverheadMs("draft")).toBe(0);
        for (let i = 0; i < minOverheadSamples; i++) c.recordOverhead("draft", 0.5);
        expect(c.stepOverheadMs("draft")).toBe(0);
        for (let i = 0; i < minOverheadSamples - 1; i++) c.recordOverhead("", 0.2);
        expect(c.stepOverheadMs("draft")).toBe(0);
        c.recordOverhead("", 0.2);
        expect(c.stepOverheadMs("draft")).toBeCloseTo(0.3, 12);
        for (let i = 0; i < minOverheadSamples; i++) c.recordOverhead("ngram", 0.1);
        expect(c.stepOverheadMs("ngram")).toBe(0);
    });

    it("a drafter's cold first step neither counts alone nor outweighs the warm ones after it", () => {
        const c = new CostModel();
        for (let i = 0; i < 50; i++) c.recordOverhead("", 0.06);
        c.recordOverhead("ngram", 0.6); // the first n-gram step: code the engine had not run yet
        expect(c.stepOverheadMs("ngram")).toBe(0);
        for (let i = 1; i < 10; i++) c.recordOverhead("ngram", 0.1);
        // The mean of the ten: 0.15 − 0.06. An EMA started at the first sample read 0.27 − 0.06 here.
        expect(c.stepOverheadMs("ngram")).toBeCloseTo(0.09, 9);
    });

    it("follows new measurements (EMA), ignores non-finite ones, clamps negative ones, round-trips", () => {
        const c = new CostModel();
        for (let i = 0; i < minOverheadSamples; i++) c.recordOverhead("", 0);
        c.recordOverhead("draft", 1);
        for (let i = 0; i < 100; i++) c.recordOverhead("draft", 2);
        expect(c.stepOverheadMs("draft")).toBeCloseTo(2, 3);
        c.recordOverhead("draft", Number.NaN);
        c.recordOverhead("", -5); // a step's parts measured apart can overshoot its wall time: read as 0
        expect(c.stepOverheadMs("draft")).toBeCloseTo(2, 3);
        const restored = new CostModel();
        restored.load(JSON.parse(JSON.stringify(c.toJSON())) as CostModelState);
        expect(restored.stepOverheadMs("draft")).toBe(c.stepOverheadMs("draft"));
        // Loaded overheads are an EMA from the start: one new sample moves them by emaWeight.
        restored.recordOverhead("draft", 3);
        expect(restored.stepOverheadMs("draft")).toBeCloseTo(c.stepOverheadMs("draft") + 0.1, 3);
        // A state saved before overheads were measured loads without them.
        const { overheads: _, ...old } = c.toJSON();
        const fromOld = new CostModel();
        fromOld.load(old);
        expect(fromOld.stepOverheadMs("draft")).toBe(0);
    });
});

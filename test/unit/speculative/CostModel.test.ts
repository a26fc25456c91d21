/**
 * AUTO's cost model: the target pass time as a line fitted with forgetting (from a prior until
 * measured), and per drafter an EMA of ms per drafted token, ms per call and coverage.
 */
import { describe, expect, it } from "vitest";
import { CostModel } from "../../../src/speculative/CostModel.js";

describe("CostModel.verifyMs", () => {
    it.each([
        { prior: 10, n: 1, ms: 10 },
        { prior: 10, n: 9, ms: 20 },
        { prior: 10, n: 5, ms: 15 },
        { prior: 4, n: 1, ms: 4 },
        { prior: 4, n: 9, ms: 8 },
    ])("prior $prior ms: a pass over $n tokens is $ms ms until measured", ({ prior, n, ms }) => {
        expect(new CostModel(prior).verifyMs(n)).toBeCloseTo(ms, 9);
    });

    it("converges to the measured line as the prior is forgotten", () => {
        const costs = new CostModel();
        for (let i = 0; i < 1000; i++) {
            costs.recordVerify(1, 2.5); // 2 + 0.5·n
            costs.recordVerify(5, 4.5);
        }
        expect(costs.verifyMs(1)).toBeCloseTo(2.5, 3);
        expect(costs.verifyMs(3)).toBeCloseTo(3.5, 3);
        expect(costs.verifyMs(9)).toBeCloseTo(6.5, 3);
    });

    it("never fits a negative slope (longer passes never predicted cheaper) and stays above a floor", () => {
        const costs = new CostModel();
        for (let i = 0; i < 1000; i++) {
            costs.recordVerify(1, 20);
            costs.recordVerify(9, 5);
        }
        expect(costs.verifyMs(9)).toBeCloseTo(costs.verifyMs(1), 9);
        const tiny = new CostModel(0);
        expect(tiny.verifyMs(1)).toBe(0.01);
    });
});

describe("CostModel.recordDraft", () => {
    type Call = readonly [tokens: number, ms: number, perCall: boolean];
    it.each<{ name: string; calls: Call[]; msPerToken: number; msPerCall: number; coverage: number }>([
        {
            name: "first model call: all per token",
            calls: [[4, 8, false]],
            msPerToken: 2,
            msPerCall: 0,
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
            name: "an empty model call teaches the per-call part and lowers coverage",
            calls: [
                [4, 8, false],
                [0, 1, false],
            ],
            msPerToken: 2,
            msPerCall: 0.1,
            coverage: 0.9,
        },
        {
            name: "the per-call part is subtracted from later per-token estimates",
            calls: [
                [4, 8, false],
                [0, 1, false],
                [4, 12.1, false], // (12.1 − 0.1) / 4 = 3 ms per token, EMA 0.1 from 2
            ],
            msPerToken: 2.1,
            msPerCall: 0.1,
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
        const bad = costs.toJSON();
        restored.load({
            verify: { ...bad.verify, s0: Number.NaN },
            drafters: { x: { msPerToken: Number.POSITIVE_INFINITY, msPerCall: 0, coverage: 1 } },
        });
        expect(restored.verifyMs(4)).toBeCloseTo(costs.verifyMs(4), 9);
        expect(restored.drafter("x")).toBeUndefined();
    });
});

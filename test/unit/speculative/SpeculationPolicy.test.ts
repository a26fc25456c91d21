/**
 * AUTO's engine-wide choice, table by table: the step costs it assumes until measured, the expected
 * tokens/s of a drafter at an α (coverage included), the drafter chosen among candidates, and the
 * confidence threshold learned from accepted/rejected drafted tokens.
 */
import { describe, expect, it } from "vitest";
import { createRandom } from "../../../src/speculative/createRandom.js";
import { SpeculationPolicy, type DrafterCandidate } from "../../../src/speculative/SpeculationPolicy.js";

// A fresh policy's cost prior: a pass over n tokens costs 8.75 + 1.25·n ms (10 ms for one token).
const lookup: DrafterCandidate = { id: "ngram", costPerCall: true };
const model: DrafterCandidate = { id: "draft", costPerCall: false };

function policy(): SpeculationPolicy {
    return new SpeculationPolicy(createRandom(1));
}

describe("SpeculationPolicy.stepCosts", () => {
    it.each([
        {
            name: "unmeasured model drafter: a fifth of a target pass per token",
            drafter: model,
            perToken: 2,
            perCall: 0,
        },
        { name: "unmeasured lookup drafter: free", drafter: lookup, perToken: 0, perCall: 0 },
    ])("$name", ({ drafter, perToken, perCall }) => {
        const costs = policy().stepCosts(drafter);
        expect(costs.draftMsPerToken).toBeCloseTo(perToken, 9);
        expect(costs.draftMsPerCall).toBe(perCall);
        expect(costs.verifyMs(1)).toBeCloseTo(10, 9);
    });

    it("uses the measured drafter costs once there are some", () => {
        const p = policy();
        p.costs.recordDraft("draft", 4, 2, false);
        expect(p.stepCosts(model).draftMsPerToken).toBeCloseTo(0.5, 9);
    });
});

describe("SpeculationPolicy.evaluate", () => {
    it.each([
        { drafter: lookup, alpha: 0, k: 0, tps: 100 },
        { drafter: lookup, alpha: 0.5, k: 2, tps: 140 },
        { drafter: lookup, alpha: 0.9, k: 8, tps: 306.29 },
        { drafter: lookup, alpha: 1, k: 8, tps: 450 },
        { drafter: model, alpha: 0.3, k: 0, tps: 100 },
        { drafter: model, alpha: 0.8, k: 3, tps: 149.468 },
        { drafter: model, alpha: 1, k: 8, tps: 250 },
    ])("$drafter.id at α=$alpha → k=$k, $tps tok/s", ({ drafter, alpha, k, tps }) => {
        const result = policy().evaluate(drafter, alpha, 8);
        expect(result.k).toBe(k);
        expect(result.tokensPerSecond).toBeCloseTo(tps, 2);
    });

    it.each([
        // Half the calls find nothing: those steps are plain passes. k stays the covered steps' best.
        { coverage: 0.5, callMs: 0, alpha: 0.9, k: 8 },
        // A call that costs 2 ms and rarely proposes: the covered steps' best k = 2 would pay, the
        // mixture (87.8 tok/s) does not, so do not draft.
        { coverage: 0.1, callMs: 2, alpha: 0.5, k: 0 },
    ])(
        "a lookup with coverage $coverage and $callMs ms per call at α=$alpha → k=$k",
        ({ coverage, callMs, alpha, k }) => {
            const p = policy();
            // Coverage is an EMA (weight 0.1) of "proposed anything": drive it to the wanted value.
            p.costs.recordDraft("ngram", 1, callMs, true);
            while (p.costs.drafter("ngram")!.coverage > coverage + 1e-9)
                p.costs.recordDraft("ngram", 0, callMs, true);
            const c = p.costs.drafter("ngram")!.coverage;
            const result = p.evaluate(lookup, alpha, 8);
            expect(result.k).toBe(k);
            if (k === 0) expect(result.tokensPerSecond).toBe(100);
            else {
                // tokens = c·E + (1 − c), ms = callMs + c·T_verify(k + 1) + (1 − c)·T_verify(1)
                const tokens = (c * (1 - alpha ** (k + 1))) / (1 - alpha) + (1 - c);
                const ms = callMs + c * (8.75 + 1.25 * (k + 1)) + (1 - c) * 10;
                expect(result.tokensPerSecond).toBeCloseTo((tokens * 1000) / ms, 6);
            }
        },
    );
});

describe("SpeculationPolicy.choose (no exploration: posterior means)", () => {
    it.each<{
        name: string;
        evidence: Record<string, readonly [drafted: number, accepted: number]>;
        chosen: string | undefined;
    }>([
        { name: "nothing known: α = 0.5, the free lookup wins", evidence: {}, chosen: "ngram" },
        {
            name: "a well-accepted model beats a poorly accepted lookup",
            evidence: { draft: [8, 8], ngram: [8, 0] },
            chosen: "draft",
        },
        {
            name: "no drafter pays: plain decoding",
            evidence: { draft: [8, 0], ngram: [8, 0] },
            chosen: undefined,
        },
    ])("$name", ({ evidence, chosen }) => {
        const p = policy();
        for (const [id, [drafted, accepted]] of Object.entries(evidence))
            for (let i = 0; i < 20; i++) p.acceptance.record(id, "sig", drafted, accepted);
        const choice = p.choose([model, lookup], "sig", 8, false);
        expect(choice.drafter).toBe(chosen);
        if (chosen === undefined) expect(choice).toMatchObject({ k: 0, predictedSpeedup: 1 });
        else expect(choice.predictedSpeedup).toBeGreaterThan(1);
        expect(choice.reason).toContain("none 100.0");
    });

    it("explores: with little evidence a Thompson sample sometimes picks the drafter the means rank second", () => {
        const p = policy();
        p.acceptance.record("draft", "sig", 2, 1);
        const picks = new Set(Array.from({ length: 50 }, () => p.choose([model, lookup], "sig", 8).drafter));
        expect(picks.size).toBeGreaterThan(1);
    });
});

describe("SpeculationPolicy.confidenceThreshold", () => {
    it.each<{
        name: string;
        records: [confidences: number[], accepted: number, times: number][];
        threshold: number;
    }>([
        { name: "nothing measured: the fallback", records: [], threshold: 0.2 },
        {
            name: "too little evidence in a bucket does not raise it",
            records: [[[0.45], 0, 7]],
            threshold: 0,
        },
        {
            name: "a bucket below break-even raises it to its upper edge",
            records: [[[0.45], 0, 8]],
            threshold: 0.5,
        },
        { name: "well-accepted buckets keep it at 0", records: [[[0.95, 0.55], 2, 20]], threshold: 0 },
        {
            name: "the highest losing bucket decides",
            records: [
                [[0.15], 0, 10],
                [[0.35], 0, 10],
                [[0.75], 1, 10],
            ],
            threshold: 0.4,
        },
    ])("$name", ({ records, threshold }) => {
        const p = policy();
        for (const [confidences, accepted, times] of records)
            for (let i = 0; i < times; i++) p.recordConfidence("draft", confidences, accepted);
        expect(p.confidenceThreshold(model, 0.2)).toBeCloseTo(threshold, 9);
    });
});

describe("SpeculationPolicy.choose on the measured curve with per-position acceptance", () => {
    /** Q8_0 276 M target on an EPYC, ms at n = 1 … 9: a step curve. */
    const q8 = [14.3, 39.3, 39.3, 50.6, 61.8, 67, 72, 77, 82.4];
    const measured = () => {
        const p = new SpeculationPolicy(createRandom(5));
        for (const [i, ms] of q8.entries()) p.costs.recordVerify(i + 1, ms);
        return p;
    };

    it("drafts k = 8 with a copy drafter whose drafts match fully or break at once", () => {
        const p = measured();
        // 80 % of steps accept all 8 drafted tokens, 20 % none: overall acceptance rate 0.8.
        for (let i = 0; i < 100; i++) p.acceptance.record("ngram", "sig", 8, i % 5 === 0 ? 0 : 8);
        const choice = p.choose([lookup], "sig", 8, false);
        expect(choice).toMatchObject({ drafter: "ngram", k: 8 });
        expect(choice.predictedSpeedup).toBeGreaterThan(1.2);
        // Per pass: 0.8 · 9 + 0.2 · 1 = 7.4 tokens in 82.4 ms. The i.i.d. formula at the estimator's
        // α (0.97 with decay: one failure per failed step) would predict 7.94 tokens, 7 % too many.
        expect((choice.expectedTokensPerSecond * 82.4) / 1000).toBeCloseTo(7.4, 1);
        const iid = p.evaluate(lookup, p.acceptance.mean("ngram", "sig"), 8).tokensPerSecond;
        expect((iid * 82.4) / 1000).toBeGreaterThan(7.8);
    });

    it("does not draft when early breaks make every k slower than a plain pass on this curve", () => {
        const p = measured();
        // Same overall rate of accepted tokens per drafted token, spread i.i.d.: breaks anywhere.
        for (let i = 0; i < 200; i++) p.acceptance.record("ngram", "sig", 8, [0, 1, 2, 3, 8][i % 5]!);
        expect(p.choose([lookup], "sig", 8, false)).toMatchObject({ drafter: undefined, k: 0 });
    });
});

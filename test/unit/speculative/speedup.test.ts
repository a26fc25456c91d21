/**
 * The draft-length math AUTO is built on, table by table: Leviathan's expected tokens per pass and
 * speedup, and the draft length with the highest expected tokens/s under measured costs.
 */
import { describe, expect, it } from "vitest";
import {
    bestDraftLength,
    expectedSpeedup,
    expectedTokensPerPass,
    expectedTokensPerSecond,
    type StepCosts,
} from "../../../src/speculative/speedup.js";

/** A CPU-like target: 10 ms for one token, +1.25 ms per extra token (9 tokens cost 2× one). */
const cpuVerify = (n: number): number => 8.75 + 1.25 * n;
const lookup: StepCosts = { draftMsPerToken: 0, draftMsPerCall: 0, verifyMs: cpuVerify };
const model: StepCosts = { draftMsPerToken: 2, draftMsPerCall: 0, verifyMs: cpuVerify };

describe("expectedTokensPerPass (Leviathan Eq. 1)", () => {
    it.each([
        { alpha: 0.8, k: 4, tokens: 3.3616 },
        { alpha: 0.5, k: 1, tokens: 1.5 },
        { alpha: 0, k: 8, tokens: 1 },
        { alpha: 1, k: 8, tokens: 9 },
        { alpha: 0.9, k: 0, tokens: 1 },
    ])("α=$alpha, k=$k → $tokens", ({ alpha, k, tokens }) => {
        expect(expectedTokensPerPass(alpha, k)).toBeCloseTo(tokens, 4);
    });
});

describe("expectedSpeedup (Leviathan Thm 3.8)", () => {
    it.each([
        { alpha: 0.8, k: 8, c: 0.05, speedup: 3.092 },
        { alpha: 0.8, k: 4, c: 0, speedup: 3.3616 },
        { alpha: 0, k: 4, c: 0.25, speedup: 0.5 },
    ])("α=$alpha, k=$k, c=$c → $speedup", ({ alpha, k, c, speedup }) => {
        expect(expectedSpeedup(alpha, k, c)).toBeCloseTo(speedup, 3);
    });
});

describe("expectedTokensPerSecond", () => {
    it.each([
        { k: 0, costs: lookup, alpha: 0.9, tps: 100 }, // one 10 ms pass, one token
        { k: 8, costs: lookup, alpha: 1, tps: 450 }, // 9 tokens in 20 ms
        { k: 2, costs: model, alpha: 0.5, tps: (1.75 * 1000) / (4 + 12.5) },
        { k: 2, costs: { ...lookup, draftMsPerCall: 1.5 }, alpha: 0.5, tps: (1.75 * 1000) / 14 },
    ])("k=$k α=$alpha → $tps tok/s", ({ k, costs, alpha, tps }) => {
        expect(expectedTokensPerSecond(alpha, k, costs)).toBeCloseTo(tps, 6);
    });
});

describe("bestDraftLength", () => {
    it.each([
        // A free drafter drafts longer than a model drafter at the same α; neither drafts at α = 0.
        { alpha: 0, costs: lookup, k: 0, tps: 100 },
        { alpha: 0.3, costs: lookup, k: 1, tps: 115.556 },
        { alpha: 0.5, costs: lookup, k: 2, tps: 140 },
        { alpha: 0.8, costs: lookup, k: 5, tps: 227.033 },
        { alpha: 0.9, costs: lookup, k: 8, tps: 306.29 },
        { alpha: 1, costs: lookup, k: 8, tps: 450 },
        { alpha: 0.3, costs: model, k: 0, tps: 100 },
        { alpha: 0.5, costs: model, k: 1, tps: 113.208 },
        { alpha: 0.8, costs: model, k: 3, tps: 149.468 },
        { alpha: 0.9, costs: model, k: 5, tps: 178.499 },
        { alpha: 1, costs: model, k: 8, tps: 250 },
    ])("α=$alpha → k=$k ($tps tok/s)", ({ alpha, costs, k, tps }) => {
        const best = bestDraftLength(alpha, 8, costs);
        expect(best.k).toBe(k);
        expect(best.tokensPerSecond).toBeCloseTo(tps, 2);
    });

    it("never exceeds maxK", () => {
        expect(bestDraftLength(1, 3, lookup).k).toBe(3);
        expect(bestDraftLength(1, 0, lookup)).toEqual({ k: 0, tokensPerSecond: 100 });
    });

    it("with a verify pass as cheap for k+1 tokens as for one (the paper's GPU case) drafts to maxK when c is small", () => {
        const costs = { draftMsPerToken: 0.5, draftMsPerCall: 0, verifyMs: () => 10 };
        expect(bestDraftLength(0.8, 16, costs).k).toBe(8); // c = 0.05, α = 0.8 → k ≈ 8
        expect(bestDraftLength(0.05, 16, costs).k).toBe(0);
    });
});

describe("per-position acceptance (p_i = P(i accepted | i − 1 accepted))", () => {
    it.each([
        { p: [1, 1, 1], k: 3, tokens: 4 },
        { p: [0.5], k: 2, tokens: 1.75 }, // positions past the vector keep its last p
        { p: [0.6, 1, 1, 1], k: 4, tokens: 3.4 }, // copy drafter: keeps matching or breaks at once
        { p: [0.8, 0.8, 0.8, 0.8], k: 4, tokens: 3.3616 }, // equal p: Leviathan's Eq. 1
        { p: [0, 1], k: 2, tokens: 1 },
        { p: [0.9], k: 0, tokens: 1 },
    ])("E($p, k=$k) = $tokens", ({ p, k, tokens }) => {
        expect(expectedTokensPerPass(p, k)).toBeCloseTo(tokens, 4);
    });

    /** Q8_0 276 M target on an EPYC: a step curve, 14.3 ms for one token, 82.4 ms for nine. */
    const q8 = [0, 14.3, 39.3, 39.3, 50.6, 61.8, 67, 72, 77, 82.4];
    const stepCurve: StepCosts = { draftMsPerToken: 0, draftMsPerCall: 0, verifyMs: (n) => q8[n]! };
    it.each([
        // A copy drafter accepting 80 % of first positions and then nearly everything pays at k = 8
        // (6.98 tokens per 82.4 ms pass: 1.21× plain)...
        { what: "copy profile", acceptance: [0.8, 0.98], k: 8 },
        // ...while the i.i.d. model at the same acceptance rate over 8 drafted tokens (0.748) says that
        // no k pays: the i.i.d. formula would leave that speedup unused.
        { what: "i.i.d., same acceptance rate", acceptance: 0.748, k: 0 },
        // ...and drafting at all only pays when the first positions are reliable.
        { what: "reliable first positions", acceptance: [0.95, 0.95], k: 8 },
        { what: "unreliable first position", acceptance: [0.3, 1], k: 0 },
    ])("on a measured step curve, $what → k = $k", ({ acceptance, k }) => {
        expect(bestDraftLength(acceptance, 8, stepCurve).k).toBe(k);
    });
});

describe("run acceptance (p_1 split by the step's start)", () => {
    const p = [0.4, 0.9, 0.8, 0.7];

    it("is E(p, k) when p_1 after a kept draft equals p_1 after a rejection", () => {
        for (let k = 0; k <= 6; k++)
            expect(expectedTokensPerPass({ positions: p, continuingFirst: 0.4 }, k)).toBeCloseTo(
                expectedTokensPerPass(p, k),
                12,
            );
    });

    it("mixes the two starts by the chain's stationary share of steps after a kept draft", () => {
        // k = 2: P_f = 0.4 · 0.9 = 0.36, P_c = 0.95 · 0.9 = 0.855; π_c = 0.36 / (1 − 0.855 + 0.36).
        const share = 0.36 / (1 - 0.855 + 0.36);
        const fresh = 1 + 0.4 + 0.36;
        const continuing = 1 + 0.95 + 0.855;
        expect(expectedTokensPerPass({ positions: p, continuingFirst: 0.95 }, 2)).toBeCloseTo(
            (1 - share) * fresh + share * continuing,
            12,
        );
    });

    it("favours a short k when runs continue across steps (the k = 2 regime a per-step p_1 misses)", () => {
        // p_1 is low at a run's start, high when the previous step kept its draft: at k = 2 most steps
        // continue a run, at k = 8 most start one.
        const run = { positions: [0.4, 0.9, 0.9, 0.9, 0.5, 0.5, 0.5, 0.5], continuingFirst: 0.95 };
        const perToken = (k: number) => expectedTokensPerPass(run, k) / (k + 1);
        expect(perToken(2)).toBeGreaterThan(perToken(8));
        for (let k = 1; k <= 8; k++) {
            expect(expectedTokensPerPass(run, k)).toBeGreaterThanOrEqual(
                expectedTokensPerPass(run.positions, k),
            );
            expect(expectedTokensPerPass(run, k)).toBeLessThanOrEqual(k + 1);
        }
    });

    it("stays at a run's start when a step never keeps its whole draft there", () => {
        const run = { positions: [0, 1, 1], continuingFirst: 1 };
        expect(expectedTokensPerPass(run, 3)).toBe(1);
    });
});

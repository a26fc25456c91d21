/**
 * The draft length of a sequence that shares its target pass with other sequences (batchDraftLength.ts):
 * batch 1 unchanged, k shrinking as the batch fills, and a chosen draft never slower than none for the
 * true batch.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { batchDraftLength, batchTokensPerSecond } from "../../../src/speculative/batchDraftLength.js";
import { bestDraftLength, expectedTokensPerPass, type StepCosts } from "../../../src/speculative/speedup.js";

/** A CPU-like target: 10 ms for one token, +1.25 ms per extra token (9 tokens cost 2× one). */
const cpuVerify = (n: number): number => 8.75 + 1.25 * n;
const lookup: StepCosts = { draftMsPerToken: 0, draftMsPerCall: 0, verifyMs: cpuVerify };
const model: StepCosts = { draftMsPerToken: 2, draftMsPerCall: 0, verifyMs: cpuVerify };

const acceptance = fc.oneof(
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
);
/** A non-decreasing curve from random increments (a step curve, like a CPU's). */
const curveCosts = fc
    .record({
        increments: fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 80, maxLength: 80 }),
        first: fc.double({ min: 0.1, max: 20, noNaN: true }),
        draftMsPerToken: fc.double({ min: 0, max: 5, noNaN: true }),
        draftMsPerCall: fc.double({ min: 0, max: 5, noNaN: true }),
    })
    .map(({ increments, first, draftMsPerToken, draftMsPerCall }): StepCosts => {
        const curve = [0, first];
        for (const inc of increments) curve.push(curve.at(-1)! + inc);
        return { draftMsPerToken, draftMsPerCall, verifyMs: (n) => curve[Math.min(n, curve.length - 1)]! };
    });
const maxK = fc.integer({ min: 0, max: 8 });
const otherTokens = fc.integer({ min: 0, max: 64 });

describe("batchDraftLength", () => {
    it("with no other tokens in the pass chooses what bestDraftLength chooses (batch 1 unchanged)", () => {
        fc.assert(
            fc.property(acceptance, maxK, curveCosts, (p, max, costs) => {
                expect(batchDraftLength(p, max, costs, 0)).toEqual(bestDraftLength(p, max, costs));
            }),
        );
    });

    it("drafts only when the batch's rate beats no draft, and never past maxK", () => {
        fc.assert(
            fc.property(acceptance, maxK, curveCosts, otherTokens, (p, max, costs, others) => {
                const { k, tokensPerSecond } = batchDraftLength(p, max, costs, others);
                expect(k).toBeGreaterThanOrEqual(0);
                expect(k).toBeLessThanOrEqual(max);
                expect(tokensPerSecond).toBe(batchTokensPerSecond(p, k, costs, others));
                if (k > 0) expect(tokensPerSecond).toBeGreaterThan(batchTokensPerSecond(p, 0, costs, others));
            }),
        );
    });

    it("a draft it chooses is faster than none for the true batch, whatever the others really commit", () => {
        // The others' true yield E_o is anywhere from one token per sequence to all their tokens.
        fc.assert(
            fc.property(
                acceptance,
                maxK,
                curveCosts,
                otherTokens,
                fc.double({ min: 0, max: 1, noNaN: true }),
                (p, max, costs, others, share) => {
                    const { k } = batchDraftLength(p, max, costs, others);
                    if (k === 0) return;
                    const yieldOthers = share * others;
                    const drafted =
                        (yieldOthers + expectedTokensPerPass(p, k)) /
                        (k * costs.draftMsPerToken + costs.draftMsPerCall + costs.verifyMs(others + k + 1));
                    const plain = (yieldOthers + 1) / costs.verifyMs(others + 1);
                    expect(drafted).toBeGreaterThan(plain * (1 - 1e-12));
                },
            ),
        );
    });

    it("on a linear curve, k never grows as the batch fills, and is 0 when a pass has no fixed cost", () => {
        const linear = fc.record({
            a: fc.double({ min: 0, max: 20, noNaN: true }),
            b: fc.double({ min: 0.01, max: 5, noNaN: true }),
            draftMsPerToken: fc.double({ min: 0, max: 5, noNaN: true }),
            draftMsPerCall: fc.double({ min: 0, max: 5, noNaN: true }),
        });
        // Below 1 at every position: each drafted token adds strictly less than one expected token.
        const imperfect = fc.array(fc.double({ min: 0, max: 0.99, noNaN: true }), {
            minLength: 1,
            maxLength: 8,
        });
        fc.assert(
            fc.property(imperfect, maxK, linear, (p, max, { a, b, draftMsPerToken, draftMsPerCall }) => {
                const costs: StepCosts = { draftMsPerToken, draftMsPerCall, verifyMs: (n) => a + b * n };
                let previous = Infinity;
                for (let others = 0; others <= 64; others++) {
                    const { k } = batchDraftLength(p, max, costs, others);
                    expect(k).toBeLessThanOrEqual(previous);
                    previous = k;
                }
                const proportional: StepCosts = { ...costs, verifyMs: (n) => b * n };
                expect(batchDraftLength(p, max, proportional, 0).k).toBe(0);
                expect(batchDraftLength(p, max, proportional, 7).k).toBe(0);
            }),
        );
    });

    it.each([
        // 10 ms for one token, +1.25 ms per extra token: the fixed cost of a pass is shared by the batch.
        { what: "free drafter, α = 0.8", costs: lookup, p: 0.8, k: [5, 4, 3, 2, 1, 0] },
        { what: "free drafter, α = 0.9", costs: lookup, p: 0.9, k: [8, 8, 6, 5, 3, 1] },
        { what: "free copy drafter", costs: lookup, p: [0.8, 0.98], k: [8, 8, 8, 8, 6, 0] },
        { what: "model drafter (2 ms a token), α = 0.9", costs: model, p: 0.9, k: [5, 3, 0, 0, 0, 0] },
        { what: "model drafter, α = 0.99", costs: model, p: 0.99, k: [8, 8, 4, 0, 0, 0] },
    ])("$what: k at 0, 1, 3, 7, 15, 31 other tokens = $k", ({ costs, p, k }) => {
        expect([0, 1, 3, 7, 15, 31].map((others) => batchDraftLength(p, 8, costs, others).k)).toEqual(k);
    });

    it("where mixed lengths split the pass, drafts only where it would with one pass, and alone as before", () => {
        // Subadditive curves (a + b·n with a, b ≥ 0): the drafts' own pass costs at least what they add.
        const linear = fc.record({
            a: fc.double({ min: 0, max: 20, noNaN: true }),
            b: fc.double({ min: 0, max: 5, noNaN: true }),
            draftMsPerToken: fc.double({ min: 0, max: 5, noNaN: true }),
            draftMsPerCall: fc.double({ min: 0, max: 5, noNaN: true }),
        });
        fc.assert(
            fc.property(acceptance, maxK, linear, otherTokens, (p, max, { a, b, ...draft }, others) => {
                const onePass: StepCosts = { ...draft, verifyMs: (n) => a + b * n };
                const split: StepCosts = { ...onePass, splitsMixedLengths: true };
                const chosen = batchDraftLength(p, max, split, others);
                const one = batchDraftLength(p, max, onePass, others);
                // A purely additive curve (a = 0) with free, always-accepted drafts is an exact tie between
                // drafting and not, which float rounding may break either way (found: α = 1 − 2e-9, b = 0.014).
                if (chosen.k > 0 && one.k === 0)
                    expect(chosen.tokensPerSecond).toBeLessThanOrEqual(one.tokensPerSecond * (1 + 1e-9));
                expect(batchDraftLength(p, max, split, 0)).toEqual(batchDraftLength(p, max, onePass, 0));
            }),
        );
    });

    it("where mixed lengths split the pass, a GPU-like curve stops drafting beside others", () => {
        // H200, 8.6 B stand-in (bench/results/gpu-2026-11-28-s8.md): ~6 ms a pass, +0.7 ms a token
        // while small; draft model 1 ms a token + 1.8 ms a call, ~90 % acceptance.
        const gpu: StepCosts = {
            draftMsPerToken: 1,
            draftMsPerCall: 1.8,
            verifyMs: (n) => 5.5 + 0.7 * Math.min(n, 8) + 0.25 * Math.max(0, n - 8),
        };
        const ks = (costs: StepCosts): number[] =>
            [0, 1, 7, 31].map((o) => batchDraftLength(0.9, 4, costs, o).k);
        // One pass for all (unified KV): beside one other token k = 4 still pays; split: only alone.
        expect(ks(gpu)).toEqual([4, 4, 0, 0]);
        expect(ks({ ...gpu, splitsMixedLengths: true })).toEqual([4, 0, 0, 0]);
    });
});

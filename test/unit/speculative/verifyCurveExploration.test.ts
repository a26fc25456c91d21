/**
 * The verify curve's own exploration: a pass length nobody verifies any more goes stale, AUTO then
 * verifies one free proposal of that length for real, and the stale point follows the new measurement
 * at half weight. Without it a wrong long-pass point (a slow seed, a load since gone) kept AUTO on plain
 * decoding for good: plain steps only ever measure one-token passes.
 */
import { describe, expect, it } from "vitest";
import { CostModel, sampleEveryPasses, staleAfterPasses } from "../../../src/speculative/CostModel.js";
import { createRandom } from "../../../src/speculative/createRandom.js";
import { SpeculationController } from "../../../src/speculative/SpeculationController.js";
import { SpeculationPolicy } from "../../../src/speculative/SpeculationPolicy.js";
import type { DraftProposal, DraftProposer, SpecStep } from "../../../src/speculative/types.js";

describe("CostModel staleness", () => {
    it("names the shortest stale length within reach, at most once per sampleEveryPasses passes", () => {
        const c = new CostModel();
        for (let n = 1; n <= 9; n++) c.recordVerify(n, 10 + n);
        expect(c.sampleLength(9)).toBeUndefined();
        for (let i = 0; i < staleAfterPasses - 8; i++) c.recordVerify(5, 15);
        expect(c.sampleLength(9)).toBeUndefined();
        c.recordVerify(5, 15);
        // Length 2's last pass was the earliest: it goes stale first.
        expect(c.sampleLength(9)).toBe(2);
        // Asked once: nothing again before sampleEveryPasses passes.
        expect(c.sampleLength(9)).toBeUndefined();
        for (let i = 0; i < sampleEveryPasses - 1; i++) c.recordVerify(2, 12);
        expect(c.sampleLength(9)).toBeUndefined();
        c.recordVerify(2, 12);
        expect(c.sampleLength(9)).toBe(3);
        for (let i = 0; i < sampleEveryPasses; i++) c.recordVerify(3, 13);
        // Only lengths the proposal reaches; one-token passes (plain decoding's) never.
        expect(c.sampleLength(3)).toBeUndefined();
        expect(c.sampleLength(1)).toBeUndefined();
        expect(c.sampleLength(5)).toBe(4);
    });

    it("a stale point's next observation counts as much as all its old ones; a fresh one's as one in ~20", () => {
        const fresh = new CostModel();
        const stale = new CostModel();
        for (const c of [fresh, stale]) for (let i = 0; i < 60; i++) c.recordVerify(9, 90);
        for (let i = 0; i < staleAfterPasses; i++) stale.recordVerify(1, 10);
        fresh.recordVerify(9, 14);
        stale.recordVerify(9, 14);
        expect(fresh.verifyMs(9)).toBeGreaterThan(85);
        // (0.95 · 90 + 14) / 1.95
        expect(stale.verifyMs(9)).toBeCloseTo((0.95 * 90 + 14) / 1.95, 6);
        // Observed again at once, it is fresh: the usual forgetting, its weight growing again.
        const before = stale.verifyMs(9);
        stale.recordVerify(9, 14);
        expect(stale.verifyMs(9)).toBeCloseTo((before * 1.95 * 0.95 + 14) / (1.95 * 0.95 + 1), 6);
    });
});

/** A free drafter that always proposes what the target will commit (token 1, k times). */
const copier: DraftProposer = {
    id: "ngram",
    begin() {},
    propose: (_history, k): DraftProposal => ({ tokens: Array<number>(k).fill(1) }),
    release() {},
};

/** The machine: a pass over n tokens costs 10 + 0.5 (n − 1) ms; drafting is free. */
const trueVerifyMs = (n: number): number => 10 + 0.5 * (n - 1);

function step(drafter: string | undefined, drafted: number, generated: number): SpecStep {
    return {
        drafter,
        drafted,
        accepted: drafted,
        confidences: undefined,
        committed: Array<number>(drafted + 1).fill(1),
        draftMs: 0,
        verifyMs: trueVerifyMs(drafted + 1),
        passTokens: drafted + 1,
        passRequests: 1,
        generated,
    };
}

/** A free drafter that always proposes something the target never commits. */
const wrong: DraftProposer = {
    id: "ngram",
    begin() {},
    propose: (_history, k): DraftProposal => ({ tokens: Array<number>(k).fill(2) }),
    release() {},
};

/** Requests of 48 tokens through one policy until `passes` target passes; what AUTO did. */
function serve(policy: SpeculationPolicy, passes: number, proposer = copier) {
    let done = 0;
    let explorations = 0;
    let drafted = 0;
    let requests = 0;
    let firstDraftingRequest: number | undefined;
    while (done < passes) {
        const controller = new SpeculationController(policy, {
            drafters: [{ candidate: { id: "ngram", costPerCall: true }, proposer }],
            signature: "sim",
            maxK: 8,
            adaptive: true,
            minConfidence: 0,
        });
        requests++;
        const history = [1, 1, 1];
        controller.begin(history);
        for (let generated = 0; generated < 48;) {
            const next = controller.next(history, Math.min(8, 48 - generated));
            const k = next?.k ?? 0;
            const s = step(next?.drafter.candidate.id, k, (generated += k + 1));
            history.push(...s.committed);
            controller.record(s);
            done++;
        }
        explorations += controller.summary.explorations;
        const real = controller.summary.draftLengths.reduce((n, steps, k) => (k > 0 ? n + steps : n), 0);
        drafted += real - controller.summary.explorations;
        if (real > controller.summary.explorations) firstDraftingRequest ??= requests;
    }
    return { explorations, drafted, firstDraftingRequest };
}

describe("AUTO explores a stale verify curve", () => {
    /**
     * A curve seeded wrong: every pass costs 11 ms per token less 1 ms, so no draft can pay on it even
     * when every drafted token is kept (at 10 ms per token a fully kept draft would tie plain decoding).
     */
    function wronglySeeded(): SpeculationPolicy {
        const policy = new SpeculationPolicy(createRandom(41));
        for (let i = 0; i < 60; i++) for (let n = 1; n <= 9; n++) policy.costs.recordVerify(n, 11 * n - 1);
        // Engine-wide, the copier is right: it is the curve alone that keeps AUTO plain.
        for (let i = 0; i < 40; i++) policy.acceptance.record("ngram", "sim", 8, 8);
        return policy;
    }

    it("leaves plain decoding once a sampled long pass shows drafting pays, at a bounded exploration cost", () => {
        const policy = wronglySeeded();
        const early = serve(policy, staleAfterPasses - 100);
        expect(early.drafted).toBe(0);
        expect(early.explorations).toBe(0);
        const later = serve(policy, 8 * staleAfterPasses);
        expect(later.explorations).toBeGreaterThan(0);
        expect(later.explorations).toBeLessThanOrEqual(Math.ceil((8 * staleAfterPasses) / sampleEveryPasses));
        expect(later.drafted).toBeGreaterThan(1000);
        // Drafting and sampling brought the long passes toward what they cost (seeded 98 ms, costs 14).
        expect(policy.costs.verifyMs(9)).toBeLessThan(trueVerifyMs(9) + 5);
    });

    it("samples only proposals that continue a run: a drafter that is never right costs no sample", () => {
        const served = serve(wronglySeeded(), 3 * staleAfterPasses, wrong);
        expect(served.explorations).toBe(0);
        expect(served.drafted).toBe(0);
    });

    it("never explores while the curve is measured (drafting keeps its lengths fresh)", () => {
        const policy = new SpeculationPolicy(createRandom(43));
        for (let i = 0; i < 60; i++)
            for (let n = 1; n <= 9; n++) policy.costs.recordVerify(n, trueVerifyMs(n));
        for (let i = 0; i < 40; i++) policy.acceptance.record("ngram", "sim", 8, 8);
        const served = serve(policy, 3 * staleAfterPasses);
        expect(served.firstDraftingRequest).toBe(1);
        expect(served.explorations).toBe(0);
    });
});

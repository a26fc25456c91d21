/**
 * The tail past k: a free drafter drafting k < maxK tokens is also asked for maxK, and when its k tokens
 * are kept the rest of that proposal is scored against what the target commits next. Without it a step
 * observes only the positions it drafted, so a drafter held at a small k by a low prior for its longer
 * positions never learns that this request's text would keep them.
 */
import { describe, expect, it } from "vitest";
import { createRandom } from "../../../src/speculative/createRandom.js";
import { SpeculationController } from "../../../src/speculative/SpeculationController.js";
import { SpeculationPolicy } from "../../../src/speculative/SpeculationPolicy.js";
import type { DraftProposal, DraftProposer, SpecStep } from "../../../src/speculative/types.js";

/** The text the target commits: 100, 101, 102, … */
const text = Array.from({ length: 400 }, (_, i) => 100 + i);

/** A free drafter that continues `text` where the history ends (a retried request's suffix lookup). */
const copier: DraftProposer = {
    id: "suffix",
    begin() {},
    propose: (history, k): DraftProposal => ({ tokens: text.slice(history.length, history.length + k) }),
    release() {},
};

/** Measured costs: a pass over n tokens 10 + 0.5 (n − 1) ms, so long drafts pay when they are kept. */
function policyWithShortPrior(seed: number): SpeculationPolicy {
    const policy = new SpeculationPolicy(createRandom(seed));
    for (let i = 0; i < 60; i++)
        for (let n = 1; n <= 9; n++) policy.costs.recordVerify(n, 10 + 0.5 * (n - 1));
    // Engine-wide, this drafter's first position is kept and its second never: k = 1 is its best.
    for (let i = 0; i < 60; i++) policy.acceptance.record("suffix", "sim", 2, 1);
    return policy;
}

function run(policy: SpeculationPolicy, steps: number): number[] {
    const controller = new SpeculationController(policy, {
        drafters: [{ candidate: { id: "suffix", costPerCall: true }, proposer: copier }],
        signature: "sim",
        maxK: 8,
        adaptive: true,
        minConfidence: 0,
    });
    const history = text.slice(0, 20);
    controller.begin(history);
    const ks: number[] = [];
    for (let s = 0; s < steps; s++) {
        const next = controller.next(history, 8);
        const k = next?.k ?? 0;
        ks.push(k);
        const committed = text.slice(history.length, history.length + k + 1);
        const step: SpecStep = {
            drafter: next?.drafter.candidate.id,
            drafted: k,
            accepted: k,
            confidences: undefined,
            committed,
            draftMs: 0,
            verifyMs: 10 + 0.5 * k,
            passTokens: k + 1,
            passRequests: 1,
            generated: history.length,
        };
        history.push(...committed);
        controller.record(step);
    }
    return ks;
}

describe("AUTO scores a kept draft's tail past k", () => {
    it("lengthens the drafts of a drafter whose longer positions this request keeps", () => {
        const ks = run(policyWithShortPrior(51), 24);
        // Starts short on the engine-wide estimate (no replay: the prompt is shorter than its window)...
        expect(ks[0]).toBeLessThanOrEqual(2);
        // ...and drafts long once its tails have been kept a few times.
        expect(Math.max(...ks.slice(-8))).toBeGreaterThanOrEqual(6);
    });
});

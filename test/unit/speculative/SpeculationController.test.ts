/**
 * AUTO's bandit in simulation: drafters with known true acceptance rates and measured costs, steps
 * whose acceptances are drawn i.i.d. — the controller must converge to the best option (including
 * "no speculation" when no drafter pays), switch away mid-request when acceptance collapses, and
 * learn about free drafters counterfactually.
 */
import { describe, expect, it } from "vitest";
import { createRandom } from "../../../src/speculative/createRandom.js";
import { SpeculationController } from "../../../src/speculative/SpeculationController.js";
import type { ControllerDrafter } from "../../../src/speculative/controllerTypes.js";
import { SpeculationPolicy } from "../../../src/speculative/SpeculationPolicy.js";
import type { DraftProposal, DraftProposer, SpecStep } from "../../../src/speculative/types.js";

class FixedProposer implements DraftProposer {
    constructor(
        readonly id: string,
        private readonly next: (history: readonly number[], k: number) => number[] = (_h, k) =>
            Array<number>(k).fill(1),
    ) {}
    begin(): void {}
    propose(history: readonly number[], maxTokens: number): DraftProposal {
        return { tokens: this.next(history, maxTokens) };
    }
    release(): void {}
}

function drafter(
    id: string,
    costPerCall = false,
    next?: (h: readonly number[], k: number) => number[],
): ControllerDrafter {
    return { candidate: { id, costPerCall }, proposer: new FixedProposer(id, next) };
}

/** A policy that has measured: target pass 10 ms (+1.25 ms per extra token), model draft 1 ms per token. */
function measuredPolicy(seed: number, splitsMixedLengths = true): SpeculationPolicy {
    const policy = new SpeculationPolicy(createRandom(seed), splitsMixedLengths);
    for (let i = 0; i < 50; i++) {
        policy.costs.recordVerify(1, 10);
        policy.costs.recordVerify(9, 20);
        for (const id of ["good", "bad", "useless"]) policy.costs.recordDraft(id, 4, 4, false);
    }
    return policy;
}

/** A step whose times agree with measuredPolicy's costs (1 ms per drafted token, 10 + 1.25·(n − 1) ms per pass). */
function measuredStep(
    drafter: string | undefined,
    drafted: number,
    accepted: number,
    committed: number[],
    generated: number,
): SpecStep {
    return {
        drafter,
        drafted,
        accepted,
        confidences: undefined,
        committed,
        draftMs: drafted,
        verifyMs: 10 + 1.25 * drafted,
        passTokens: drafted + 1,
        passRequests: 1,
        generated,
    };
}

/** Runs one request of `steps` steps; returns the drafter chosen at the start. */
function simulate(
    policy: SpeculationPolicy,
    drafters: ControllerDrafter[],
    alphas: Record<string, number>,
    random: () => number,
    steps = 16,
): { chosen: string; controller: SpeculationController } {
    const controller = new SpeculationController(policy, {
        drafters,
        signature: "sim",
        maxK: 8,
        adaptive: true,
        minConfidence: 0,
    });
    const history = [1, 2, 3];
    for (let s = 0; s < steps; s++) {
        const step = controller.next(history, 8);
        if (!step) {
            controller.record(measuredStep(undefined, 0, 0, [7], s));
            continue;
        }
        const alpha = alphas[step.drafter.candidate.id]!;
        let accepted = 0;
        while (accepted < step.k && random() < alpha) accepted++;
        controller.record(
            measuredStep(step.drafter.candidate.id, step.k, accepted, Array<number>(accepted + 1).fill(1), s),
        );
    }
    return { chosen: controller.summary.chosen, controller };
}

describe("AUTO drafter selection", () => {
    it("converges to the clearly better drafter within a bounded number of requests", () => {
        const policy = measuredPolicy(1);
        const random = createRandom(2);
        const drafters = [drafter("good"), drafter("bad")];
        const chosen = Array.from(
            { length: 40 },
            () => simulate(policy, drafters, { good: 0.85, bad: 0.3 }, random).chosen,
        );
        expect(chosen.slice(-10).filter((c) => c === "good").length).toBeGreaterThanOrEqual(9);
        expect(policy.acceptance.mean("good", "sim")).toBeGreaterThan(0.75);
    });

    it("converges to no speculation when the only drafter does not pay", () => {
        const policy = measuredPolicy(3);
        const random = createRandom(4);
        const drafters = [drafter("useless")];
        const chosen = Array.from(
            { length: 40 },
            () => simulate(policy, drafters, { useless: 0.05 }, random).chosen,
        );
        expect(chosen.slice(-10).filter((c) => c === "none").length).toBeGreaterThanOrEqual(8);
    });

    it("switches away mid-request when the running acceptance collapses", () => {
        const policy = measuredPolicy(5);
        // Engine-wide evidence says "good" is excellent...
        for (let i = 0; i < 30; i++) policy.acceptance.record("good", "sim", 8, 8);
        // ...but in this request it never gets a token accepted.
        const { controller } = simulate(policy, [drafter("good")], { good: 0 }, createRandom(6), 12);
        expect(controller.summary.chosen).toBe("good");
        expect(controller.summary.switches).toHaveLength(1);
        expect(controller.summary.switches[0]).toMatchObject({ from: "good", to: "none" });
        expect(controller.current).toBeUndefined();
    });

    it("scores a free lookup drafter counterfactually while another drafter is in use", () => {
        const policy = measuredPolicy(7);
        for (let i = 0; i < 30; i++) policy.acceptance.record("good", "sim", 8, 8);
        // The lookup drafter would always have proposed exactly what the target committed.
        const lookup = drafter("ngram", true, (_h, k) => Array<number>(k).fill(1));
        const before = policy.acceptance.evidence("ngram", "sim");
        simulate(policy, [drafter("good"), lookup], { good: 0.9, ngram: 1 }, createRandom(8), 10);
        expect(policy.acceptance.evidence("ngram", "sim")).toBeGreaterThan(before);
        expect(policy.acceptance.mean("ngram", "sim")).toBeGreaterThan(0.8);
    });

    it("scores every free lookup drafter counterfactually, not only the first", () => {
        const policy = measuredPolicy(11);
        for (let i = 0; i < 30; i++) policy.acceptance.record("good", "sim", 8, 8);
        const ngram = drafter("ngram", true, (_h, k) => Array<number>(k).fill(2)); // always wrong
        const suffix = drafter("suffix", true, (_h, k) => Array<number>(k).fill(1)); // always right
        simulate(policy, [drafter("good"), ngram, suffix], { good: 0.9 }, createRandom(12), 10);
        expect(policy.acceptance.evidence("ngram", "sim")).toBeGreaterThan(0);
        expect(policy.acceptance.evidence("suffix", "sim")).toBeGreaterThan(0);
        expect(policy.acceptance.mean("ngram", "sim")).toBeLessThan(0.2);
        expect(policy.acceptance.mean("suffix", "sim")).toBeGreaterThan(0.8);
    });

    it("fixed modes keep their drafter and k", () => {
        const policy = measuredPolicy(9);
        const controller = new SpeculationController(policy, {
            drafters: [drafter("bad")],
            signature: "sim",
            maxK: 5,
            adaptive: false,
            minConfidence: 0.3,
        });
        for (let s = 0; s < 6; s++) {
            const step = controller.next([1], 5)!;
            expect(step.k).toBe(5);
            expect(step.minConfidence).toBe(0.3);
            controller.record(measuredStep(step.drafter.candidate.id, 5, 0, [1], s));
        }
        expect(controller.summary.switches).toEqual([]);
        expect(controller.summary.draftLengths[5]).toBe(6);
    });
});

describe("AUTO with this request's own evidence", () => {
    /** What an earlier request of the session held: a prompt of 160 tokens and its 64-token answer. */
    const earlier = Array.from({ length: 224 }, (_, i) => 100 + i);
    const prompt = earlier.slice(0, 160);
    /** Reproduces `earlier` where the history is a prefix of it (a suffix pool that holds it). */
    const copy = (h: readonly number[], k: number): number[] =>
        h.every((t, i) => earlier[i] === t) ? earlier.slice(h.length, h.length + k) : [];
    /** A lookup drafter that never has a match. */
    const silent = (): number[] => [];

    /**
     * A policy that has served this signature before: the model drafter keeps ~80 % of its drafts; the
     * suffix drafter had a match for one step in five, and half of those drafts were kept whole.
     */
    function servedPolicy(seed: number): SpeculationPolicy {
        const policy = measuredPolicy(seed);
        for (let i = 0; i < 40; i++) {
            policy.acceptance.record("good", "sim", 8, i % 3 === 0 ? 3 : 8);
            if (i % 10 === 0) policy.acceptance.record("suffix", "sim", 4, 4);
            if (i % 10 === 5) policy.acceptance.record("suffix", "sim", 1, 0);
            policy.costs.recordDraft("suffix", i % 5 === 0 ? 4 : 0, 0, true);
        }
        return policy;
    }

    function start(
        policy: SpeculationPolicy,
        suffix: (h: readonly number[], k: number) => number[],
        p = prompt,
    ) {
        const controller = new SpeculationController(policy, {
            drafters: [drafter("good"), drafter("suffix", true, suffix)],
            signature: "sim",
            maxK: 8,
            adaptive: true,
            minConfidence: 0,
        });
        controller.begin(p);
        return controller;
    }

    it("starts a retried request on the lookup drafter that reproduces its prompt, whatever the engine-wide prior", () => {
        const retried = Array.from({ length: 20 }, (_, seed) => start(servedPolicy(seed), copy).summary);
        expect(retried.filter((s) => s.chosen === "suffix").length).toBeGreaterThanOrEqual(19);
        expect(retried[0]!.reason).toContain("with the prompt replayed");
        // The same policies, a drafter without a match in this prompt: the engine-wide choice stands.
        const fresh = Array.from({ length: 20 }, (_, seed) => start(servedPolicy(seed), silent).summary);
        expect(fresh.filter((s) => s.chosen === "good").length).toBeGreaterThanOrEqual(19);
    });

    it("a prompt shorter than the replay window is chosen for on the engine-wide estimates alone", () => {
        const short = prompt.slice(0, 40);
        const chosen = Array.from(
            { length: 20 },
            (_, seed) => start(servedPolicy(seed), copy, short).summary,
        );
        expect(chosen.filter((s) => s.chosen === "good").length).toBeGreaterThanOrEqual(19);
        expect(chosen[0]!.reason).not.toContain("replayed");
    });

    it("switches to a lookup drafter on its counterfactual matches in this request, not only engine-wide", () => {
        // Engine-wide the suffix drafter is poor with plenty of evidence; in this request it reproduces
        // every token the target commits (an answer re-emitted), while the model drafter keeps ~40 %.
        const policy = servedPolicy(21);
        for (let i = 0; i < 300; i++) policy.acceptance.record("suffix", "sim", 2, 1);
        const controller = start(policy, copy, prompt.slice(0, 40));
        expect(controller.summary.chosen).toBe("good");
        const history = earlier.slice(0, 40);
        const random = createRandom(22);
        for (let s = 0; s < 10 && controller.current?.candidate.id === "good"; s++) {
            const step = controller.next(history, 8)!;
            let accepted = 0;
            while (accepted < step.k && random() < 0.4) accepted++;
            const committed = earlier.slice(history.length, history.length + accepted + 1);
            history.push(...committed);
            controller.record(measuredStep("good", step.k, accepted, committed, history.length - 40));
        }
        expect(controller.summary.switches[0]).toMatchObject({ from: "good", to: "suffix" });
        // Engine-wide, one request's matches hardly moved the suffix drafter's estimate.
        expect(policy.acceptance.mean("suffix", "sim")).toBeLessThan(0.6);
    });
});

describe("AUTO from plain decoding", () => {
    it("a lookup drafter with nothing to propose makes a plain step, still its own (coverage)", () => {
        const policy = measuredPolicy(41);
        for (let i = 0; i < 40; i++) policy.acceptance.record("suffix", "sim", 8, 8);
        const controller = new SpeculationController(policy, {
            drafters: [drafter("suffix", true, () => [])],
            signature: "sim",
            maxK: 8,
            adaptive: true,
            minConfidence: 0,
        });
        const history = Array.from({ length: 20 }, (_, i) => i);
        controller.begin(history);
        expect(controller.summary.chosen).toBe("suffix");
        for (let s = 0; s < 6; s++) {
            const step = controller.next(history, 8)!;
            expect(step).toMatchObject({ k: 0, proposal: { tokens: [] } });
            expect(step.drafter.candidate.id).toBe("suffix");
            history.push(1000 + s);
            controller.record(measuredStep("suffix", 0, 0, [1000 + s], s + 1));
        }
        expect(controller.summary.draftLengths).toEqual([6]);
    });

    it("switches to a lookup drafter once its proposals, scored over the plain steps, keep matching", () => {
        // An answer that re-emits earlier code: the suffix drafter's proposals match what the target
        // commits, one token per plain step; the request's evidence takes each matched position as its
        // step commits it.
        const earlier = Array.from({ length: 200 }, (_, i) => 100 + i);
        const policy = measuredPolicy(31);
        for (let i = 0; i < 40; i++) policy.acceptance.record("bad", "sim", 4, 0);
        for (let i = 0; i < 4; i++) policy.acceptance.record("suffix", "sim", 1, 0);
        const suffix = drafter("suffix", true, (h, k) =>
            h.every((t, i) => earlier[i] === t) ? earlier.slice(h.length, h.length + k) : [],
        );
        const controller = new SpeculationController(policy, {
            drafters: [drafter("bad"), suffix],
            signature: "sim",
            maxK: 8,
            adaptive: true,
            minConfidence: 0,
        });
        const history = earlier.slice(0, 20);
        controller.begin(history);
        expect(controller.summary.chosen).toBe("none");
        let s = 0;
        for (; s < 40 && !controller.current; s++) {
            expect(controller.next(history, 8)).toBeUndefined();
            const committed = [earlier[history.length]!];
            history.push(...committed);
            controller.record(measuredStep(undefined, 0, 0, committed, s + 1));
        }
        expect(controller.summary.switches[0]).toMatchObject({ from: "none", to: "suffix" });
        expect(controller.summary.switches[0]!.reason).toContain("plain decoding");
        // By the time its first 8-token proposal has matched whole, against 4 engine-wide rejections.
        expect(s).toBeLessThanOrEqual(8);
        const step = controller.next(history, 8)!;
        expect(step.drafter.candidate.id).toBe("suffix");
        expect(step.k).toBeGreaterThan(1);
    });

    it("judges a switch less and less often while plain decoding keeps winning", () => {
        // A lookup drafter that always proposes and is never right (a draft that never agrees): every
        // judgement keeps plain decoding. Judgements are counted as the policy's evaluations.
        const policy = measuredPolicy(35);
        for (let i = 0; i < 40; i++) policy.acceptance.record("ngram", "sim", 4, 0);
        const controller = new SpeculationController(policy, {
            drafters: [drafter("ngram", true, (_h, k) => Array<number>(k).fill(2))],
            signature: "sim",
            maxK: 8,
            adaptive: true,
            minConfidence: 0,
        });
        controller.begin([1, 1, 1]);
        let judgements = 0;
        const evaluate = policy.evaluate.bind(policy);
        policy.evaluate = (...args) => {
            judgements++;
            return evaluate(...args);
        };
        for (let s = 0; s < 256; s++) {
            expect(controller.next([1, 1, 1], 8)).toBeUndefined();
            controller.record(measuredStep(undefined, 0, 0, [1], s + 1));
        }
        expect(controller.summary.switches).toEqual([]);
        // Every 4 steps would be 63 judgements of one evaluation each; doubling up to 32: 4, 8, 16, then 32.
        expect(judgements).toBeGreaterThan(0);
        expect(judgements).toBeLessThanOrEqual(12);
    });

    it("does not switch from plain decoding to a drafter this request has not scored", () => {
        const policy = measuredPolicy(33);
        for (let i = 0; i < 40; i++) policy.acceptance.record("good", "sim", 1, 0);
        const controller = new SpeculationController(policy, {
            drafters: [drafter("good")],
            signature: "sim",
            maxK: 8,
            adaptive: true,
            minConfidence: 0,
        });
        expect(controller.summary.chosen).toBe("none");
        // The engine-wide estimate improves meanwhile (other requests): this request stays plain.
        for (let i = 0; i < 40; i++) policy.acceptance.record("good", "sim", 8, 8);
        for (let s = 0; s < 10; s++) {
            expect(controller.next([1, 2, 3], 8)).toBeUndefined();
            controller.record(measuredStep(undefined, 0, 0, [1], s + 1));
        }
        expect(controller.summary.switches).toEqual([]);
    });
});

describe("AUTO under load (other sequences' tokens in the same target pass)", () => {
    /** A request with a drafter the engine knows to be mostly right; returns the k of each step. */
    function stepsUnderLoad(
        adaptive: boolean,
        load: readonly number[],
        splitsMixedLengths = false,
    ): (number | undefined)[] {
        const policy = measuredPolicy(13, splitsMixedLengths);
        for (let i = 0; i < 30; i++) policy.acceptance.record("good", "sim", 8, i % 4 === 0 ? 4 : 8);
        const controller = new SpeculationController(policy, {
            drafters: [drafter("good")],
            signature: "sim",
            maxK: 8,
            adaptive,
            minConfidence: 0,
        });
        expect(controller.summary.chosen).toBe("good");
        return load.map((others, s) => {
            const step = controller.next([1, 2, 3], 8, others);
            const k = step?.k ?? 0;
            controller.record(measuredStep(step && "good", k, k, Array<number>(k + 1).fill(1), s));
            expect(controller.summary.switches).toEqual([]);
            expect(controller.current?.candidate.id).toBe("good");
            return step?.k;
        });
    }

    it("drafts shorter as the batch fills, not at all when a draft cannot pay, and again when load eases", () => {
        // 10 ms passes (+1.25 ms a token), 1 ms a drafted token, ~85 % of drafted tokens accepted: alone
        // and beside a few tokens k = 8; beside 7 one-token steps k = 4; from 15 other tokens no draft
        // pays, yet the drafter is kept, and drafts 8 again when the load eases.
        expect(stepsUnderLoad(true, [0, 1, 3, 7, 15, 31, 63, 0])).toEqual([
            8,
            8,
            8,
            4,
            undefined,
            undefined,
            undefined,
            8,
        ]);
    });

    it("where a shared batch of mixed lengths is split (per-sequence KV), stops drafting sooner", () => {
        // The draft's 8 tokens cost a pass of their own (18.75 ms) beside the shared one: beside one
        // other token (1 + ~8) tokens in 8 + 11.25 + 18.75 ms still beat 2 in 11.25 ms; beside 3, 11 in
        // 40.5 ms do not beat 4 in 13.75 ms (with one pass for all, k = 8 still paid there, and 4 beside 7).
        expect(stepsUnderLoad(true, [0, 1, 3, 7, 15, 0], true)).toEqual([
            8,
            8,
            undefined,
            undefined,
            undefined,
            8,
        ]);
    });

    it("the request's first step, sized by the engine-wide choice, is capped by the load too", () => {
        expect(stepsUnderLoad(true, [63, 0])).toEqual([undefined, 8]);
    });

    it("fixed modes keep their k whatever the load", () => {
        expect(stepsUnderLoad(false, [0, 63, 7])).toEqual([8, 8, 8]);
    });
});

describe("confidence threshold", () => {
    it("rises to the confidence below which drafted tokens are mostly rejected", () => {
        const policy = measuredPolicy(10);
        const good = { id: "good", costPerCall: false };
        expect(policy.confidenceThreshold(good, 0.2)).toBe(0.2); // nothing measured: fallback
        for (let i = 0; i < 50; i++) {
            policy.recordConfidence("good", [0.9, 0.15], 1); // 0.9 accepted, 0.15 rejected
        }
        expect(policy.confidenceThreshold(good, 0.2)).toBeCloseTo(0.2, 5); // bucket [0.1, 0.2) does not pay
        for (let i = 0; i < 50; i++) policy.recordConfidence("good", [0.45], 0);
        expect(policy.confidenceThreshold(good, 0.2)).toBeCloseTo(0.5, 5);
    });
});

describe("verify cost bookkeeping", () => {
    it("a step whose pass shared its batch adds its share of one point at the batch's total tokens", () => {
        const policy = measuredPolicy(11);
        const controller = new SpeculationController(policy, {
            drafters: [drafter("good")],
            signature: "sim",
            maxK: 4,
            adaptive: false,
            minConfidence: 0,
        });
        const before = policy.costs.verifyMs(5);
        // 8 requests' 5-token passes in one 40-token batch that took 45 ms: one point at 40 tokens, of
        // one observation's weight; the 5-token point is untouched.
        for (let r = 0; r < 8; r++)
            controller.record({
                ...measuredStep("good", 4, 4, [1, 1, 1, 1, 1], r),
                verifyMs: 45,
                passTokens: 40,
                passRequests: 8,
            });
        expect(policy.costs.verifyMs(5)).toBe(before);
        expect(policy.costs.curve().find((p) => p.tokens === 40)).toEqual({
            tokens: 40,
            ms: expect.closeTo(45, 9) as number,
            weight: expect.closeTo(1, 1) as number,
        });
    });

    it("a step whose pass time measured something else (verifyMs undefined) adds no point", () => {
        const policy = measuredPolicy(11);
        const controller = new SpeculationController(policy, {
            drafters: [drafter("good")],
            signature: "sim",
            maxK: 4,
            adaptive: false,
            minConfidence: 0,
        });
        const curve = policy.costs.curve();
        for (let s = 0; s < 20; s++)
            controller.record({ ...measuredStep("good", 4, 4, [1, 1, 1, 1, 1], s), verifyMs: undefined });
        expect(policy.costs.curve()).toEqual(curve);
    });

    it("a step whose drafter shared its batches (draftMs undefined) leaves the draft cost as measured", () => {
        const policy = measuredPolicy(12);
        const controller = new SpeculationController(policy, {
            drafters: [drafter("good")],
            signature: "sim",
            maxK: 4,
            adaptive: false,
            minConfidence: 0,
        });
        const before = policy.costs.drafter("good")!.msPerToken;
        for (let s = 0; s < 20; s++)
            controller.record({ ...measuredStep("good", 4, 4, [1, 1, 1, 1, 1], s), draftMs: undefined });
        expect(policy.costs.drafter("good")!.msPerToken).toBe(before);
        for (let s = 0; s < 20; s++)
            controller.record({ ...measuredStep("good", 4, 4, [1, 1, 1, 1, 1], s), draftMs: 40 });
        expect(policy.costs.drafter("good")!.msPerToken).toBeGreaterThan(before);
    });

    it("a step alone charges its work outside drafting and the pass to its drafter (plain steps to none)", () => {
        const policy = measuredPolicy(13);
        const good = drafter("good");
        const controller = new SpeculationController(policy, {
            drafters: [good],
            signature: "sim",
            maxK: 4,
            adaptive: false,
            minConfidence: 0,
        });
        const priced = policy.stepCosts(good.candidate).draftMsPerCall;
        // Drafting steps: 4 ms drafting + 15 ms pass in a 20 ms step; plain steps 10 ms of 10.2 ms.
        for (let s = 0; s < 60; s++) {
            controller.record({ ...measuredStep("good", 4, 4, [1, 1, 1, 1, 1], s), stepMs: 20 });
            controller.record({ ...measuredStep(undefined, 0, 0, [1], s), stepMs: 10.2 });
        }
        expect(policy.costs.stepOverheadMs("good")).toBeCloseTo(0.8, 3);
        const { msPerCall, msPerToken } = policy.costs.drafter("good")!;
        expect(policy.stepCosts(good.candidate).draftMsPerCall).toBeCloseTo(
            Math.max(0, msPerCall - msPerToken) + 0.8,
            3,
        );
        expect(priced).toBe(Math.max(0, msPerCall - msPerToken));
        // A shared pass's step includes the wait for its batch: not the drafter's overhead.
        for (let s = 0; s < 60; s++)
            controller.record({
                ...measuredStep("good", 4, 4, [1, 1, 1, 1, 1], s),
                passRequests: 4,
                passTokens: 20,
                stepMs: 60,
            });
        expect(policy.costs.stepOverheadMs("good")).toBeCloseTo(0.8, 3);
    });
});

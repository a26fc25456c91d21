/**
 * The overlapped order of a plain step (generate.ts, "Overlap"): when `plainAhead` says the next step is a
 * plain pass whatever the last step teaches, the engine dispatches that pass, then records the last step,
 * then calls `nextDispatched` instead of `next`. The contract: every decision AUTO takes (which drafter,
 * which k, every switch and exploration) is the one it takes in the plain order. Checked by running the
 * same request both ways over traffic that makes AUTO switch, decline, explore and draft: a real n-gram
 * drafter, a lookup that copies the target in bursts, and a model drafter that never agrees.
 */
import { describe, expect, it } from "vitest";
import { createRandom } from "../../../src/speculative/createRandom.js";
import { NgramProposer } from "../../../src/speculative/NgramProposer.js";
import { SpeculationController } from "../../../src/speculative/SpeculationController.js";
import type { ControllerDrafter } from "../../../src/speculative/controllerTypes.js";
import { SpeculationPolicy } from "../../../src/speculative/SpeculationPolicy.js";
import type { DraftProposal, DraftProposer, SpecStep } from "../../../src/speculative/types.js";

const prompt = [1, 2, 3, 4, 5, 6, 7, 8];

/**
 * What the target generates: fresh tokens, with stretches that repeat earlier output (the n-gram drafter's
 * matches) at seeded places.
 */
function targetText(seed: number, length: number): number[] {
    const random = createRandom(seed);
    const out: number[] = [];
    while (out.length < length) {
        if (out.length > 40 && random() < 0.3) {
            const from = Math.floor(random() * (out.length - 20));
            out.push(...out.slice(from, from + 4 + Math.floor(random() * 16)));
        } else for (let i = 0; i < 8; i++) out.push(100 + Math.floor(random() * 5000));
    }
    return out.slice(0, length);
}

/** A lookup drafter that proposes wrong tokens for 70 calls, then copies the target for 30, and so on. */
class Bursts implements DraftProposer {
    readonly id = "copy";
    #calls = 0;
    constructor(
        readonly truth: readonly number[],
        readonly longest: number,
    ) {}
    begin(): void {}
    propose(history: readonly number[], maxTokens: number): DraftProposal {
        const at = history.length - prompt.length;
        if (this.#calls++ % 100 < 70) return { tokens: Array<number>(maxTokens).fill(7) };
        return { tokens: this.truth.slice(at, at + Math.min(maxTokens, this.longest)) };
    }
    release(): void {}
}

/** A model drafter whose drafts never agree. */
class Wrong implements DraftProposer {
    readonly id = "draft";
    begin(): void {}
    propose(_history: readonly number[], maxTokens: number): DraftProposal {
        return { tokens: Array<number>(maxTokens).fill(3) };
    }
    release(): void {}
}

/**
 * A policy that has measured passes (10 ms + 2 ms per further token), a 3 ms-per-token model draft, and
 * the lookups mostly failing: AUTO starts on plain decoding and drafts when a counterfactual run starts.
 */
function policy(seed: number, stale = false): SpeculationPolicy {
    const p = new SpeculationPolicy(createRandom(seed));
    for (let i = 0; i < 30; i++) for (let n = 1; n <= 9; n++) p.costs.recordVerify(n, 10 + 2 * (n - 1));
    // Long plain decoding since: every longer pass length is stale, to be sampled (exploration).
    if (stale) for (let i = 0; i < 2100; i++) p.costs.recordVerify(1, 10);
    for (let i = 0; i < 10; i++) p.costs.recordDraft("draft", 4, 12, false);
    for (let i = 0; i < 40; i++)
        for (const id of ["ngram", "copy", "draft"]) p.acceptance.record(id, "sim", 4, i % 8 === 0 ? 1 : 0);
    return p;
}

interface Run {
    decisions: string[];
    summary: SpeculationController["summary"];
    overlapped: number;
}

/** One request of `steps` steps through the engine's loop, in the overlapped order when `overlap`. */
function run(seed: number, steps: number, overlap: boolean, longest: number, stale: boolean): Run {
    const truth = targetText(seed, steps * 10 + 50);
    const drafters: ControllerDrafter[] = [
        { candidate: { id: "ngram", costPerCall: true }, proposer: new NgramProposer() },
        { candidate: { id: "copy", costPerCall: true }, proposer: new Bursts(truth, longest) },
        { candidate: { id: "draft", costPerCall: false }, proposer: new Wrong() },
    ];
    const controller = new SpeculationController(policy(seed, stale), {
        drafters,
        signature: "sim",
        maxK: 8,
        adaptive: true,
        minConfidence: 0,
    });
    controller.begin(prompt);
    const history = prompt.slice();
    const decisions: string[] = [];
    let unrecorded: SpecStep | undefined;
    let overlapped = 0;
    for (let s = 0; s < steps; s++) {
        let dispatched = false;
        if (unrecorded) {
            dispatched =
                overlap && unrecorded.drafter === undefined && controller.plainAhead(unrecorded.committed);
            controller.record(unrecorded);
        }
        let step: ReturnType<SpeculationController["next"]>;
        if (dispatched) {
            controller.nextDispatched(history, 8);
            overlapped++;
        } else step = controller.next(history, 8);
        decisions.push(step ? `${step.drafter.candidate.id}:${step.k}` : "plain");
        const draft = step
            ? (step.proposal?.tokens ??
              (step.drafter.proposer.propose(history, step.k) as DraftProposal).tokens)
            : [];
        const at = history.length - prompt.length;
        let accepted = 0;
        while (accepted < draft.length && draft[accepted] === truth[at + accepted]) accepted++;
        const committed = truth.slice(at, at + accepted + 1);
        history.push(...committed);
        unrecorded = {
            drafter: step?.drafter.candidate.id,
            drafted: draft.length,
            accepted,
            confidences: undefined,
            committed,
            draftMs: step && !step.drafter.candidate.costPerCall ? 3 * draft.length : 0,
            verifyMs: 10 + 2 * draft.length,
            passTokens: draft.length + 1,
            passRequests: 1,
            generated: history.length - prompt.length,
            stepMs: 10.2 + 5 * draft.length,
        };
    }
    if (unrecorded) controller.record(unrecorded);
    return { decisions, summary: controller.summary, overlapped };
}

describe("plain steps overlapped with the bookkeeping before them", () => {
    it("AUTO takes the same decisions in the same order as without the overlap", () => {
        let explorations = 0;
        for (const [seed, longest, stale] of [
            [1, 8, false],
            [2, 8, true],
            [3, 3, true],
            [4, 1, false],
            [5, 2, false],
            [6, 2, true],
        ] as const) {
            const plainOrder = run(seed, 400, false, longest, stale);
            const overlapped = run(seed, 400, true, longest, stale);
            explorations += plainOrder.summary.explorations;
            expect(overlapped.decisions).toEqual(plainOrder.decisions);
            expect(overlapped.summary).toEqual(plainOrder.summary);
            // Not vacuous: the request drafted, switched and overlapped many of its plain steps.
            const drafting = plainOrder.decisions.filter((d) => d !== "plain" && !d.endsWith(":0"));
            expect(drafting.length).toBeGreaterThan(10);
            expect(plainOrder.summary.switches.length).toBeGreaterThan(0);
            expect(overlapped.overlapped).toBeGreaterThan(50);
        }
        expect(explorations).toBeGreaterThan(0);
    });

    it("never overlaps while a drafter is current, and always in a fixed mode without one", () => {
        const fixed = new SpeculationController(policy(1), {
            drafters: [],
            signature: "sim",
            maxK: 8,
            adaptive: false,
            minConfidence: 0,
        });
        expect(fixed.plainAhead([5])).toBe(true);
        const ngram = new SpeculationController(policy(1), {
            drafters: [{ candidate: { id: "ngram", costPerCall: true }, proposer: new NgramProposer() }],
            signature: "sim",
            maxK: 8,
            adaptive: false,
            minConfidence: 0,
        });
        expect(ngram.plainAhead([5])).toBe(false);
    });
});

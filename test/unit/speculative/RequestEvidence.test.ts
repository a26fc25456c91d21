import { describe, expect, it } from "vitest";
import {
    RequestEvidence,
    replayTokens,
    requestPriorWeight,
} from "../../../src/speculative/RequestEvidence.js";
import type { DraftProposal, DraftProposer, Token } from "../../../src/speculative/types.js";
import { positionPriorWeight } from "../../../src/speculative/AcceptanceEstimator.js";

/** Proposes the continuation of `text` when the history is a prefix of it, nothing otherwise. */
class CopyProposer implements DraftProposer {
    readonly id = "copy";
    readonly begun: (readonly Token[])[] = [];
    readonly asked: number[] = [];
    constructor(readonly text: readonly Token[]) {}
    begin(prompt: readonly Token[]): void {
        this.begun.push([...prompt]);
    }
    propose(history: readonly Token[], maxTokens: number): DraftProposal {
        this.asked.push(history.length);
        const isPrefix = history.every((t, i) => this.text[i] === t);
        return { tokens: isPrefix ? this.text.slice(history.length, history.length + maxTokens) : [] };
    }
    release(): void {}
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

describe("RequestEvidence", () => {
    it("records a rejection at the first mismatch and leaves positions past the target's tokens unobserved", () => {
        const e = new RequestEvidence();
        e.record("d", 4, 2); // tokens 1–2 kept, 3 rejected, 4 unobserved
        e.record("d", 4, 1, 1); // only one target token to compare with: position 2 unobserved
        const prior = [0.5, 0.5, 0.5, 0.5];
        const w = requestPriorWeight;
        expect(e.positions("d", prior)).toEqual([
            (2 + w * 0.5) / (2 + w),
            (1 + w * 0.5) / (1 + w),
            (0 + w * 0.5) / (1 + w),
            0.5,
        ]);
        expect(e.positions("other", prior)).toEqual(prior);
        expect(e.calls("d")).toBe(2);
    });

    it("takes a proposal's positions one by one as they resolve, the same as recording it whole", () => {
        const whole = new RequestEvidence();
        whole.record("d", 4, 2);
        whole.record("d", 0, 0);
        const stepwise = new RequestEvidence();
        stepwise.call("d", true);
        stepwise.observe("d", 0, true); // a plain step commits the first drafted token
        const prior = [0.5, 0.5, 0.5, 0.5];
        const w = requestPriorWeight;
        expect(stepwise.positions("d", prior)).toEqual([(1 + w * 0.5) / (1 + w), 0.5, 0.5, 0.5]);
        stepwise.observe("d", 1, true);
        stepwise.observe("d", 2, false);
        stepwise.call("d", false);
        expect(stepwise.positions("d", prior)).toEqual(whole.positions("d", prior));
        expect(stepwise.coverage("d", 1)).toBe(whole.coverage("d", 1));
        expect(stepwise.calls("d")).toBe(2);
    });

    it("counts calls without a proposal against coverage, not against acceptance", () => {
        const e = new RequestEvidence();
        e.record("d", 0, 0);
        e.record("d", 0, 0);
        e.record("d", 3, 3);
        const w = requestPriorWeight;
        expect(e.coverage("d", 1)).toBeCloseTo((1 + w) / (3 + w));
        expect(e.coverage("unseen", 0.4)).toBe(0.4);
        expect(e.positions("d", [0, 0, 0])).toEqual([1, 1, 1].map(() => 1 / (1 + w)));
    });

    it("replays a drafter that reproduces the prompt as steps that keep every drafted token", () => {
        const prompt = range(200);
        const proposer = new CopyProposer(range(300));
        const e = new RequestEvidence();
        expect(e.replay("copy", proposer, prompt, 8)).toBe(true);
        // Begun with the head; each step moves past its k kept tokens and the target's own token.
        expect(proposer.begun).toEqual([prompt.slice(0, 200 - replayTokens)]);
        expect(proposer.asked[0]).toBe(200 - replayTokens);
        expect(proposer.asked[1]).toBe(200 - replayTokens + 9);
        const steps = Math.ceil(replayTokens / 9);
        expect(e.calls("copy")).toBe(steps);
        expect(e.coverage("copy", 0)).toBeCloseTo(steps / (steps + requestPriorWeight));
        // Drafts never run past the prompt: the last step's positions beyond its end are not scored.
        // Every step after the first follows one kept whole: its first position counts as p_1^c.
        const p = e.positions("copy", Array<number>(8).fill(0));
        expect(p[0]).toBeCloseTo(1 / (1 + requestPriorWeight));
        expect(p.every((x) => x > 0)).toBe(true);
        const run = e.run("copy", {
            positions: Array<number>(8).fill(0),
            continuingFirst: 0,
            continuingWeight: 0,
        });
        const fresh = 1 / (1 + requestPriorWeight);
        expect(run.continuingFirst).toBeCloseTo(
            (steps - 1 + positionPriorWeight * fresh) / (steps - 1 + positionPriorWeight),
        );
    });

    it("decides inside a run by p_1 after a kept draft, outside by the run estimate", () => {
        const e = new RequestEvidence();
        const prior = { positions: [0.3, 0.9], continuingFirst: 0.3, continuingWeight: 0 };
        for (let i = 0; i < 6; i++) e.observe("d", 0, true, true);
        expect(e.continues("d")).toBe(false);
        const run = e.now("d", prior);
        expect(run).toMatchObject({ positions: [0.3, 0.9] });
        e.setContinues("d", true);
        const inside = e.now("d", prior) as number[];
        expect(inside[0]).toBeCloseTo((6 + positionPriorWeight * 0.3) / (6 + positionPriorWeight));
        expect(inside[1]).toBe(0.9);
        // A replay that ends on a draft kept whole leaves the drafter inside its run.
        const copy = new RequestEvidence();
        copy.replay("copy", new CopyProposer(range(300)), range(200), 8);
        expect(copy.continues("copy")).toBe(true);
    });

    it("replays a drafter that never matches as calls without coverage", () => {
        const e = new RequestEvidence();
        const proposer = new CopyProposer(range(300, 1000));
        expect(e.replay("copy", proposer, range(100), 8)).toBe(true);
        expect(e.calls("copy")).toBe(replayTokens);
        expect(e.coverage("copy", 1)).toBeCloseTo(requestPriorWeight / (replayTokens + requestPriorWeight));
    });

    it("scores a wrong draft as a rejection at its first wrong token", () => {
        // Continues the prompt (0, 1, 2, ...) but its 4th drafted token is wrong: each step keeps 3.
        const proposer: DraftProposer = {
            id: "off-by-one",
            begin() {},
            propose: (history, k) => ({ tokens: range(k, history.length).map((t, i) => (i === 3 ? -1 : t)) }),
            release() {},
        };
        const e = new RequestEvidence();
        e.replay("copy", proposer, range(300), 8);
        const p = e.positions("copy", Array<number>(8).fill(0.5));
        expect(p[3]!).toBeLessThan(0.5);
        expect(p[4]).toBe(0.5); // never observed: every step was rejected at position 4
    });

    it("does not replay a prompt shorter than its window, nor a drafter that answers asynchronously", () => {
        const e = new RequestEvidence();
        const short = new CopyProposer(range(100));
        expect(e.replay("copy", short, range(replayTokens), 8)).toBe(false);
        expect(short.begun).toEqual([]);
        const model: DraftProposer = {
            id: "model",
            begin() {},
            propose: () => Promise.resolve({ tokens: [1] }),
            release() {},
        };
        expect(e.replay("model", model, range(100), 8)).toBe(false);
        expect(e.calls("model")).toBe(0);
    });
});

/**
 * Long matches (src/speculative/isLongMatch.ts): AUTO judges a lookup proposal whose match is long on
 * the acceptance of such proposals, learned from their steps and the tails past them, not on the
 * drafter's estimate over all its steps, where short matches' failures hold k down.
 */
import { describe, expect, it } from "vitest";
import { AcceptanceEstimator } from "../../../src/speculative/AcceptanceEstimator.js";
import { createRandom } from "../../../src/speculative/createRandom.js";
import { longMatchClass, longMatchTokens } from "../../../src/speculative/isLongMatch.js";
import { SpeculationController } from "../../../src/speculative/SpeculationController.js";
import { SpeculationPolicy } from "../../../src/speculative/SpeculationPolicy.js";
import type { DraftProposal, DraftProposer, SpecStep } from "../../../src/speculative/types.js";

/** What the session held before: the request regenerates it. */
const earlier = Array.from({ length: 400 }, (_, i) => 1000 + i);
const prompt = earlier.slice(0, 40);

/** A lookup drafter that reproduces `earlier`, reporting `matchLength` for every proposal. */
class CopyProposer implements DraftProposer {
    readonly id = "suffix";
    constructor(readonly matchLength: number | undefined) {}
    begin(): void {}
    propose(history: readonly number[], maxTokens: number): DraftProposal {
        const tokens = earlier.slice(history.length, history.length + maxTokens);
        return this.matchLength === undefined ? { tokens } : { tokens, matchLength: this.matchLength };
    }
    release(): void {}
}

/**
 * A policy whose target pass costs 10 ms + 6 ms per further token (drafting pays only near-certain
 * tokens at length) and whose suffix drafter mostly failed engine-wide (short matches' drafts).
 */
function policyWithFailures(seed: number): SpeculationPolicy {
    const policy = new SpeculationPolicy(createRandom(seed));
    for (let i = 0; i < 30; i++) for (let n = 1; n <= 9; n++) policy.costs.recordVerify(n, 10 + 6 * (n - 1));
    for (let i = 0; i < 60; i++) {
        policy.acceptance.record("suffix", "sim", 8, i % 3 === 0 ? 8 : 1);
        policy.costs.recordDraft("suffix", 8, 0, true);
    }
    return policy;
}

function controller(policy: SpeculationPolicy, matchLength: number | undefined): SpeculationController {
    const c = new SpeculationController(policy, {
        drafters: [
            { candidate: { id: "suffix", costPerCall: true }, proposer: new CopyProposer(matchLength) },
        ],
        signature: "sim",
        maxK: 8,
        adaptive: true,
        minConfidence: 0,
    });
    c.begin(prompt);
    return c;
}

/** Runs `steps` steps whose drafts are all kept (the target regenerates `earlier`); returns each k (0: plain). */
function run(c: SpeculationController, steps: number): number[] {
    const history = prompt.slice();
    const ks: number[] = [];
    for (let s = 0; s < steps; s++) {
        const step = c.next(history, 8);
        const k = step?.proposal?.tokens.length ?? step?.k ?? 0;
        ks.push(k);
        const committed = earlier.slice(history.length, history.length + k + 1);
        history.push(...committed);
        const record: SpecStep = {
            drafter: step ? "suffix" : undefined,
            drafted: k,
            accepted: k,
            confidences: undefined,
            committed,
            draftMs: 0,
            verifyMs: 10 + 6 * k,
            passTokens: k + 1,
            passRequests: 1,
            generated: history.length - prompt.length,
            stepMs: 10 + 6 * k,
        };
        c.record(record);
    }
    return ks;
}

describe("long matches", () => {
    it("a proposal after a long match drafts by long matches' acceptance, a short one by the drafter's", () => {
        for (let seed = 0; seed < 10; seed++) {
            const policy = policyWithFailures(seed);
            for (let i = 0; i < 30; i++) policy.acceptance.recordClass("suffix", longMatchClass, "sim", 8, 8);
            const long = controller(policy, longMatchTokens);
            long.next(prompt, 8); // the first step acts on the engine-wide choice's k unless the match is long
            expect(long.next(prompt, 8)?.k).toBe(8);
            const short = controller(policy, longMatchTokens - 1);
            short.next(prompt, 8);
            expect(short.next(prompt, 8)?.k ?? 0).toBeLessThanOrEqual(2);
        }
    });

    it("what one request's long matches kept (tails past k included) lets the next request draft 8 at once", () => {
        let withClass = 0;
        let without = 0;
        for (let seed = 0; seed < 10; seed++) {
            const policy = policyWithFailures(seed);
            run(controller(policy, 64), 12);
            if (run(controller(policy, 64), 1)[0] === 8) withClass++;
            // The same steps without match lengths: the drafter's estimate alone.
            const control = policyWithFailures(seed);
            run(controller(control, undefined), 12);
            if (run(controller(control, undefined), 1)[0] === 8) without++;
        }
        expect(withClass).toBe(10);
        expect(without).toBeLessThanOrEqual(2);
    });
});

describe("long matches in a request's own evidence", () => {
    it("a retried request whose prompt replays as long matches drafts 8 at once, before any class evidence", () => {
        // The prompt is long enough to replay (RequestEvidence.replayTokens) and is in the pool whole.
        const retried = earlier.slice(0, 200);
        for (let seed = 0; seed < 10; seed++) {
            const start = (matchLength: number | undefined): number => {
                // Engine-wide the suffix drafter kept 1 token in 8 for 300 steps: no class evidence yet.
                const policy = policyWithFailures(seed);
                for (let i = 0; i < 300; i++) policy.acceptance.record("suffix", "sim", 8, 1);
                const c = new SpeculationController(policy, {
                    drafters: [
                        {
                            candidate: { id: "suffix", costPerCall: true },
                            proposer: new CopyProposer(matchLength),
                        },
                    ],
                    signature: "sim",
                    maxK: 8,
                    adaptive: true,
                    minConfidence: 0,
                });
                c.begin(retried);
                c.next(retried, 8); // the first step acts on the engine-wide choice's k unless the match is long
                const step = c.next(retried, 8);
                return step?.proposal?.tokens.length ?? step?.k ?? 0;
            };
            expect(start(64)).toBe(8);
            expect(start(undefined)).toBeLessThanOrEqual(2);
        }
    });
});

describe("AcceptanceEstimator classes", () => {
    it("reads as the prior without evidence and moves toward its own counts, the signature's else the pooled", () => {
        const e = new AcceptanceEstimator();
        const prior = [0.6, 0.5, 0.4];
        expect(e.classPositions("suffix", longMatchClass, "sim", prior)).toEqual(prior);
        for (let i = 0; i < 20; i++) e.recordClass("suffix", longMatchClass, "sim", 3, 3);
        const own = e.classPositions("suffix", longMatchClass, "sim", prior);
        own.forEach((p, i) => {
            expect(p).toBeGreaterThan(0.9 + prior[i]! / 100);
        });
        // Another signature without counts of its own reads the pooled ones.
        expect(e.classPositions("suffix", longMatchClass, "other", prior)).toEqual(own);
        // A position a step never reached stays at the prior until a tail observes it.
        const four = [...prior, 0.3];
        expect(e.classPositions("suffix", longMatchClass, "sim", four)[3]).toBe(0.3);
        for (let i = 0; i < 20; i++) e.observeClass("suffix", longMatchClass, "sim", 3, true);
        expect(e.classPositions("suffix", longMatchClass, "sim", four)[3]).toBeGreaterThan(0.9);
        // The drafter's own estimate is untouched by its class's counts.
        expect(e.positionMeans("suffix", "sim", 3)).toEqual(
            new AcceptanceEstimator().positionMeans("suffix", "sim", 3),
        );
    });
});

/**
 * A draft model's cost seeded at warm-up on a real GGUF, by drafting with the slot's own drafter: a
 * loaded engine knows every draft model's cost per call and per further token before its first request
 * (AUTO priced an unmeasured draft at a fifth of a target pass, and a seed of one bare pass read the
 * per-call cost at half what live steps measured): bare passes for the cost per token, then the drafter's
 * one-token calls for the cost per call, and the draft's and the target's sequences are left empty.
 */
import type { LlamaContext, LlamaContextSequence } from "node-llama-cpp";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { DraftModelProposer } from "../../src/engine/DraftModelProposer.js";
import type { LocalEngine } from "../../src/engine/LocalEngine.js";
import { PassBatcher } from "../../src/engine/PassBatcher.js";
import { seedDraftCost } from "../../src/engine/seedDraftCost.js";
import { CostModel } from "../../src/speculative/CostModel.js";
import { loadFixtureEngine } from "../helpers/fixtureEngine.js";

let engine: LocalEngine;
let context: LlamaContext;
let sequence: LlamaContextSequence;
let targetContext: LlamaContext;
let targetSequence: LlamaContextSequence;
beforeAll(async () => {
    engine = await loadFixtureEngine({ engine: { sequences: 1 } });
    const draft = engine.drafts.get("other-weights")!;
    context = await draft.model.createContext({ contextSize: 256, threads: engine.threads });
    sequence = context.getSequence();
    targetContext = await engine.target.model.createContext({ contextSize: 256, threads: engine.threads });
    targetSequence = targetContext.getSequence();
});
afterAll(async () => {
    await context.dispose();
    await targetContext.dispose();
    await engine.dispose();
});

it("a loaded engine has measured every draft model's cost per call and per token before its first request", () => {
    expect(engine.drafts.size).toBeGreaterThan(0);
    for (const id of engine.drafts.keys()) {
        const cost = engine.policy.costs.drafter(id);
        expect(cost, id).toBeDefined();
        expect(cost!.msPerToken).toBeGreaterThan(0);
        expect(cost!.msPerCall).toBeGreaterThan(0);
        expect(cost!.coverage).toBe(1);
    }
});

it("times bare passes, then drafter calls of one token after the seed's context, records once, and leaves both sequences empty", async () => {
    const drafter = new DraftModelProposer("d", sequence, { minConfidence: 0.99 }, new PassBatcher(9), 0);
    const asked: number[] = [];
    const historyLengths: number[] = [];
    const propose = drafter.propose.bind(drafter);
    const spy = vi.spyOn(drafter, "propose").mockImplementation((history, maxTokens, ...rest) => {
        asked.push(maxTokens);
        historyLengths.push(history.length);
        return propose(history, maxTokens, ...rest);
    });
    const costs = new CostModel();
    const text = engine.target.model.tokenize("def add(a, b):\n    return a + b\n");
    try {
        await seedDraftCost(drafter, drafter, targetSequence, costs, "d", text, {
            repeats: 3,
            contextTokens: 40,
        });
    } finally {
        spy.mockRestore();
    }
    expect(asked).toEqual([1, 1, 1, 1]);
    expect(historyLengths[0]).toBe(40);
    const cost = costs.drafter("d");
    expect(cost?.msPerCall).toBeGreaterThan(0);
    expect(cost?.msPerToken).toBeGreaterThan(0); // a timed pass, never a difference of two
    expect(costs.updates).toBe(1);
    expect(drafter.evaluatedTokens).toBe(0);
    expect(sequence.nextTokenIndex).toBe(0);
    expect(targetSequence.nextTokenIndex).toBe(0);
});

/**
 * A draft model's cost seeded at warm-up on a real GGUF: a loaded engine knows every draft model's cost
 * before its first request (AUTO priced an unmeasured draft at a fifth of a target pass), each timed
 * evaluation runs after the seed's context tokens (and a target pass, as drafting follows verification),
 * and both sequences are left empty.
 */
import type { LlamaContext, LlamaContextSequence, Token as LlamaToken } from "node-llama-cpp";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import type { LocalEngine } from "../../src/engine/LocalEngine.js";
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
    context = await draft.model.createContext({ contextSize: 128, threads: engine.threads });
    sequence = context.getSequence();
    targetContext = await engine.target.model.createContext({ contextSize: 128, threads: engine.threads });
    targetSequence = targetContext.getSequence();
});
afterAll(async () => {
    await context.dispose();
    await targetContext.dispose();
    await engine.dispose();
});

it("a loaded engine has measured every draft model's cost before its first request", () => {
    expect(engine.drafts.size).toBeGreaterThan(0);
    for (const id of engine.drafts.keys()) {
        const cost = engine.policy.costs.drafter(id);
        expect(cost, id).toBeDefined();
        expect(cost!.msPerToken).toBeGreaterThan(0);
        expect(cost!.msPerCall).toBe(cost!.msPerToken);
        expect(cost!.coverage).toBe(1);
    }
});

it("times drafting evaluations after the seed's context, records their median once, and leaves the sequence empty", async () => {
    const heldAtPass: number[] = [];
    const evaluate = sequence.controlledEvaluate.bind(sequence);
    const spy = vi.spyOn(sequence, "controlledEvaluate").mockImplementation((items, options) => {
        heldAtPass.push(sequence.nextTokenIndex);
        expect(items).toHaveLength(1);
        return evaluate(items, options);
    });
    const costs = new CostModel();
    try {
        await seedDraftCost(sequence, targetSequence, costs, "d", 1 as LlamaToken, {
            repeats: 3,
            contextTokens: 40,
        });
    } finally {
        spy.mockRestore();
    }
    // One untimed evaluation, then 3 timed ones.
    expect(heldAtPass).toEqual([40, 40, 40, 40]);
    const cost = costs.drafter("d");
    expect(cost?.msPerToken).toBeGreaterThan(0);
    expect(costs.updates).toBe(1);
    expect(sequence.nextTokenIndex).toBe(0);
    expect(targetSequence.nextTokenIndex).toBe(0);
});

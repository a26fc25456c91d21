/**
 * The verify curve's warm-up seed on a real GGUF: every timed pass runs after the seed's context
 * tokens (a pass's cost grows with what it attends to), the context is clamped to half the
 * sequence's, each pass length gets `repeats` points, and the sequence is left empty.
 */
import type { LlamaContext, LlamaContextSequence, Token as LlamaToken } from "node-llama-cpp";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import type { LocalEngine } from "../../src/engine/LocalEngine.js";
import { seedVerifyCurve } from "../../src/engine/seedVerifyCurve.js";
import { CostModel } from "../../src/speculative/CostModel.js";
import { loadFixtureEngine } from "../helpers/fixtureEngine.js";

let engine: LocalEngine;
let context: LlamaContext;
let sequence: LlamaContextSequence;
beforeAll(async () => {
    engine = await loadFixtureEngine({ engine: { sequences: 1 } });
    context = await engine.target.model.createContext({ contextSize: 128, threads: engine.threads });
    sequence = context.getSequence();
});
afterAll(async () => {
    await context.dispose();
    await engine.dispose();
});

/** Seeds a fresh cost model; returns it and how many tokens the sequence held at each pass's start. */
async function seed(
    maxN: number,
    contextTokens: number,
): Promise<{ costs: CostModel; heldAtPass: number[] }> {
    const heldAtPass: number[] = [];
    const evaluate = sequence.controlledEvaluate.bind(sequence);
    const spy = vi.spyOn(sequence, "controlledEvaluate").mockImplementation((items, options) => {
        heldAtPass.push(sequence.nextTokenIndex);
        return evaluate(items, options);
    });
    const costs = new CostModel();
    try {
        await seedVerifyCurve(sequence, costs, maxN, 1 as LlamaToken, { repeats: 2, contextTokens });
    } finally {
        spy.mockRestore();
    }
    return { costs, heldAtPass };
}

it("times every pass after the seed's context and leaves the sequence empty", async () => {
    const { costs, heldAtPass } = await seed(5, 40);
    // One untimed pass of maxN, then 2 repeats of n = 1 … 5.
    expect(heldAtPass).toEqual(Array<number>(11).fill(40));
    expect(costs.curve().map((p) => [p.tokens, p.weight])).toEqual([
        [1, 1 + 0.95],
        [2, 1 + 0.95],
        [3, 1 + 0.95],
        [4, 1 + 0.95],
        [5, 1 + 0.95],
    ]);
    expect(sequence.nextTokenIndex).toBe(0);
});

it("clamps the context to half the sequence's, far from a context shift", async () => {
    const { heldAtPass } = await seed(5, 1000);
    expect(new Set(heldAtPass)).toEqual(new Set([Math.floor(sequence.contextSize / 2)]));
    expect(sequence.nextTokenIndex).toBe(0);
});

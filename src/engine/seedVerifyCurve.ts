/**
 * Seeds the cost model's verify curve at warm-up: timed target passes over n = 1 … maxN tokens, each
 * asking for the next token at every position as verification does, `repeats` times per n after one
 * untimed pass (first-call allocations are not a verification cost). Later verification steps refine
 * the same points online. The sequence is left empty.
 */
import type { ControlledEvaluateInputItem, LlamaContextSequence, Token as LlamaToken } from "node-llama-cpp";
import type { CostModel } from "../speculative/CostModel.js";

/** Timed passes per pass length at warm-up. */
export const defaultVerifySeedRepeats = 2;

export async function seedVerifyCurve(
    sequence: LlamaContextSequence,
    costs: CostModel,
    maxN: number,
    token: LlamaToken,
    repeats = defaultVerifySeedRepeats,
): Promise<void> {
    const item: ControlledEvaluateInputItem = [token, { generateNext: { token: true } }];
    const pass = async (n: number): Promise<number> => {
        const t0 = performance.now();
        await sequence.controlledEvaluate(Array.from({ length: n }, () => item));
        const ms = performance.now() - t0;
        await sequence.clearHistory();
        return ms;
    };
    try {
        await pass(maxN);
        for (let r = 0; r < repeats; r++)
            for (let n = 1; n <= maxN; n++) costs.recordVerify(n, await pass(n));
    } finally {
        await sequence.clearHistory();
    }
}

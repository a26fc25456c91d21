/**
 * Seeds the cost model's verify curve at warm-up: timed target passes over n = 1 … maxN tokens, each
 * asking for the next token at every position as verification does, `repeats` times per n after one
 * untimed pass (first-call allocations are not a verification cost), each n recorded at its median.
 *
 * The passes run after `contextTokens` tokens already in the sequence, not on an empty one: a pass
 * attends to everything before it, and on a small target that is much of its cost. Measured on the
 * bundled 8.7 M target (1 thread, 2-vCPU Xeon @ 2.5 GHz, two runs at load average 7.7–8.5, median of
 * 12): a 9-token pass took 10–11 ms on an empty context, 16–25 ms after 256 tokens and 53–73 ms after
 * 1,024 (one token: 4–6, 5–7 and 12–18 ms). Seeded on an empty context, the curve would make drafting
 * look cheaper than it is for every real request (9 tokens ≈ 2.2 one-token passes there, ≈ 3 after
 * 256). The default, 256 tokens, is where requests decode: the bench prompt sets are 100–280 tokens
 * plus their output. Requests at other lengths then correct it: every verification pass, shared ones
 * included, refines the point of its token count (CostModel.ts; ~20 observations of memory), so the
 * curve follows the traffic's context lengths and the seed only has to be right for the first
 * requests. The sequence is left empty.
 */
import type { ControlledEvaluateInputItem, LlamaContextSequence, Token as LlamaToken } from "node-llama-cpp";
import type { CostModel } from "../speculative/CostModel.js";

/**
 * Timed passes per pass length at warm-up; each length records the median of its passes. A mean of two
 * let one slow pass (a GC pause, JIT, another process) set a point, and the curve's running maximum
 * lifts every longer length to it: on the bundled pair one seeded 9-token curve read 18.9 ms from 7
 * tokens up (the others 16–18 ms at 9), and in one agent-trace run of five AUTO drafted nothing for all
 * ten requests (a suffix drafter at p ≈ 0.95 got k = 0), because only plain one-token passes followed and
 * nothing corrected the longer lengths (session 11).
 */
export const defaultVerifySeedRepeats = 5;
/** Tokens in the sequence before the timed passes: a typical request's context (see above). */
export const defaultVerifySeedContextTokens = 256;

export interface SeedVerifyCurveOptions {
    /** Defaults to `defaultVerifySeedRepeats`. */
    repeats?: number;
    /**
     * Tokens evaluated before the timed passes, at most half the context (far from the context's end).
     * Defaults to `defaultVerifySeedContextTokens`.
     */
    contextTokens?: number;
}

/**
 * The tokens a seed evaluates before its timed passes of up to `maxN` tokens: `requested` (default
 * `defaultVerifySeedContextTokens`), at most half the context, since a pass that reaches the context's
 * end would trigger a context shift.
 */
export function seedContextTokens(
    sequence: LlamaContextSequence,
    requested: number | undefined,
    maxN: number,
): number {
    return Math.max(
        0,
        Math.min(
            requested ?? defaultVerifySeedContextTokens,
            Math.floor(sequence.contextSize / 2),
            sequence.contextSize - 2 * maxN,
        ),
    );
}

export async function seedVerifyCurve(
    sequence: LlamaContextSequence,
    costs: CostModel,
    maxN: number,
    token: LlamaToken,
    options: SeedVerifyCurveOptions = {},
): Promise<void> {
    const repeats = options.repeats ?? defaultVerifySeedRepeats;
    const contextTokens = seedContextTokens(sequence, options.contextTokens, maxN);
    const item: ControlledEvaluateInputItem = [token, { generateNext: { token: true } }];
    const pass = async (n: number): Promise<number> => {
        const t0 = performance.now();
        await sequence.controlledEvaluate(Array.from({ length: n }, () => item));
        const ms = performance.now() - t0;
        await sequence.eraseContextTokenRanges([{ start: contextTokens, end: contextTokens + n }]);
        return ms;
    };
    try {
        if (contextTokens > 0)
            await sequence.evaluateWithoutGeneratingNewTokens(Array<LlamaToken>(contextTokens).fill(token));
        await pass(maxN);
        // Rounds over every length, so a slow moment hits one pass of many lengths, not one length.
        const samples = Array.from({ length: maxN }, () => [] as number[]);
        for (let r = 0; r < repeats; r++) for (let n = 1; n <= maxN; n++) samples[n - 1]!.push(await pass(n));
        for (let n = 1; n <= maxN; n++) {
            const median = samples[n - 1]!.sort((a, b) => a - b)[Math.floor(repeats / 2)]!;
            for (let r = 0; r < repeats; r++) costs.recordVerify(n, median);
        }
    } finally {
        await sequence.clearHistory();
    }
}

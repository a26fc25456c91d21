/**
 * Seeds a draft model's cost in the cost model at warm-up: `repeats` timed drafting evaluations (one
 * token in, its next token out, as each of DraftModelProposer's drafting passes makes) after one untimed
 * one, all after `contextTokens` tokens already in the sequence (a pass's cost grows with what it attends
 * to; the same context as the verify curve's seed, seedVerifyCurve.ts), the median recorded as the draft's
 * cost per call and per further token. Live drafting steps refine both (CostModel.recordDraft).
 *
 * Each timed evaluation follows a one-token pass of the target (`target`, untimed), as drafting follows
 * verification: on a CPU the target's pass evicts the draft's weights from the caches. Timed back to back
 * instead, the bundled draft cost 0.40 ms a token where live drafting steps measured 0.5–0.67 (2-vCPU EPYC).
 *
 * Unmeasured, a draft model was priced at a fifth of a target pass (SpeculationPolicy.stepCosts), so a
 * fresh server's AUTO tried it on its first requests wherever it is far dearer: on the bundled pair (CPU,
 * 2-vCPU EPYC) one draft token costs ~0.67 of a one-token target pass, and in the agent-trace bench
 * (bench/e2e/suffixDrafting.ts, a fresh server per system) AUTO drafted a new request with the draft model
 * at 0.64× OFF (session 18). The sequence is left empty.
 */
import type { LlamaContextSequence, Token as LlamaToken } from "node-llama-cpp";
import type { CostModel } from "../speculative/CostModel.js";
import { defaultVerifySeedRepeats, seedContextTokens } from "./seedVerifyCurve.js";

export interface SeedDraftCostOptions {
    /** Timed evaluations; the median is recorded. Defaults to the verify seed's repeats. */
    repeats?: number;
    /** Tokens evaluated first, at most half the context. Defaults to the verify seed's context. */
    contextTokens?: number;
}

export async function seedDraftCost(
    sequence: LlamaContextSequence,
    target: LlamaContextSequence,
    costs: CostModel,
    drafter: string,
    token: LlamaToken,
    options: SeedDraftCostOptions = {},
): Promise<void> {
    const repeats = options.repeats ?? defaultVerifySeedRepeats;
    const contextTokens = seedContextTokens(sequence, options.contextTokens, 1);
    const targetToken = (target.model.tokens.bos ?? 0) as LlamaToken;
    const pass = async (): Promise<number> => {
        await target.controlledEvaluate([[targetToken, { generateNext: { token: true } }]]);
        await target.eraseContextTokenRanges([{ start: 0, end: 1 }]);
        const t0 = performance.now();
        await sequence.controlledEvaluate([[token, { generateNext: { token: true } }]]);
        const ms = performance.now() - t0;
        await sequence.eraseContextTokenRanges([{ start: contextTokens, end: contextTokens + 1 }]);
        return ms;
    };
    try {
        if (contextTokens > 0)
            await sequence.evaluateWithoutGeneratingNewTokens(Array<LlamaToken>(contextTokens).fill(token));
        await pass();
        const samples: number[] = [];
        for (let r = 0; r < repeats; r++) samples.push(await pass());
        const median = samples.sort((a, b) => a - b)[Math.floor(repeats / 2)]!;
        costs.recordDraft(drafter, 1, median, false);
    } finally {
        await sequence.clearHistory();
        await target.clearHistory();
    }
}

/**
 * Seeds a draft model's cost in the cost model at warm-up, after `contextTokens` tokens of history (the
 * verify seed's context, seedVerifyCurve.ts), each timing after a one-token pass of the target (`target`,
 * untimed), as drafting follows verification (on a CPU the target's pass evicts the draft's weights from
 * the caches): per further token, one bare draft pass (a token in, its next out); per call, the slot's own
 * drafter (DraftModelProposer, or a TranslatingDraftProposer around one) drafting one token on a synthetic
 * history, its catch-up over the tokens committed since its last call and its own work included. One of
 * each untimed, then `repeats` of each; the medians are recorded (CostModel.seedDraft), and live drafting
 * steps refine both (CostModel.recordDraft).
 *
 * Why the call through the drafter: one bare pass recorded as both costs (the seed before session 24)
 * read 0.73 ms per call and per token for the bundled draft (2-vCPU EPYC), where live steps then measured
 * 0.68 per token and 1.55 per call (a 2-token catch-up pass ~1.05 ms, the drafter's own path ~0.5): AUTO's
 * Thompson sample at p ≈ 1 then expected the draft to pay and tried it on a fresh engine's first
 * requests, where at its measured cost it cannot pay even at p = 1. (Per token as the difference of a
 * 3-token and a 1-token call was tried: under load, with a tiny draft, it came out 0.)
 *
 * Unmeasured, a draft model was priced at a fifth of a target pass (SpeculationPolicy.stepCosts). The
 * draft's sequence is emptied after (`draft.forget`), and so is the target's.
 */
import type { LlamaContextSequence, Token as LlamaToken } from "node-llama-cpp";
import type { CostModel } from "../speculative/CostModel.js";
import type { DraftProposer, Token } from "../speculative/types.js";
import type { DraftModelProposer } from "./DraftModelProposer.js";
import { defaultVerifySeedRepeats, seedContextTokens } from "./seedVerifyCurve.js";

export interface SeedDraftCostOptions {
    /** Timed passes and calls; their medians are recorded. Defaults to the verify seed's repeats. */
    repeats?: number;
    /** History tokens before the first pass or call, at most half the context. Defaults to the verify seed's. */
    contextTokens?: number;
}

export async function seedDraftCost(
    drafter: DraftProposer,
    /** The draft model's proposer under `drafter` (itself when direct): its sequence is timed and emptied. */
    draft: DraftModelProposer,
    target: LlamaContextSequence,
    costs: CostModel,
    id: string,
    /** Target tokens the synthetic history repeats (e.g. a tokenized line of code). */
    text: readonly Token[],
    options: SeedDraftCostOptions = {},
): Promise<void> {
    const repeats = options.repeats ?? defaultVerifySeedRepeats;
    const { sequence } = draft;
    const contextTokens = Math.max(
        text.length,
        seedContextTokens(sequence, options.contextTokens, 2 * (repeats + 2)),
    );
    const history: Token[] = Array.from({ length: contextTokens }, (_, i) => text[i % text.length]!);
    const targetToken = text[0]! as LlamaToken;
    const targetPass = async (): Promise<void> => {
        await target.controlledEvaluate([[targetToken, { generateNext: { token: true } }]]);
        await target.eraseContextTokenRanges([{ start: 0, end: 1 }]);
    };
    const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    try {
        // Per further token: one bare draft pass (a draft token in, its next out) after a target pass.
        // Timed directly, not as a difference of two calls, which load on a small machine made 0.
        const draftToken = (draft.sequence.model.tokens.bos ?? 0) as LlamaToken;
        await sequence.evaluateWithoutGeneratingNewTokens(Array<LlamaToken>(contextTokens).fill(draftToken));
        const passes: number[] = [];
        for (let r = 0; r <= repeats; r++) {
            await targetPass();
            const t0 = performance.now();
            await sequence.controlledEvaluate([[draftToken, { generateNext: { token: true } }]]);
            if (r > 0) passes.push(performance.now() - t0); // the first is untimed
            await sequence.eraseContextTokenRanges([{ start: contextTokens, end: contextTokens + 1 }]);
        }
        await sequence.clearHistory();
        // Per call: the drafter drafting one token, its catch-up over the tokens committed since its last
        // call included, after a target pass.
        drafter.begin(history.slice());
        const calls: number[] = [];
        for (let r = 0; r <= repeats; r++) {
            await targetPass();
            const t0 = performance.now();
            const proposal = await drafter.propose(history, 1, undefined, 0);
            if (r > 0 && proposal.tokens.length === 1) calls.push(performance.now() - t0);
            history.push(...proposal.tokens, text[history.length % text.length]!);
        }
        const msPerToken = median(passes);
        costs.seedDraft(id, calls.length > 0 ? median(calls) : msPerToken, msPerToken);
    } finally {
        await drafter.release(history);
        draft.forget();
        await draft.idle();
        await target.clearHistory();
    }
}

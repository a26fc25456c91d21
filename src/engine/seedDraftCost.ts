/**
 * Seeds a draft model's cost in the cost model at warm-up by drafting with the slot's own drafter
 * (DraftModelProposer, or a TranslatingDraftProposer around one) on a synthetic history of
 * `contextTokens` tokens (the verify seed's context, seedVerifyCurve.ts): after one untimed call,
 * `repeats` times a call for one token (its cost per call: the catch-up pass over the tokens committed
 * since the last call, which also yields the first drafted token, and the drafter's own work) and a call
 * for three (the two further tokens: its cost per token), each after a one-token pass of the target
 * (`target`, untimed), as drafting follows verification: on a CPU the target's pass evicts the draft's
 * weights from the caches. Medians are recorded (CostModel.seedDraft); live drafting steps refine both
 * (CostModel.recordDraft).
 *
 * Why through the drafter: timing one bare draft pass and recording it as both costs (the seed before
 * session 24) read 0.73 ms per call and per token for the bundled draft (2-vCPU EPYC), where live steps
 * then measured 0.68 per token and 1.55 per call (a 2-token catch-up pass ~1.05 ms, the drafter's own path
 * ~0.5): AUTO's Thompson sample at p ≈ 1 then expected the draft to pay and tried it on a fresh engine's
 * first requests, where at its measured cost it cannot pay even at p = 1.
 *
 * Unmeasured, a draft model was priced at a fifth of a target pass (SpeculationPolicy.stepCosts). The
 * drafter's cache is emptied after (`draft.forget`), and so is the target sequence.
 */
import type { LlamaContextSequence, Token as LlamaToken } from "node-llama-cpp";
import type { CostModel } from "../speculative/CostModel.js";
import type { DraftProposer, Token } from "../speculative/types.js";
import type { DraftModelProposer } from "./DraftModelProposer.js";
import { defaultVerifySeedRepeats, seedContextTokens } from "./seedVerifyCurve.js";

export interface SeedDraftCostOptions {
    /** Timed calls of each kind; the medians are recorded. Defaults to the verify seed's repeats. */
    repeats?: number;
    /** History tokens before the first call, at most half the context. Defaults to the verify seed's. */
    contextTokens?: number;
}

/** Further tokens the per-token call drafts beyond the first. */
const furtherTokens = 2;

export async function seedDraftCost(
    drafter: DraftProposer,
    /** The draft model's proposer under `drafter` (itself when direct): its sequence sizes the context and is emptied after. */
    draft: DraftModelProposer,
    target: LlamaContextSequence,
    costs: CostModel,
    id: string,
    /** Target tokens the synthetic history repeats (e.g. a tokenized line of code). */
    text: readonly Token[],
    options: SeedDraftCostOptions = {},
): Promise<void> {
    const repeats = options.repeats ?? defaultVerifySeedRepeats;
    const contextTokens = Math.max(
        text.length,
        seedContextTokens(draft.sequence, options.contextTokens, 2 * (repeats + 1) * (furtherTokens + 2)),
    );
    const history: Token[] = Array.from({ length: contextTokens }, (_, i) => text[i % text.length]!);
    const targetToken = text[0]! as LlamaToken;
    const targetPass = async (): Promise<void> => {
        await target.controlledEvaluate([[targetToken, { generateNext: { token: true } }]]);
        await target.eraseContextTokenRanges([{ start: 0, end: 1 }]);
    };
    /** One drafting call for `k` tokens, timed; the history goes on with what it drafted and one more token. */
    const call = async (k: number): Promise<{ ms: number; drafted: number }> => {
        await targetPass();
        const t0 = performance.now();
        const proposal = await drafter.propose(history, k, undefined, 0);
        const ms = performance.now() - t0;
        history.push(...proposal.tokens, text[history.length % text.length]!);
        return { ms, drafted: proposal.tokens.length };
    };
    try {
        drafter.begin(history.slice());
        await call(1);
        const perCall: number[] = [];
        const perToken: number[] = [];
        for (let r = 0; r < repeats; r++) {
            const one = await call(1);
            const more = await call(1 + furtherTokens);
            if (one.drafted === 1) perCall.push(one.ms);
            if (more.drafted > 1) perToken.push(Math.max(0, more.ms - one.ms) / (more.drafted - 1));
        }
        const median = (xs: number[]): number | undefined =>
            xs.length === 0 ? undefined : xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
        const msPerCall = median(perCall);
        if (msPerCall !== undefined) costs.seedDraft(id, msPerCall, median(perToken) ?? msPerCall);
    } finally {
        await drafter.release(history);
        draft.forget();
        await draft.idle();
        await target.clearHistory();
    }
}

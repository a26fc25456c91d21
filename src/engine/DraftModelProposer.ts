/**
 * A drafter backed by a draft model on its own context sequence (one per slot). It drafts greedily
 * (q one-hot), stops early when its own top-token probability drops below `minConfidence`, and keeps
 * its sequence in step with the request's history: `accept` erases the rejected drafted tokens from its
 * KV state, and each `propose` evaluates what is missing (the target's recovered or bonus token) in the
 * same call that drafts the next token. Before drafting it also erases whatever else of its KV state
 * disagrees with the history, so a slot's previous request leaves only its common prefix behind.
 * Under a request's grammar (`constraint`) it stops at its first token the grammar forbids, spending no
 * pass on a draft the step would cut. It does not draft the most likely *allowed* token instead: that
 * needs the sorted probability map per drafted position, whose sort cost more than the longer drafts
 * saved (bench/e2e/constrainedJson.ts on the bundled pair, 2026-11-28: JSON draft 0.56–0.57x of plain
 * against 0.89–0.90x stopping; drafted tokens 598 against 494, acceptance 0.78 against 0.81).
 */
import type { LlamaContextSequence, Token as LlamaToken } from "node-llama-cpp";
import { commonPrefixLength } from "../speculative/commonPrefixLength.js";
import type { DraftConstraint, DraftProposal, DraftProposer, Token } from "../speculative/types.js";
import { throwIfAborted } from "../util/abort.js";
import { greedyConfidence, greedyWithWeight } from "./greedyConfidence.js";
import type { PassBatcher } from "./PassBatcher.js";

export interface DraftModelProposerOptions {
    /** Stop drafting when the draft's probability of its own next token is below this. */
    minConfidence: number;
}

const greedyNext = { generateNext: { ...greedyWithWeight, options: { temperature: 0 } } } as const;

export class DraftModelProposer implements DraftProposer {
    /** Tokens the sequence holds, in order (mirrors its KV state without copying `contextTokens`). */
    readonly #evaluated: Token[] = [];
    #prefill: Promise<void> | undefined;
    /** `#evaluated.length` when the last proposal's first drafted token was appended to it. */
    #proposedAt = 0;

    constructor(
        readonly id: string,
        readonly sequence: LlamaContextSequence,
        readonly options: DraftModelProposerOptions,
        /** Shared by every slot's drafter on the same draft context, so concurrent drafts share batches. */
        readonly batcher: PassBatcher,
        /** The sequence's id on its context (the slot's index): the batcher orders a batch by it. */
        readonly sequenceId: number,
    ) {}

    /**
     * Starts evaluating the prompt on the draft while the target evaluates it, so the first draft
     * step does not pay for the prompt (on a GPU the two run concurrently).
     */
    begin(prompt: readonly Token[]): void {
        this.#prefill = this.#sync(prompt).then(async () => {
            // Whatever prefix the slot's previous request left in the KV cache is kept.
            const missing = prompt.slice(this.#evaluated.length, -1);
            if (missing.length === 0) return;
            // Through the batcher, like every pass on the draft context, so batches stay in sequence order.
            await this.batcher.run(
                () => this.sequence.evaluateWithoutGeneratingNewTokens(missing as LlamaToken[]),
                missing.length,
                this.sequenceId,
            );
            for (const t of missing) this.#evaluated.push(t);
        });
    }

    async propose(
        history: readonly Token[],
        maxTokens: number,
        signal?: AbortSignal,
        minConfidence = this.options.minConfidence,
        constraint?: DraftConstraint,
    ): Promise<DraftProposal> {
        if (this.#prefill) {
            const prefill = this.#prefill;
            this.#prefill = undefined;
            await prefill;
        }
        if (maxTokens <= 0) return { tokens: [] };
        await this.#sync(history);
        const tokens: Token[] = [];
        const confidences: number[] = [];
        let sharedBatch = false;
        let input = history.slice(this.#evaluated.length);
        this.#proposedAt = history.length;
        while (tokens.length < maxTokens) {
            throwIfAborted(signal);
            const items = input.map((t, i) => (i === input.length - 1 ? ([t, greedyNext] as const) : t));
            const sequence = this.sequence;
            const { value: out, passes } = await this.batcher.run(
                () =>
                    sequence.controlledEvaluate(
                        items as Parameters<LlamaContextSequence["controlledEvaluate"]>[0],
                    ),
                items.length,
                this.sequenceId,
            );
            if (passes > 1) sharedBatch = true;
            for (const t of input) this.#evaluated.push(t);
            const output = out[input.length - 1]?.next;
            const token = output?.token ?? undefined;
            const confidence = greedyConfidence(output) ?? 1;
            if (token === undefined || confidence < minConfidence) break;
            if (constraint) {
                if (!constraint.allows(token, tokens.length)) break;
                constraint.accept(token, tokens.length);
            }
            tokens.push(token);
            confidences.push(confidence);
            input = [token];
        }
        return { tokens, confidences, sharedBatch };
    }

    /**
     * Erases the rejected drafted tokens from the KV state. The drafted tokens after the first were
     * evaluated (each to draft the next), so `acceptedTokens` of them stay.
     */
    async accept(acceptedTokens: number): Promise<void> {
        const keep = this.#proposedAt + acceptedTokens;
        const evaluated = this.#evaluated;
        if (keep >= evaluated.length) return;
        await this.sequence.eraseContextTokenRanges([{ start: keep, end: evaluated.length }]);
        evaluated.length = keep;
    }

    async release(): Promise<void> {
        await this.#prefill?.catch(() => undefined);
        this.#prefill = undefined;
    }

    /**
     * Erases the KV suffix that disagrees with `history`, keeping at least one history token
     * unevaluated so the next evaluation produces the next-token prediction.
     */
    async #sync(history: readonly Token[]): Promise<void> {
        const evaluated = this.#evaluated;
        const common = commonPrefixLength(evaluated, history, history.length - 1);
        if (common < evaluated.length) {
            await this.sequence.eraseContextTokenRanges([{ start: common, end: evaluated.length }]);
            evaluated.length = common;
        }
    }
}

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
import { minCopyTokens } from "./chooseSlot.js";
import { copySequencePrefix } from "./copySequencePrefix.js";
import { loadSequenceState } from "./loadSequenceState.js";

export interface DraftModelProposerOptions {
    /** Stop drafting when the draft's probability of its own next token is below this. */
    minConfidence: number;
    /** Prompt tokens per evaluation while prefilling (see `draftPrefillChunkTokens`). */
    prefillChunkTokens?: number;
}

/**
 * The draft evaluates a prompt this many tokens at a time, and `release` stops between two: a request
 * that ends early (a short answer over a long, prefix-reused prompt) holds its slot for one chunk, not for
 * the draft's whole prefill. Evaluated in one call, a 13k-token agent conversation kept its slot ~5 s after
 * its last token (bundled draft, 2-vCPU EPYC), so the agent's next turn, arriving at once, found the slot
 * busy, took an empty one and evaluated the whole conversation again (~20 s) instead of reusing it. At 256
 * tokens a chunk costs ~0.1 s there, and the extra calls ~1 % of the prefill.
 */
export const draftPrefillChunkTokens = 256;

const greedyNext = { generateNext: { ...greedyWithWeight, options: { temperature: 0 } } } as const;

export class DraftModelProposer implements DraftProposer {
    /** Tokens the sequence holds, in order (mirrors its KV state without copying `contextTokens`). */
    readonly #evaluated: Token[] = [];
    /** The running (or last released) prompt prefill; the next `begin` and `propose` wait for it. */
    #prefill: Promise<void> | undefined;
    /** The running prefill's stop flag, set by `release`: it stops at its next chunk. */
    #run: { stop: boolean } | undefined;
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
        const run = { stop: false };
        this.#run = run;
        const chunkTokens = this.options.prefillChunkTokens ?? draftPrefillChunkTokens;
        // A released request's last chunk may still be running on this sequence: after it.
        void this.#afterPrefill(async () => {
            await this.#sync(prompt);
            // Whatever prefix the slot's previous request left in the KV cache is kept; the last prompt
            // token is left for the first drafting pass (it yields the first draft token).
            const end = prompt.length - 1;
            while (!run.stop && this.#evaluated.length < end) {
                const from = this.#evaluated.length;
                const chunk = prompt.slice(from, Math.min(end, from + chunkTokens));
                // Through the batcher, like every pass on the draft context, so batches stay in sequence order.
                await this.batcher.run(
                    () => this.sequence.evaluateWithoutGeneratingNewTokens(chunk as LlamaToken[]),
                    chunk.length,
                    this.sequenceId,
                );
                for (const t of chunk) this.#evaluated.push(t);
            }
        });
    }

    /**
     * Replaces this draft sequence's cache with the first `count` tokens of `source`'s (copySequencePrefix.ts),
     * after a prefill still running here; the next `begin` and `propose` wait for it. For a slot that took
     * its target prefix from `source`'s slot (chooseSlot.ts): the draft then evaluates only the rest of the
     * prompt. What `source` has not evaluated yet (its prefill may still run) is left to this one's prefill,
     * and nothing is copied when this sequence already holds as much.
     */
    copyPrefixFrom(source: DraftModelProposer, count: number): void {
        void this.#afterPrefill(async () => {
            const want = source.#evaluated.slice(0, count);
            if (commonPrefixLength(this.#evaluated, want) + minCopyTokens > want.length) return;
            const copied = await copySequencePrefix(this.sequence, source.sequence, want);
            this.#evaluated.length = 0;
            if (copied) for (const t of want) this.#evaluated.push(t);
        });
    }

    /**
     * Writes the draft sequence's cache to `file` (llama.cpp's sequence state), after a prefill still running
     * here; resolves to the file's size, 0 when the sequence held nothing (no file written). For a slot whose
     * conversation goes to the host cache (HostKvCache.ts).
     */
    saveState(file: string): Promise<number> {
        // A failed save (a full disk) resolves to 0: it must not fail the next request's drafting, which
        // waits for this chain.
        return this.#afterPrefill(async () =>
            this.#evaluated.length === 0
                ? 0
                : await this.sequence.saveStateToFile(file).then(
                      (saved) => saved.fileSize,
                      () => 0,
                  ),
        );
    }

    /**
     * Replaces the draft sequence's cache with the one `saveState` wrote to `file`, after a prefill still
     * running here; the next `begin` and `propose` wait for it. A file that does not load leaves the
     * sequence empty (its next prefill evaluates the whole prompt).
     */
    restoreState(file: string): Promise<void> {
        return this.#afterPrefill(async () => {
            this.#evaluated.length = 0;
            for (const t of (await loadSequenceState(this.sequence, file)) ?? []) this.#evaluated.push(t);
        });
    }

    /**
     * Erases the draft sequence's cache, after a prefill still running here (the next `begin` and
     * `propose` wait for it): its slot now serves another cache scope, whose requests must not find
     * this one's prompts in it.
     */
    forget(): void {
        void this.#afterPrefill(async () => {
            if (this.#evaluated.length === 0) return;
            await this.sequence.clearHistory();
            this.#evaluated.length = 0;
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

    /**
     * The request ended: a prefill still running stops after its current chunk (`draftPrefillChunkTokens`).
     * Not waited for: the slot serves its next request meanwhile, whose `begin` waits for the chunk.
     */
    release(): Promise<void> {
        if (this.#run) this.#run.stop = true;
        this.#prefill = this.#prefill?.catch(() => undefined);
        return Promise.resolve();
    }

    /** Resolves when no prefill runs on the sequence (before the engine disposes of its contexts). */
    async idle(): Promise<void> {
        await this.#prefill?.catch(() => undefined);
    }

    /** Tokens the draft's sequence holds (its KV state). */
    get evaluatedTokens(): number {
        return this.#evaluated.length;
    }

    /**
     * Runs `work` on the sequence after the prefill (or copy) chained before it; `propose` waits for it.
     * Returns its result (a caller that ignores it leaves a failure to whoever waits for the chain next).
     */
    #afterPrefill<T>(work: () => Promise<T>): Promise<T> {
        const run = (this.#prefill ?? Promise.resolve()).then(work);
        this.#prefill = run.then(() => undefined);
        return run;
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

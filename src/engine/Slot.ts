/**
 * One unit of concurrency: a target context sequence plus, for each loaded draft model, a drafter
 * on its own sequence. A request leases a whole slot from the SequencePool, so it never waits on a
 * draft sequence after it got a target one. The slot remembers what its target sequence holds, which
 * lets the next request reuse the common prompt prefix instead of evaluating it again.
 */
import type {
    ControlledEvaluateIndexOutput,
    ControlledEvaluateInputItem,
    LlamaContextSequence,
} from "node-llama-cpp";
import { commonPrefixLength } from "../speculative/commonPrefixLength.js";
import type { DraftProposer, Token } from "../speculative/types.js";
import type { BatchedPass, PassBatcher } from "./PassBatcher.js";
import type { SlotCache } from "./chooseSlot.js";

/** node-llama-cpp's internal sequence copy (LlamaContextSequence, 3.22; marked internal, so typed here). */
interface SequenceCopy {
    _copyStateFromOtherSequence(other: LlamaContextSequence, upToTokenIndex: number): Promise<boolean>;
}

export class Slot {
    // `index` is also the target sequence's id (and each drafter's on its draft context): the engine takes
    // every context's sequences in slot order from a fresh context, and node-llama-cpp numbers them so.
    // PassBatcher orders a batch by it.
    /** Tokens held by the target sequence's KV cache, in order. */
    readonly targetTokens: Token[] = [];

    constructor(
        readonly index: number,
        readonly target: LlamaContextSequence,
        readonly drafters: ReadonlyMap<string, DraftProposer>,
        /** Shared by every slot of the target context, so concurrent requests' passes share batches. */
        readonly batcher: PassBatcher,
    ) {}

    /** One target pass over `items`, batched with the other slots' passes (see PassBatcher.ts). */
    evaluate(
        items: readonly ControlledEvaluateInputItem[],
    ): Promise<BatchedPass<(ControlledEvaluateIndexOutput | undefined)[]>> {
        return this.batcher.run(
            () => this.target.controlledEvaluate(items as ControlledEvaluateInputItem[]),
            items.length,
            this.index,
        );
    }

    /** Length of the common prefix of the cached target tokens and `tokens` (what reuse would skip). */
    cachedPrefixLength(tokens: readonly Token[]): number {
        return commonPrefixLength(this.targetTokens, tokens, tokens.length - 1);
    }

    /** What this slot's cache is to a request with prompt `tokens` (see chooseSlot.ts). */
    cacheFor(tokens: readonly Token[]): SlotCache {
        return { held: this.targetTokens.length, common: this.cachedPrefixLength(tokens) };
    }

    /**
     * Replaces this slot's target cache with the first `count` tokens of `source`'s (llama.cpp's sequence
     * copy: KV cells are copied, nothing is evaluated); returns whether it holds them now. `source` may be
     * serving a request: node-llama-cpp takes the tokens it has evaluated and their cells together under
     * the context's lock, which its passes take too, and a request never erases its own prompt. node-llama-cpp 3.22 has the copy only as an internal method of a sequence
     * (its decision context uses it): without it, or on models whose caches need checkpoints (recurrent,
     * hybrid, sliding-window), nothing is copied and the slot is left empty. The copy is checked against
     * the tokens node-llama-cpp reports the sequence holds, so a source taken by another request meanwhile
     * can only make it fail, never leave cells and bookkeeping apart.
     */
    async copyPrefixFrom(source: Slot, count: number): Promise<boolean> {
        const want = source.targetTokens.slice(0, count);
        const target = this.target as LlamaContextSequence & Partial<SequenceCopy>;
        let copied = false;
        if (
            want.length === count &&
            typeof target._copyStateFromOtherSequence === "function" &&
            !target.needsCheckpoints
        ) {
            copied = await target._copyStateFromOtherSequence(source.target, count).catch(() => false);
            const now = target.contextTokens;
            copied &&= now.length === count && commonPrefixLength(now, want, count) === count;
        }
        if (!copied) {
            await this.target.clearHistory();
            this.targetTokens.length = 0;
            return false;
        }
        this.targetTokens.length = 0;
        this.appendTarget(want);
        return true;
    }

    /**
     * Makes the target KV cache a prefix of `tokens` by erasing what disagrees; returns how many
     * leading tokens are already evaluated. At least one token is always left to evaluate, because
     * the next-token distribution comes from evaluating the last prompt token.
     */
    async reuseTargetPrefix(tokens: readonly Token[], enabled: boolean): Promise<number> {
        const held = this.targetTokens;
        const common = enabled ? this.cachedPrefixLength(tokens) : 0;
        if (common < held.length) {
            if (common === 0) await this.target.clearHistory();
            else await this.target.eraseContextTokenRanges([{ start: common, end: held.length }]);
            held.length = common;
        }
        return common;
    }

    /** Records tokens evaluated into the target sequence. */
    appendTarget(tokens: readonly Token[]): void {
        for (const t of tokens) this.targetTokens.push(t);
    }

    /** Erases target tokens from `start` on (rejected draft tokens). */
    async truncateTarget(start: number): Promise<void> {
        if (start >= this.targetTokens.length) return;
        await this.target.eraseContextTokenRanges([{ start, end: this.targetTokens.length }]);
        this.targetTokens.length = start;
    }
}

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

    /**
     * The pool's preference among free slots for a request with prompt `tokens` (highest wins, ties to the
     * least recently released). A slot that keeps more of its cache than the request would erase scores
     * the balance (prompt tokens not evaluated again less cached tokens erased); then an empty slot (0);
     * then every other slot alike (-1), so the least recently released is evicted. Taking any slot with a
     * common prefix instead let two sessions that share a token or two (a BOS, a shared opening) take
     * each other's slots and evict each other's caches while other slots sat empty or stale (llama.cpp's
     * server picks a slot by a similar half-similarity rule, else the least recently used).
     */
    leaseScore(tokens: readonly Token[]): number {
        const held = this.targetTokens.length;
        if (held === 0) return 0;
        const common = this.cachedPrefixLength(tokens);
        const balance = common - (held - common);
        return balance > 0 ? balance : -1;
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

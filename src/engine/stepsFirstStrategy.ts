/**
 * How one native batch of the target's context is filled when more is queued than fits (node-llama-cpp's
 * batch item prioritization, a pure function of the queued items and the batch size).
 *
 * node-llama-cpp's default, "maximumParallelism", gives every queued item an equal share of the batch.
 * For decoding steps (a token or a verification pass per sequence) that is what we want, but prompt
 * passes then advance side by side: eight requests arriving together with 200-token prompts each took a
 * 64-token slice of every 512-token batch and all got their first token at the end of the last one (the
 * cost-scaled target over gRPC: first token 5.3–10.6 s at 8 streams, 0.6–1.2 s at one). Serving stacks
 * schedule prefill instead (vLLM's chunked prefill: running requests' decode tokens first, then prompt
 * chunks in the remaining budget), which this does, with node-llama-cpp's own hook.
 *
 * Contract, for the items in queue order and the batch size `size`:
 * 1. Steps first: an item of at most `stepTokens` tokens (a decoding or verification step, or a prompt's
 *    short tail) is taken whole, in queue order, while it fits in the room left for steps, which is the
 *    whole batch when nothing longer is queued and three quarters of it otherwise: a new request's prompt
 *    always advances, even when the running requests' steps would fill every batch. Steps that did not
 *    fit take what room the prompts leave (rule 2), whole.
 * 2. Then prompts, the fewest tokens left first (ties in queue order), each taking all it can: they finish
 *    one after another instead of all at the end, and a short prompt does not wait out a long one. A long
 *    prompt only waits for shorter ones while their tokens fill whole batches, so it is not starved while
 *    the engine keeps up (sequences bound the prompts queued at once).
 * 3. Every call makes progress: with any item queued, at least one is in the result with a positive
 *    amount, and no item's amount exceeds its tokens or the amounts' sum `size`.
 * 4. The result lists its items in queue order (the batch is filled in that order).
 * Items left out are queued for the next batch of the same dispatch (node-llama-cpp loops until its
 * queue is empty).
 */
import type { BatchItem, CustomBatchingPrioritizationStrategy, PrioritizedBatchItem } from "node-llama-cpp";

/** Share of a batch that prompt passes always get when queued (rule 1). */
export const promptShare = 0.25;

export function stepsFirstStrategy(stepTokens: number): CustomBatchingPrioritizationStrategy {
    return ({ items, size }) => {
        const amounts = new Map<BatchItem, number>();
        const long: BatchItem[] = [];
        const skipped: BatchItem[] = [];
        for (const item of items) if (item.tokens.length > stepTokens) long.push(item);
        const stepRoom = long.length > 0 ? size - Math.ceil(size * promptShare) : size;
        let room = size;
        for (const item of items) {
            const n = item.tokens.length;
            if (n > stepTokens || n === 0) continue;
            if (size - room + n > stepRoom) skipped.push(item);
            else {
                amounts.set(item, n);
                room -= n;
            }
        }
        // Stable: equal lengths keep queue order.
        long.sort((a, b) => a.tokens.length - b.tokens.length);
        for (const item of long) {
            if (room <= 0) break;
            const amount = Math.min(item.tokens.length, room);
            amounts.set(item, amount);
            room -= amount;
        }
        // Room the prompts left: steps that waited for it.
        for (const item of skipped) {
            if (item.tokens.length > room) continue;
            amounts.set(item, item.tokens.length);
            room -= item.tokens.length;
        }
        if (amounts.size === 0) {
            // A batch smaller than the first step: that step, clipped (node-llama-cpp finishes it next batch).
            const first = items.find((i) => i.tokens.length > 0);
            if (first) amounts.set(first, Math.min(first.tokens.length, size));
        }
        // In queue order: the batch keeps the sequence order the PassBatcher started passes in (llama.cpp
        // splits a batch into micro-batches by runs of increasing sequence ids; PassBatcher.ts).
        const result: PrioritizedBatchItem[] = [];
        for (const item of items) {
            const processAmount = amounts.get(item);
            if (processAmount !== undefined) result.push({ item, processAmount });
        }
        return result;
    };
}

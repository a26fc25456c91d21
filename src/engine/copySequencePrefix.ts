/**
 * Copies the KV cache of `source`'s first `want.length` tokens into `target` (llama.cpp's sequence copy:
 * cells are copied, nothing is evaluated), replacing what `target` held. Returns whether `target` now holds
 * exactly `want`; when not, it holds nothing (cleared), so cells and the caller's bookkeeping never part.
 *
 * node-llama-cpp 3.22 has the copy only as an internal method of a sequence (its decision context uses it
 * to fork evaluations); it takes the source's evaluated tokens and cells together under the context's
 * lock, which every pass takes too, so `source` may be serving a request. The result is checked against
 * the tokens node-llama-cpp reports `target` holds: a source that changed its first `want.length` tokens
 * meanwhile makes the copy fail, never wrong. Without the method, or on models whose caches need
 * checkpoints to be reused (recurrent, hybrid, sliding-window), nothing is copied.
 */
import type { LlamaContextSequence } from "node-llama-cpp";
import { commonPrefixLength } from "../speculative/commonPrefixLength.js";
import type { Token } from "../speculative/types.js";

/** node-llama-cpp's internal sequence copy (LlamaContextSequence, 3.22; marked internal, so typed here). */
interface SequenceCopy {
    _copyStateFromOtherSequence(other: LlamaContextSequence, upToTokenIndex: number): Promise<boolean>;
}

export async function copySequencePrefix(
    target: LlamaContextSequence,
    source: LlamaContextSequence,
    want: readonly Token[],
): Promise<boolean> {
    const copy = (target as LlamaContextSequence & Partial<SequenceCopy>)._copyStateFromOtherSequence;
    const count = want.length;
    let copied = false;
    if (typeof copy === "function" && !target.needsCheckpoints && count > 0) {
        copied = await copy.call(target, source, count).catch(() => false);
        const now = target.contextTokens;
        copied &&= now.length === count && commonPrefixLength(now, want, count) === count;
    }
    if (!copied) await target.clearHistory();
    return copied;
}

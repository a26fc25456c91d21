/**
 * Which free slot a request takes, and whether it first copies another slot's KV prefix (pure).
 *
 * A slot's cache is one conversation (a prompt and what was generated after it). Requests of a coding
 * agent's sub-agents share a long prefix (the system prompt and tools) and differ after it; the same
 * conversation comes back next turn with a few tokens at the end changed (its answer re-rendered) and a
 * new turn appended. Taking a slot erases what it holds past the common prefix, so a rule that only
 * counts what the request saves (llama.cpp's server takes a slot whose prompt is at least half similar)
 * lets sibling sessions take each other's slots: each sub-agent's turn erased its sibling's private tail
 * and evaluated its own again while other slots sat empty (3 sub-agents, 4 slots, a 2,419-token shared
 * prompt and ~1,000-token tails over gRPC: every later turn reused 2,419 of ~3,450 tokens, TTFT ~850 ms).
 * Copying the shared prefix into another slot (llama.cpp's sequence copy, ~1 ms for a 16k-token sequence
 * on a CPU) keeps both, as a paged prefix cache would.
 *
 * Contract, for free slots given least recently released first, and the busy slots' caches:
 * 1. A free slot the request continues is taken in place, the one reusing most, unless copying another
 *    slot's prefix would reuse at least `minCopyTokens` more. It continues a slot when it shares all of
 *    the slot's last prompt but perhaps its last token (it erases only that request's answer: the same
 *    conversation's next turn, whose answer re-rendered need not tokenize as generated, or a retry), or
 *    when what it would erase is at most a quarter of what it reuses.
 * 2. Otherwise, when some slot, free or busy, holds a common prefix of at least `minCopyTokens`, the
 *    request takes an empty slot, else the least recently released one, and copies the longest such
 *    prefix (a busy slot's only where it is `minCopyTokens` longer than any free slot's) into it (in
 *    place when the slot to take is the one holding it). So what is erased is a whole
 *    least-recently-used cache, never a more recent conversation's tail; and a sub-agent starting while
 *    its sibling generates does not evaluate their shared prompt again. A busy slot's cache is what its
 *    request has evaluated so far (its prompt stays put while it generates), or the prompt its running
 *    prompt pass will hold: the request then waits for that pass (Slot.choose).
 * 3. Otherwise it takes, in place, the free slot with the longest common prefix when that is more than
 *    half of what the slot holds (a retried request erases only its previous answer); else an empty
 *    slot, else the least recently released one.
 * Ties go to the least recently released, then to free slots. With no free slot there is nothing to
 * choose.
 */

/** What a free slot's cache is to a request. */
export interface SlotCache {
    /** Tokens the slot's target sequence holds. */
    readonly held: number;
    /** Of those, the leading ones the request's prompt shares (what it would not evaluate again). */
    readonly common: number;
    /** Of those, the leading ones that were the last request's prompt (the rest is its output); 0 unknown. */
    readonly prompt?: number;
}

export interface SlotChoice {
    /** Index of the free slot to take. */
    readonly take: number;
    /** The slot whose first `copyTokens` tokens are copied into the taken slot first. */
    readonly copyFrom?: { readonly busy: boolean; readonly index: number };
    readonly copyTokens?: number;
}

/**
 * Smallest prefix worth a copy. A copy is a buffer copy of the source sequence's KV cells, not an
 * evaluation; below a few dozen tokens it saves little and would still move the request to another slot.
 */
export const minCopyTokens = 64;

export function chooseSlot(
    free: readonly SlotCache[],
    busy: readonly SlotCache[] = [],
    minCopy = minCopyTokens,
): SlotChoice {
    let kept = -1; // rule 1: reuses most with little erased
    let donor = -1; // the free slot with the longest common prefix
    let empty = -1;
    for (let i = 0; i < free.length; i++) {
        const { held, common } = free[i]!;
        if (held === 0) {
            if (empty < 0) empty = i;
            continue;
        }
        const prompt = free[i]!.prompt ?? 0;
        const continues = (prompt > 0 && common + 1 >= prompt) || (held - common) * 4 <= common;
        if (common > 0 && continues && (kept < 0 || common > free[kept]!.common)) kept = i;
        if (common > 0 && (donor < 0 || common > free[donor]!.common)) donor = i;
    }
    const freeCommon = donor >= 0 ? free[donor]!.common : 0;
    // A busy slot is a donor only where it holds minCopy more than any free one: a copy from a free slot
    // (or none, in place) is as good otherwise.
    let busyDonor = -1;
    for (let i = 0; i < busy.length; i++)
        if (
            busy[i]!.common >= freeCommon + minCopy &&
            (busyDonor < 0 || busy[i]!.common > busy[busyDonor]!.common)
        )
            busyDonor = i;
    const best = busyDonor >= 0 ? busy[busyDonor]!.common : freeCommon;
    if (kept >= 0 && free[kept]!.common + minCopy > best) return { take: kept };
    const victim = empty >= 0 ? empty : 0;
    if (best >= minCopy) {
        if (busyDonor >= 0)
            return { take: victim, copyFrom: { busy: true, index: busyDonor }, copyTokens: best };
        if (donor !== victim)
            return { take: victim, copyFrom: { busy: false, index: donor }, copyTokens: best };
        return { take: donor };
    }
    if (donor >= 0 && freeCommon * 2 > free[donor]!.held) return { take: donor };
    return { take: victim };
}

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
 * Contract, for free slots given least recently released first:
 * 1. A slot whose cache the request keeps nearly whole (what it would erase is at most a quarter of what
 *    it reuses: the same conversation's next turn) is taken in place, the one reusing most, unless
 *    copying another slot's prefix would reuse at least `minCopyTokens` more.
 * 2. Otherwise, when some slot holds a common prefix of at least `minCopyTokens`, the request takes an
 *    empty slot, else the least recently released one, and copies that prefix into it (in place when the
 *    slot to take is the one holding the prefix). So what is erased is a whole least-recently-used
 *    cache, never a more recent conversation's tail.
 * 3. Otherwise it takes, in place, the slot with the longest common prefix when that is more than half
 *    of what the slot holds (a retried request erases only its previous answer); else an empty slot,
 *    else the least recently released one.
 * Ties go to the least recently released. With no free slot there is nothing to choose.
 */

/** What a free slot's cache is to a request. */
export interface SlotCache {
    /** Tokens the slot's target sequence holds. */
    readonly held: number;
    /** Of those, the leading ones the request's prompt shares (what it would not evaluate again). */
    readonly common: number;
}

export interface SlotChoice {
    /** Index of the slot to take. */
    readonly take: number;
    /** Index of the slot whose first `copyTokens` tokens are copied into the taken slot first. */
    readonly copyFrom?: number;
    readonly copyTokens?: number;
}

/**
 * Smallest prefix worth a copy. A copy is a buffer copy of the source sequence's KV cells, not an
 * evaluation; below a few dozen tokens it saves little and would still move the request to another slot.
 */
export const minCopyTokens = 64;

export function chooseSlot(free: readonly SlotCache[], minCopy = minCopyTokens): SlotChoice {
    let kept = -1; // rule 1: reuses most with little erased
    let donor = -1; // the longest common prefix anywhere
    let empty = -1;
    for (let i = 0; i < free.length; i++) {
        const { held, common } = free[i]!;
        if (held === 0) {
            if (empty < 0) empty = i;
            continue;
        }
        if (common > 0 && (held - common) * 4 <= common && (kept < 0 || common > free[kept]!.common))
            kept = i;
        if (common > 0 && (donor < 0 || common > free[donor]!.common)) donor = i;
    }
    const donorCommon = donor >= 0 ? free[donor]!.common : 0;
    if (kept >= 0 && free[kept]!.common + minCopy > donorCommon) return { take: kept };
    const victim = empty >= 0 ? empty : 0;
    if (donorCommon >= minCopy && donor !== victim)
        return { take: victim, copyFrom: donor, copyTokens: donorCommon };
    if (donorCommon >= minCopy) return { take: donor };
    if (donor >= 0 && donorCommon * 2 > free[donor]!.held) return { take: donor };
    return { take: victim };
}

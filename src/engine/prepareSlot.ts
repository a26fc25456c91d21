/**
 * Readies a leased slot for a request before its prompt pass: the conversation it pushes out goes to the
 * host cache, the slot enters the request's cache scope, and the longest prefix on offer is put in it:
 * the slot's own (reused in place by generate), another slot's (copied, chooseSlot.ts), or a saved
 * conversation's (loaded from the host cache, HostKvCache.ts).
 */
import type { Token } from "../speculative/types.js";
import { untilSettledOrAborted } from "../util/abort.js";
import type { Logger } from "../util/logger.js";
import type { HostKvCache } from "./HostKvCache.js";
import type { Donor, Slot } from "./Slot.js";

export interface PreparedSlot {
    /** Whether the slot's cached tokens may be reused (same scope, or put there for this request). */
    readonly reusable: boolean;
    /** Leading prompt tokens copied from another slot. */
    readonly copied: number;
    /** Leading prompt tokens loaded from the host cache. */
    readonly restored: number;
}

/** What `planHostCache` decides from. */
export interface HostCacheFacts {
    /** Tokens the slot holds, and how many of them the request keeps in place (0 for another scope). */
    readonly held: number;
    readonly keptInPlace: number;
    /** Prompt tokens of the slot's last request (what a request continuing its conversation keeps). */
    readonly lastPrompt: number;
    /** Tokens a copy from another slot would put in it (chooseSlot.ts), if any. */
    readonly donorTokens: number;
    /**
     * The host cache's best entry for the prompt: the prefix it shares, all it holds, and the expected ms
     * to load it (HostCacheCosts.loadMs; undefined before a save or load was measured).
     */
    readonly match?: { readonly common: number; readonly entryTokens: number; readonly loadMs?: number };
    /** Whether the host cache would take the slot's conversation (HostKvCache.wants). */
    readonly worthSaving: boolean;
    /** Expected ms to save the slot's conversation and load it back (undefined: not measured yet). */
    readonly roundTripMs?: number;
    /** Measured ms to evaluate a prompt token (undefined: not measured yet). */
    readonly evalMsPerToken?: number;
    readonly minTokens: number;
}

/**
 * Pure. Restore an entry when it gives at least `minTokens` more than the slot gets otherwise (in place or
 * copied), and loading it is expected to cost less than evaluating what it gains (HostCacheCosts.ts; until
 * costs are measured: when it gains at least a quarter of what it loads, a load costing by the entry's
 * size). Save the slot's conversation when the request does not continue it (keeps less than its last
 * prompt) and erases at least `minTokens` of it, and, once costs are measured, when saving and loading it
 * back costs less than half of evaluating what is erased (a saved conversation may never return).
 */
export function planHostCache(f: HostCacheFacts): { save: boolean; restore: boolean; takeover: boolean } {
    const inDevice = f.donorTokens > 0 ? f.donorTokens : f.keptInPlace;
    const { match, evalMsPerToken: evalMs } = f;
    const gain = match ? match.common - inDevice : 0;
    const restore =
        match !== undefined &&
        gain >= f.minTokens &&
        (match.loadMs !== undefined && evalMs !== undefined
            ? match.loadMs < gain * evalMs
            : gain * 4 >= match.entryTokens);
    const kept = restore || f.donorTokens > 0 ? 0 : f.keptInPlace;
    const erased = f.held - kept;
    const takeover = kept < f.lastPrompt && erased >= f.minTokens;
    const save = takeover && f.worthSaving && savePays(f.roundTripMs, evalMs, erased);
    return { save, restore, takeover };
}

/**
 * Whether saving a conversation and loading it back (`roundTripMs`) costs less than half of evaluating the
 * `tokens` it keeps (a saved conversation may never return); true before the costs are measured.
 */
function savePays(
    roundTripMs: number | undefined,
    evalMsPerToken: number | undefined,
    tokens: number,
): boolean {
    return (
        roundTripMs === undefined || evalMsPerToken === undefined || 2 * roundTripMs < tokens * evalMsPerToken
    );
}

export async function prepareSlot(
    slot: Slot,
    request: { readonly prompt: readonly Token[]; readonly scope: string; readonly donor?: Donor },
    cache: HostKvCache | undefined,
    signal: AbortSignal | undefined,
    log: Logger,
): Promise<PreparedSlot> {
    const { prompt, scope, donor } = request;
    // A save started while the slot was free (saveAhead) finishes before the slot changes.
    if (slot.saving) await slot.saving;
    const match = cache?.match(prompt, scope);
    if (cache) {
        const held = slot.targetTokens;
        const { costs } = cache;
        const evalMsPerToken = costs.evalMsPerToken;
        const roundTripMs = costs.roundTripMs(held.length);
        const loadMs = match && costs.loadMs(match.entry.targetBytes);
        const plan = planHostCache({
            held: held.length,
            keptInPlace: scope === slot.scope ? slot.cachedPrefixLength(prompt) : 0,
            lastPrompt: slot.lastPrompt,
            donorTokens: donor?.tokens ?? 0,
            match: match && {
                common: match.common,
                entryTokens: match.entry.tokens.length,
                ...(loadMs !== undefined && { loadMs }),
            },
            worthSaving: cache.wants(held, slot.scope),
            ...(roundTripMs !== undefined && { roundTripMs }),
            ...(evalMsPerToken !== undefined && { evalMsPerToken }),
            minTokens: cache.minTokens,
        });
        costs.observeTakeover(plan.takeover);
        // Pinned before the save: saves ending meanwhile (this one, other slots') add entries that may
        // evict or supersede the one matched, and would delete its files before it loads.
        const done = plan.restore && match ? cache.use(match.entry) : undefined;
        if (plan.save) await saveConversation(slot, cache, log);
        if (done && match) {
            slot.enterScope(scope);
            slot.lastPrompt = prompt.length;
            const startedAt = performance.now();
            const { loaded, drafts } = await slot
                .restoreState(match.entry)
                .catch(() => ({ loaded: false, drafts: Promise.resolve() }));
            void drafts.then(done, done);
            cache.loadEnded(loaded);
            if (loaded) {
                costs.observeLoad(match.entry.targetBytes, performance.now() - startedAt);
                return { reusable: true, copied: 0, restored: match.common };
            }
            cache.discard(match.entry);
            log.warn("host KV cache: a saved conversation did not load; evaluating its prompt", {
                file: match.entry.targetFile,
            });
        }
    }
    // A slot that held another cache scope's tokens reuses none of them (a donor is of this scope).
    const sameScope = slot.enterScope(scope);
    slot.lastPrompt = prompt.length;
    // A sibling's prompt pass still running holds the prefix: wait for it rather than evaluate it too.
    if (donor?.ready) await untilSettledOrAborted(donor.ready, signal);
    const copied = donor && (await slot.copyPrefixFrom(donor.slot, donor.tokens)) ? donor.tokens : 0;
    return { reusable: sameScope || copied > 0, copied, restored: 0 };
}

/**
 * While the engine is idle, saves the conversation of the free slot to be taken over next (the least
 * recently released) when the host cache would take it and the measured costs say it may pay, so the
 * request that takes the slot over does not wait for the save (an agent's next turn, or another session's,
 * comes after its tools ran: seconds in which the engine has nothing else to do). Nobody's passes wait for
 * it: the engine is idle; a request arriving meanwhile waits at most for this save. Only while most recent
 * requests took over another conversation's slot (sessions outnumber sequences) and no free slot is empty:
 * otherwise the slot is more likely continued than taken over, and its own next turn would wait for a
 * save it does not need (three sessions on four sequences: later turns 46.8 → 59.7 ms before this rule).
 */
export function saveAhead(free: readonly Slot[], released: Slot, cache: HostKvCache, log: Logger): void {
    const slot = free[0];
    // The slot just released is most likely continued next (its agent's next turn): never it.
    if (!slot || slot === released || slot.saving || cache.costs.takeoverRate <= 0.5) return;
    if (free.some((s) => s.targetTokens.length === 0)) return;
    const held = slot.targetTokens.length;
    if (!cache.wants(slot.targetTokens, slot.scope)) return;
    if (!savePays(cache.costs.roundTripMs(held), cache.costs.evalMsPerToken, held)) return;
    const saving = saveConversation(slot, cache, log).finally(() => {
        slot.saving = undefined;
    });
    slot.saving = saving;
}

/**
 * Saves the slot's conversation to `cache`; returns when the target sequence may be overwritten. The entry
 * appears when its draft files are written too (they follow the drafts' running prefills).
 */
async function saveConversation(slot: Slot, cache: HostKvCache, log: Logger): Promise<void> {
    const tokens = slot.targetTokens.slice();
    const { scope, lastPrompt } = slot;
    const startedAt = performance.now();
    const { target, saved } = slot.saveState(cache.nextBase());
    saved.then(
        (state) => {
            cache.saveEnded(true);
            cache.add(scope, tokens, lastPrompt, state);
        },
        (error: unknown) => {
            if (cache.saveEnded(false))
                log.warn(
                    "host KV cache: saving a conversation failed; requests are served without it until a save succeeds",
                    {
                        error: (error as Error).message,
                        path: cache.path,
                    },
                );
        },
    );
    const bytes = await target.catch(() => 0);
    if (bytes > 0) cache.costs.observeSave(tokens.length, bytes, performance.now() - startedAt);
}

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
import { unlink } from "node:fs/promises";
import { commonPrefixLength } from "../speculative/commonPrefixLength.js";
import type { DraftProposer, Token } from "../speculative/types.js";
import type { BatchedPass, PassBatcher } from "./PassBatcher.js";
import { chooseSlot, type SlotCache } from "./chooseSlot.js";
import { copySequencePrefix } from "./copySequencePrefix.js";
import { loadSequenceState } from "./loadSequenceState.js";
import { NgramProposer, type NgramProposerOptions } from "../speculative/NgramProposer.js";
import { DraftModelProposer } from "./DraftModelProposer.js";
import type { HostKvEntry, SavedState } from "./HostKvCache.js";
import { TranslatingDraftProposer } from "./TranslatingDraftProposer.js";

/** A slot whose first `tokens` cached tokens a request copies into the slot it takes. */
export interface Donor {
    readonly slot: Slot;
    readonly tokens: number;
    /** Set when the tokens are in the donor's prompt pass still running: settles when it ends. */
    readonly ready?: Promise<void>;
}

export class Slot {
    // `index` is also the target sequence's id (and each drafter's on its draft context): the engine takes
    // every context's sequences in slot order from a fresh context, and node-llama-cpp numbers them so.
    // PassBatcher orders a batch by it.
    /** Tokens held by the target sequence's KV cache, in order. */
    readonly targetTokens: Token[] = [];
    /** The cache scope of the requests whose tokens the slot holds (GenerateRequest.cacheScope). */
    #scope = "";
    /** Prompt tokens of the slot's last request: what it holds beyond them is that request's output. */
    lastPrompt = 0;
    /** The slot's n-gram drafter, kept from request to request: its index follows the slot's tokens. */
    #ngram: NgramProposer | undefined;
    /** A save of the slot's conversation to the host cache started while it was free (prepareSlot.ts). */
    saving: Promise<void> | undefined;
    /** Told each prompt pass's length and duration (the host KV cache's costs: HostCacheCosts.ts). */
    onPromptPass: ((tokens: number, ms: number) => void) | undefined;
    /** The prompt whose pass is running on the slot, and when that pass settles (see `evaluatePrompt`). */
    #pending: { readonly tokens: readonly Token[]; readonly settled: Promise<void> } | undefined;

    constructor(
        readonly index: number,
        readonly target: LlamaContextSequence,
        readonly drafters: ReadonlyMap<string, DraftProposer>,
        /** Shared by every slot of the target context, so concurrent requests' passes share batches. */
        readonly batcher: PassBatcher,
    ) {}

    /** The cache scope of the tokens the slot holds. */
    get scope(): string {
        return this.#scope;
    }

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

    /**
     * The slot's request may submit passes from now on (`true`) or submits no more (`false`): on the
     * target's batcher and each draft model's (PassBatcher.enter/leave).
     */
    submitsPasses(active: boolean): void {
        for (const batcher of [this.batcher, ...this.#draftModels().map((m) => m.batcher)])
            if (active) batcher.enter();
            else batcher.leave();
    }

    /** The slot's draft-model drafters (a translating drafter's inner one). */
    #draftModels(): DraftModelProposer[] {
        return [...this.drafters.values()].flatMap((d) => {
            const model = d instanceof TranslatingDraftProposer ? d.inner : d;
            return model instanceof DraftModelProposer ? [model] : [];
        });
    }

    /** Length of the common prefix of the cached target tokens and `tokens` (what reuse would skip). */
    cachedPrefixLength(tokens: readonly Token[]): number {
        return commonPrefixLength(this.targetTokens, tokens, tokens.length - 1);
    }

    /**
     * Which of the `free` slots (least recently released first) a request with prompt `tokens` takes, and
     * which slot of `all` to copy a prefix from first (chooseSlot.ts).
     */
    static choose(
        free: readonly Slot[],
        all: readonly Slot[],
        tokens: readonly Token[],
        scope: string,
    ): { take: number; donor?: Donor } {
        const busy = all.filter((s) => !free.includes(s));
        const choice = chooseSlot(
            free.map((s) => s.cacheFor(tokens, scope)),
            busy.map((s) => s.cacheFor(tokens, scope)),
        );
        const from = choice.copyFrom;
        if (!from) return { take: choice.take };
        const slot = (from.busy ? busy : free)[from.index]!;
        const tokensWanted = choice.copyTokens!;
        const pending = slot.#pending;
        const ready = pending && slot.targetTokens.length < tokensWanted ? pending.settled : undefined;
        return { take: choice.take, donor: { slot, tokens: tokensWanted, ...(ready && { ready }) } };
    }

    /**
     * The slot's n-gram drafter (created on first use with `options`, the engine's). A request indexes only
     * what it adds to the prefix the previous one left (NgramProposer.begin): a 13.5k-token agent
     * conversation took 4–22 ms to index on every request before its prompt pass.
     */
    ngram(options: NgramProposerOptions): NgramProposer {
        return (this.#ngram ??= new NgramProposer(options));
    }

    /**
     * What this slot's cache is to a request with prompt `tokens` in cache scope `scope` (see
     * chooseSlot.ts): nothing in common when the slot holds another scope's tokens.
     */
    cacheFor(tokens: readonly Token[], scope: string): SlotCache {
        const held = this.targetTokens.length;
        const sameScope = scope === this.#scope;
        let common = sameScope ? this.cachedPrefixLength(tokens) : 0;
        // A busy slot evaluating its prompt will hold it: a sibling sent at the same moment waits for that
        // pass and copies the shared part rather than evaluating it beside it (see Slot.choose), when it
        // shares at least half of what that pass evaluates (never waiting out a long prompt for a short
        // prefix).
        const pending = this.#pending;
        if (pending && sameScope && common === held) {
            const shared = commonPrefixLength(pending.tokens, tokens, tokens.length - 1);
            if ((shared - held) * 2 >= pending.tokens.length - held) common = Math.max(common, shared);
        }
        return { held, common, prompt: this.lastPrompt };
    }

    /**
     * The request's prompt pass over `rest` (`items`, the prompt after the reused prefix; `prompt`, all of
     * it), recorded into `targetTokens` when it succeeds. While it runs, other requests see the prompt as
     * what this slot will hold (cacheFor); a sibling waiting for it resumes after the tokens are recorded.
     */
    async evaluatePrompt(
        items: readonly ControlledEvaluateInputItem[],
        rest: readonly Token[],
        prompt: readonly Token[],
    ): Promise<BatchedPass<(ControlledEvaluateIndexOutput | undefined)[]>> {
        const startedAt = performance.now();
        const pass = this.evaluate(items).then((out) => {
            this.appendTarget(rest);
            this.onPromptPass?.(items.length, performance.now() - startedAt);
            return out;
        });
        const settled = pass.then(
            () => undefined,
            () => undefined,
        );
        this.#pending = { tokens: prompt, settled };
        try {
            return await pass;
        } finally {
            this.#pending = undefined;
        }
    }

    /**
     * A request of cache scope `scope` took the slot; returns whether its cached tokens may be reused
     * (same scope). On a change of scope the drafters' caches are erased too (before their next prefill);
     * the target's is erased by the request, which reuses nothing of it.
     */
    enterScope(scope: string): boolean {
        if (scope === this.#scope) return true;
        this.#scope = scope;
        this.#ngram?.forget();
        for (const model of this.#draftModels()) model.forget();
        return false;
    }

    /**
     * Replaces this slot's target cache with the first `count` tokens of `source`'s (copySequencePrefix.ts:
     * `source` may be serving a request, whose prompt stays put); returns whether it holds them now. A
     * failed copy leaves the slot empty; a source holding fewer than `count` leaves it as it was. Draft
     * models on the target's vocabulary start taking the same prefix from `source`'s (in the background,
     * before their next prefill).
     */
    async copyPrefixFrom(source: Slot, count: number): Promise<boolean> {
        const want = source.targetTokens.slice(0, count);
        // The source no longer holds them (its prompt pass failed): nothing copied, this slot as it was.
        if (want.length !== count) return false;
        const copied = await copySequencePrefix(this.target, source.target, want);
        this.targetTokens.length = 0;
        if (!copied) return false; // the sequence was cleared
        this.appendTarget(want);
        for (const [id, drafter] of this.drafters) {
            const from = source.drafters.get(id);
            if (drafter instanceof DraftModelProposer && from instanceof DraftModelProposer)
                drafter.copyPrefixFrom(from, count);
        }
        return true;
    }

    /**
     * Writes the slot's caches to files named from `base` (HostKvCache.ts): the target's at once, the draft
     * models' (those on the target's vocabulary) after their running prefill, so whatever the slot's next
     * request does to a draft sequence follows its save. `target` settles when the target sequence may be
     * overwritten (to the target file's size); `saved`, when every file is written (a draft whose save
     * failed is left out).
     */
    saveState(base: string): { target: Promise<number>; saved: Promise<SavedState> } {
        const drafts = [...this.drafters].flatMap(([id, drafter], i) => {
            if (!(drafter instanceof DraftModelProposer)) return [];
            const file = `${base}.draft${i}.kv`;
            return [{ id, file, size: drafter.saveState(file).catch(() => 0) }];
        });
        const targetFile = `${base}.target.kv`;
        const target = this.target.saveStateToFile(targetFile);
        const saved = (async () => {
            const sizes = await Promise.all(drafts.map((d) => d.size));
            let targetBytes: number;
            try {
                targetBytes = (await target).fileSize;
            } catch (error) {
                const files = [targetFile, ...drafts.map((d) => d.file)];
                await Promise.all(files.map((f) => unlink(f).catch(() => undefined)));
                throw error;
            }
            let bytes = targetBytes;
            const draftFiles = new Map<string, string>();
            drafts.forEach(({ id, file }, i) => {
                // Held nothing (no file), or failed (a partial file perhaps).
                if (sizes[i]! === 0) return void unlink(file).catch(() => undefined);
                draftFiles.set(id, file);
                bytes += sizes[i]!;
            });
            return { targetFile, draftFiles, bytes, targetBytes };
        })();
        return { target: target.then(({ fileSize }) => fileSize), saved };
    }

    /**
     * Loads `entry`'s saved caches into the slot: the target's now, the draft models' after their running
     * prefill (`drafts` settles when those are loaded). `loaded` is whether the target now holds the entry's
     * tokens; when not, it holds nothing. For a request whose conversation was saved (HostKvCache.ts).
     */
    async restoreState(entry: HostKvEntry): Promise<{ loaded: boolean; drafts: Promise<void> }> {
        this.targetTokens.length = 0;
        const now = await loadSequenceState(this.target, entry.targetFile);
        const count = entry.tokens.length;
        const loaded = now?.length === count && commonPrefixLength(now, entry.tokens, count) === count;
        if (!loaded) {
            if (now) await this.target.clearHistory();
            return { loaded, drafts: Promise.resolve() };
        }
        this.appendTarget(entry.tokens);
        const drafts: Promise<void>[] = [];
        for (const [id, drafter] of this.drafters) {
            const file = entry.draftFiles.get(id);
            if (file !== undefined && drafter instanceof DraftModelProposer)
                drafts.push(drafter.restoreState(file));
        }
        return { loaded, drafts: Promise.all(drafts).then(() => undefined) };
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

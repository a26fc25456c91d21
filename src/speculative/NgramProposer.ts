/**
 * Model-free prompt-lookup drafter: drafts the tokens that followed the most recent earlier occurrence
 * of the longest matching suffix n-gram of `history` (prompt + generated tokens, see {@link NgramIndex}).
 * Cheap and synchronous; strong on code edits and quotes of the prompt, silent (0 tokens) elsewhere.
 *
 * `begin` indexes the prompt, keeping what the index already holds of it: a proposer kept with a
 * sequence (one per engine slot) indexes only what a request adds to the prefix the slot reuses, since
 * `release` keeps the index (NgramIndex.truncate undoes the rest exactly). `propose` keeps the
 * {@link NgramIndex} in sync with `history`: when `history` extends the indexed sequence only the new
 * tokens are indexed; when it does not (a caller that skipped `begin`) the index is cut back to what they
 * share. Whether it extends it is a linear integer compare, except
 * for the array last synced grown in place (the engine's and AUTO's prompt replay's histories are
 * append-only), which is checked over its last `tailCheck` indexed tokens only: a whole compare per
 * call cost O(context) a step and made the replay of a 32k-token prompt ~2 ms dearer (session 9). An
 * array edited in place further back would leave the index stale, which can cost acceptance but never
 * exactness (every draft is verified). It follows `history` alone, so it has no `accept`. Drafts are
 * deterministic, so proposals carry no `dists` (q is one-hot).
 */
import { commonPrefixLength } from "./commonPrefixLength.js";
import { NgramIndex, type NgramIndexOptions } from "./NgramIndex.js";
import type { DraftProposal, DraftProposer, Token } from "./types.js";

/**
 * `minN`: shortest n-gram to match. Defaults to `defaultNgramMinN` (2).
 * `maxN`: longest n-gram to match, tried first. Defaults to `defaultNgramMaxN` (4).
 */
export type NgramProposerOptions = NgramIndexOptions;

/** Indexed tokens compared again when the same history array comes back longer. */
const tailCheck = 16;

export class NgramProposer implements DraftProposer {
    readonly id = "ngram";
    readonly #index: NgramIndex;
    /** The history array last synced with (see the class comment). */
    #synced: readonly Token[] | undefined;

    constructor(options: NgramProposerOptions = {}) {
        this.#index = new NgramIndex(options);
    }

    begin(prompt: readonly Token[]): void {
        const common = commonPrefixLength(this.#index.tokens, prompt);
        this.#index.truncate(common);
        this.#index.append(prompt, common);
        this.#synced = prompt;
    }

    propose(history: readonly Token[], maxTokens: number): DraftProposal {
        this.#sync(history);
        return { tokens: this.#index.lookup(maxTokens) };
    }

    /** `propose` with the match's length, measured up to `measureUpTo` (NgramIndex.lookupMatch). */
    proposeMatch(
        history: readonly Token[],
        maxTokens: number,
        measureUpTo: number,
    ): { tokens: Token[]; matchLength: number } {
        this.#sync(history);
        return this.#index.lookupMatch(maxTokens, measureUpTo);
    }

    /** Keeps the index for the next request on the same sequence (`begin` cuts it back as needed). */
    release(): void {
        this.#synced = undefined;
    }

    /** Empties the index: its sequence now serves another cache scope (indexing time must not tell). */
    forget(): void {
        this.#index.reset();
        this.#synced = undefined;
    }

    #sync(history: readonly Token[]): void {
        const indexed = this.#index.tokens;
        const n = indexed.length;
        let extending = history.length >= n;
        for (let i = history === this.#synced ? Math.max(0, n - tailCheck) : 0; extending && i < n; i++)
            extending = indexed[i] === history[i];
        if (!extending) this.#index.truncate(commonPrefixLength(indexed, history));
        this.#index.append(history, this.#index.length);
        this.#synced = history;
    }
}

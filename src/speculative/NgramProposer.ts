/**
 * Model-free prompt-lookup drafter: drafts the tokens that followed the most recent earlier occurrence
 * of the longest matching suffix n-gram of `history` (prompt + generated tokens, see {@link NgramIndex}).
 * Cheap and synchronous; strong on code edits and quotes of the prompt, silent (0 tokens) elsewhere.
 *
 * It keeps an {@link NgramIndex} in sync with `history` lazily in `propose`: when `history` extends the
 * indexed sequence only the new tokens are indexed; when it does not (truncated, or a new request) the
 * index is rebuilt. The prefix check is a linear integer compare without hashing, far cheaper than one
 * target pass. Drafts are deterministic, so proposals carry no `dists` (q is one-hot).
 */
import { NgramIndex, type NgramIndexOptions } from "./NgramIndex.js";
import type { DraftProposal, DraftProposer, Token } from "./types.js";

/**
 * `minN`: shortest n-gram to match. Defaults to `defaultNgramMinN` (2).
 * `maxN`: longest n-gram to match, tried first. Defaults to `defaultNgramMaxN` (4).
 */
export type NgramProposerOptions = NgramIndexOptions;

export class NgramProposer implements DraftProposer {
    readonly id = "ngram";
    readonly kind = "ngram";
    readonly #index: NgramIndex;

    constructor(options: NgramProposerOptions = {}) {
        this.#index = new NgramIndex(options);
    }

    propose(history: readonly Token[], maxTokens: number): DraftProposal {
        this.#sync(history);
        return { tokens: this.#index.lookup(maxTokens) };
    }

    /** Nothing to roll back: the next `propose` catches up with `history`. */
    commit(_history: readonly Token[], _acceptedTokens: number): void {}

    release(): void {
        this.#index.reset();
    }

    #sync(history: readonly Token[]): void {
        const indexed = this.#index.tokens;
        let same = history.length >= indexed.length;
        for (let i = 0; same && i < indexed.length; i++) same = history[i] === indexed[i];
        if (!same) this.#index.reset();
        this.#index.append(history, this.#index.length);
    }
}

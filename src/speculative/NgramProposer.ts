/**
 * Model-free prompt-lookup drafter: drafts the tokens that followed the most recent earlier occurrence
 * of the longest matching suffix n-gram of `history` (prompt + generated tokens, see {@link NgramIndex}).
 * Cheap and synchronous; strong on code edits and quotes of the prompt, silent (0 tokens) elsewhere.
 *
 * `begin` indexes the prompt; `propose` keeps the {@link NgramIndex} in sync with `history`: when
 * `history` extends the indexed sequence only the new tokens are indexed; when it does not (a caller
 * that skipped `begin`) the index is rebuilt. The prefix check is a linear integer compare without
 * hashing, far cheaper than one target pass. It follows `history` alone, so it has no `accept`.
 * Drafts are deterministic, so proposals carry no `dists` (q is one-hot).
 */
import { commonPrefixLength } from "./commonPrefixLength.js";
import { NgramIndex, type NgramIndexOptions } from "./NgramIndex.js";
import type { DraftProposal, DraftProposer, Token } from "./types.js";

/**
 * `minN`: shortest n-gram to match. Defaults to `defaultNgramMinN` (2).
 * `maxN`: longest n-gram to match, tried first. Defaults to `defaultNgramMaxN` (4).
 */
export type NgramProposerOptions = NgramIndexOptions;

export class NgramProposer implements DraftProposer {
    readonly id = "ngram";
    readonly #index: NgramIndex;

    constructor(options: NgramProposerOptions = {}) {
        this.#index = new NgramIndex(options);
    }

    begin(prompt: readonly Token[]): void {
        this.#index.reset();
        this.#index.append(prompt);
    }

    propose(history: readonly Token[], maxTokens: number): DraftProposal {
        this.#sync(history);
        return { tokens: this.#index.lookup(maxTokens) };
    }

    release(): void {
        this.#index.reset();
    }

    #sync(history: readonly Token[]): void {
        const indexed = this.#index.tokens;
        if (commonPrefixLength(indexed, history) < indexed.length) this.#index.reset();
        this.#index.append(history, this.#index.length);
    }
}

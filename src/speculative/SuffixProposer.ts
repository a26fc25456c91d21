/**
 * Cross-request drafter: drafts the continuation of the history's suffix in earlier requests of the
 * same namespace (a {@link SuffixPool} shared by the engine), and on release adds this request's
 * committed tokens to the pool for the requests after it. It keeps the document position its last match
 * ended at (SuffixPool's cursor), so a request regenerating an earlier one follows that document.
 * Synchronous and model-free like NgramProposer, which covers matches inside the current request; this
 * one covers what the current request does not contain (a retried request's earlier answer, a file sent
 * in another request). Drafts are deterministic, so proposals carry no `dists`.
 */
import type { SuffixCursor, SuffixPool } from "./SuffixPool.js";
import type { DraftProposal, DraftProposer, Token } from "./types.js";

export class SuffixProposer implements DraftProposer {
    readonly id = "suffix";

    constructor(
        readonly pool: SuffixPool,
        readonly namespace: string,
    ) {}

    /** Where the last lookup's match ended: the next one tries the position the history advanced to. */
    #cursor: SuffixCursor | undefined;

    /** The pool holds earlier requests only: a request starts with no cursor. */
    begin(): void {
        this.#cursor = undefined;
    }

    propose(history: readonly Token[], maxTokens: number): DraftProposal {
        const { tokens, matchLength, cursor } = this.pool.lookup(
            this.namespace,
            history,
            maxTokens,
            this.#cursor,
        );
        this.#cursor = cursor ?? this.#cursor;
        return { tokens, matchLength };
    }

    /** Indexes the request (prompt and committed output) for later requests of the namespace. */
    release(history: readonly Token[]): void {
        this.pool.add(this.namespace, history);
    }
}

/**
 * Suffix drafter: drafts the continuation of the history's longest suffix match, looked up in earlier
 * requests of the same namespace (a {@link SuffixPool} shared by the engine) and, given the slot's
 * n-gram index (`local`), in the current request itself, the longer match winning (the pool's on a tie).
 * Both sources draft by the same rule, `matchLength − keyN + 1` tokens: long when a long stretch matched,
 * one token when only a key did. The pool covers what the request does not contain (a retried request's
 * earlier answer, a file sent in another request); the request covers an answer repeating its own lines
 * and a file of the prompt being rewritten. Measured on the agent trace (bench/e2e/suffixDrafting.ts,
 * fixed k = 8): with the pool alone, an answer repeating its own line ran at 1.08× OFF where prompt
 * lookup ran at 2.02×, and prompt lookup lost 2× on the retries the pool drafts whole.
 *
 * It keeps the document position its last pool match ended at (SuffixPool's cursor), so a request
 * regenerating an earlier one follows that document; on release it adds this request's committed tokens
 * to the pool for the requests after it. Synchronous and model-free; drafts are deterministic, so
 * proposals carry no `dists`.
 */
import type { NgramProposer } from "./NgramProposer.js";
import { maxMatchLength, suffixDraftLength, type SuffixCursor, type SuffixPool } from "./SuffixPool.js";
import type { DraftProposal, DraftProposer, Token } from "./types.js";

export class SuffixProposer implements DraftProposer {
    readonly id = "suffix";

    constructor(
        readonly pool: SuffixPool,
        readonly namespace: string,
        /** The request's own text, indexed (the slot's n-gram drafter, shared with AUTO's n-gram arm). */
        readonly local?: NgramProposer,
    ) {}

    /** Where the last lookup's match ended: the next one tries the position the history advanced to. */
    #cursor: SuffixCursor | undefined;

    /** The pool holds earlier requests only: a request starts with no cursor. */
    begin(prompt: readonly Token[]): void {
        this.#cursor = undefined;
        this.local?.begin(prompt);
    }

    propose(history: readonly Token[], maxTokens: number): DraftProposal {
        const { tokens, matchLength, cursor } = this.pool.lookup(
            this.namespace,
            history,
            maxTokens,
            this.#cursor,
        );
        this.#cursor = cursor ?? this.#cursor;
        if (this.local) {
            const own = this.local.proposeMatch(history, maxTokens, maxMatchLength);
            const keyN = this.pool.keyN;
            if (own.matchLength >= keyN && own.matchLength > matchLength) {
                own.tokens.length = Math.min(own.tokens.length, suffixDraftLength(own.matchLength, keyN));
                return own;
            }
        }
        return { tokens, matchLength };
    }

    /** Indexes the request (prompt and committed output) for later requests of the namespace. */
    release(history: readonly Token[]): void {
        this.pool.add(this.namespace, history);
    }
}

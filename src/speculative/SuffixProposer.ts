/**
 * Cross-request drafter: drafts the continuation of the history's suffix in earlier requests of the
 * same namespace (a {@link SuffixPool} shared by the engine), and on release adds this request's
 * committed tokens to the pool for the requests after it. Synchronous and model-free like
 * NgramProposer, which covers matches inside the current request; this one covers what the current
 * request does not contain (a retried request's earlier answer, a file sent in another request).
 * Drafts are deterministic, so proposals carry no `dists`.
 */
import type { SuffixPool } from "./SuffixPool.js";
import type { DraftProposal, DraftProposer, Token } from "./types.js";

export class SuffixProposer implements DraftProposer {
    readonly id = "suffix";

    constructor(
        readonly pool: SuffixPool,
        readonly namespace: string,
    ) {}

    /** Nothing per request to prepare: the pool holds earlier requests only. */
    begin(): void {}

    propose(history: readonly Token[], maxTokens: number): DraftProposal {
        return { tokens: this.pool.lookup(this.namespace, history, maxTokens).tokens };
    }

    /** Indexes the request (prompt and committed output) for later requests of the namespace. */
    release(history: readonly Token[]): void {
        this.pool.add(this.namespace, history);
    }
}

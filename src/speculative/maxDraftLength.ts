/**
 * How many tokens to draft in the next verification step.
 *
 * `max(0, min(requested, contextTokensLeft - 1, tokensLeft - 1))`.
 *
 * Why `- 1`: a step with `k` drafted tokens can commit `k + 1` tokens (the accepted drafted tokens
 * plus one recovered or bonus token). So `k + 1` tokens must still fit into the context, and drafting
 * more than `tokensLeft - 1` tokens is wasted target work: whatever lies beyond the request's
 * `maxTokens` would be thrown away. With 0 tokens left (or a full context) this returns 0, and the
 * caller does a plain step or stops.
 */

export interface MaxDraftLengthInput {
    /** The configured (or adaptively chosen) draft length. */
    requested: number;
    /** Free context positions: context size minus prompt and all committed tokens. */
    contextTokensLeft: number;
    /** Tokens the request may still generate (`maxTokens` minus generated so far); `Infinity` if unbounded. */
    tokensLeft: number;
}

export function maxDraftLength({ requested, contextTokensLeft, tokensLeft }: MaxDraftLengthInput): number {
    return Math.max(0, Math.min(requested, contextTokensLeft - 1, tokensLeft - 1));
}

/**
 * Length of the longest common prefix of two token sequences, at most `limit`.
 *
 * The one place that answers "how much of what I hold still agrees": a slot's cached target tokens
 * against a new prompt, a draft sequence's KV state against the history, an index against the history
 * it was built from, a draft against the target's tokens. A plain integer compare, no allocation.
 */
import type { Token } from "./types.js";

export function commonPrefixLength(
    a: ArrayLike<Token>,
    b: ArrayLike<Token>,
    limit = Infinity,
    /** Tokens known to agree already (not compared again): a caller holding a hash of them. */
    start = 0,
): number {
    const end = Math.min(a.length, b.length, limit);
    let n = Math.max(0, Math.min(start, end));
    while (n < end && a[n] === b[n]) n++;
    return n;
}

/**
 * Greedy verification: accept draft tokens until the first disagreement with the target.
 *
 * Contract: `targetTokens.length === draft.length + 1`, where `targetTokens[i]` is the target's choice
 * (argmax, or a seeded sample for "sample and match") after the prefix ending at `draft[i - 1]`;
 * `targetTokens[0]` follows the last committed token. All `k + 1` choices come from one target pass
 * over `[lastCommitted, ...draft]`.
 *
 * Result: the longest prefix with `draft[i] === targetTokens[i]` is accepted (`n` tokens), then
 * `targetTokens[n]` is appended: the recovered token when `n < k`, the bonus token when `n === k`.
 * So the output is exactly what the target alone would have produced, and never shorter than 1 token.
 *
 * Hot path: allocates only the output array.
 */
import { commonPrefixLength } from "./commonPrefixLength.js";
import type { Token, VerifyOutcome } from "./types.js";

export function verifyGreedy(draft: readonly Token[], targetTokens: readonly Token[]): VerifyOutcome {
    const k = draft.length;
    if (targetTokens.length !== k + 1) {
        throw new RangeError(
            `verifyGreedy: expected ${k + 1} target tokens for ${k} draft tokens, got ${targetTokens.length}`,
        );
    }
    const acceptedTokens = commonPrefixLength(draft, targetTokens);
    return {
        acceptedTokens,
        tokens: targetTokens.slice(0, acceptedTokens + 1),
        lastKind: acceptedTokens === k ? "bonus" : "recovered",
    };
}

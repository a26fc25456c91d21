/**
 * The probability of a temperature-0 choice, read cheaply from node-llama-cpp.
 *
 * Asked for `confidence`, node-llama-cpp 3.22's sampling sorts the whole candidate array by logit before
 * computing it (AddonContext.cpp, SampleToken: the sort runs for probabilities, confidence or logits),
 * O(V log V) per position: on the bundled pair's 4,096-token vocabulary ~0.35 ms a drafted token on a
 * 2.5 GHz Xeon, as much as the draft's decode, and a 150 k vocabulary pays ~40× that. Asked for
 * `totalLogitWeight` alone it skips the sort and returns Σᵢ exp(ℓᵢ − ℓmax) over the post-chain candidates.
 * A greedy choice is a candidate with the largest logit (ties too), so its probability is
 * exp(0) / Σ = 1 / totalLogitWeight: the same number `confidence` gives, in O(V).
 */

/** The `generateNext` fields that yield the greedy choice and what `greedyConfidence` needs. */
export const greedyWithWeight = { token: true, totalLogitWeight: true } as const;

/** The chosen token's probability from a position's output; undefined when node-llama-cpp gave none. */
export function greedyConfidence(next: { totalLogitWeight?: number } | undefined): number | undefined {
    const weight = next?.totalLogitWeight;
    return weight !== undefined && weight >= 1 ? 1 / weight : undefined;
}

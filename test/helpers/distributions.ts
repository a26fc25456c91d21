import fc from "fast-check";
import type { Token, TokenDistribution } from "../../src/speculative/types.js";

/** A sparse distribution from nonnegative weights over tokens 0..weights.length-1 (zeros left out). */
export function toDist(weights: readonly number[]): TokenDistribution {
    const total = weights.reduce((a, b) => a + b, 0);
    const tokens: Token[] = [];
    const probs: number[] = [];
    weights.forEach((w, t) => {
        if (w > 0) {
            tokens.push(t);
            probs.push(w / total);
        }
    });
    return { tokens: Int32Array.from(tokens), probs: Float64Array.from(probs) };
}

/** Small random distributions over 5 tokens, some probabilities exactly 0 (property tests of verifiers). */
export const smallDistArb = fc
    .array(fc.oneof(fc.constant(0), fc.double({ min: 0.001, max: 1, noNaN: true })), {
        minLength: 5,
        maxLength: 5,
    })
    .filter((w) => w.some((x) => x > 0))
    .map(toDist);

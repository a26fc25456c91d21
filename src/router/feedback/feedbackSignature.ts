/**
 * The feedback signature, what feedback is learned per (unrelated to speculative decoding's prompt
 * signatures): the request's task type and a prompt-size bucket, e.g.
 * `completion|s`. Coarse on purpose: an agent's traffic repeats a handful of task types, so a few
 * signatures collect evidence quickly, and the number of signatures (the bandit's memory) stays small
 * and bounded. Pure; reads the features router/features.ts extracts.
 */
import type { RequestFeatures } from "../features.js";

/** Upper bounds (estimated prompt tokens, exclusive) of the size buckets, smallest first. */
const sizeBuckets: readonly [string, number][] = [
    ["xs", 256],
    ["s", 1_024],
    ["m", 4_096],
    ["l", 16_384],
];

export function sizeBucket(contextTokens: number): string {
    for (const [name, below] of sizeBuckets) if (contextTokens < below) return name;
    return "xl";
}

export function feedbackSignature(features: Pick<RequestFeatures, "taskType" | "contextTokens">): string {
    return `${features.taskType ?? "none"}|${sizeBucket(features.contextTokens)}`;
}

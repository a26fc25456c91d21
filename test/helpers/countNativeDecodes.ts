/**
 * Counts the native decodes of one node-llama-cpp context, the sequences and tokens in each and the time
 * spent in them (and the samplings after them), by observing its addon context (node-llama-cpp 3.x: `LlamaContext._ctx`, whose
 * `addToBatch` adds one sequence's tokens to the batch that `decodeBatch` then decodes; node-llama-cpp
 * exposes no per-decode timing). Observation only: every call goes through unchanged. `observe`, when
 * given, hears each decode's start and end (with its tokens), for timelines across contexts.
 */
import type { LlamaContext } from "node-llama-cpp";

export interface DecodeCounts {
    /** Native decodes since the last reset. */
    decodes: number;
    /** Sequences in each of them, in order. */
    sequencesPerDecode: number[];
    /** Tokens in each of them, in order. */
    tokensPerDecode: number[];
    /** The sequence ids each of them holds, in the order they were added to its batch. */
    sequenceIdsPerDecode: number[][];
    /** The tokens each of those sequences added, parallel to `sequenceIdsPerDecode`. */
    sequenceTokensPerDecode: number[][];
    /** Milliseconds spent awaiting them, in all. */
    ms: number;
    /**
     * Tokens sampled after them (node-llama-cpp's `sampleToken`, one call per sampled position, run on the
     * libuv pool), and the milliseconds from each call to its result, in all.
     */
    samplings: number;
    samplingMs: number;
    /**
     * Milliseconds the JavaScript thread spent inside the calls that queue a decode and a sampling on the
     * libuv pool (`decodeBatch` and `sampleToken` until they return their promise), in all: creating and
     * queueing the native work, and waking a pool thread for it.
     */
    queueMs: number;
    reset(): void;
}

export type DecodeObserver = (at: "start" | "end", tokens: number) => void;

export function countNativeDecodes(context: LlamaContext, observe?: DecodeObserver): DecodeCounts {
    const holder = context as unknown as { _ctx: Record<string, unknown> };
    const addon = holder._ctx;
    let sequences = 0;
    let tokens = 0;
    let ids: number[] = [];
    let idTokens: number[] = [];
    const counts: DecodeCounts = {
        decodes: 0,
        sequencesPerDecode: [],
        tokensPerDecode: [],
        sequenceIdsPerDecode: [],
        sequenceTokensPerDecode: [],
        ms: 0,
        samplings: 0,
        samplingMs: 0,
        queueMs: 0,
        reset() {
            counts.decodes = 0;
            counts.sequencesPerDecode = [];
            counts.tokensPerDecode = [];
            counts.sequenceIdsPerDecode = [];
            counts.sequenceTokensPerDecode = [];
            counts.ms = 0;
            counts.samplings = 0;
            counts.samplingMs = 0;
            counts.queueMs = 0;
        },
    };
    holder._ctx = new Proxy(addon, {
        get(target, key) {
            const value = target[key as string];
            if (typeof value !== "function") return value;
            const method = (value as (...args: unknown[]) => unknown).bind(target);
            if (key === "initBatch")
                return (...args: unknown[]) => {
                    sequences = 0;
                    tokens = args[0] as number;
                    ids = [];
                    idTokens = [];
                    return method(...args);
                };
            if (key === "addToBatch")
                return (...args: unknown[]) => {
                    sequences++;
                    ids.push(args[0] as number);
                    idTokens.push((args[2] as ArrayLike<number>).length);
                    return method(...args);
                };
            if (key === "decodeBatch")
                return async (...args: unknown[]) => {
                    const batchTokens = tokens;
                    counts.decodes++;
                    counts.sequencesPerDecode.push(sequences);
                    counts.tokensPerDecode.push(batchTokens);
                    counts.sequenceIdsPerDecode.push(ids);
                    counts.sequenceTokensPerDecode.push(idTokens);
                    observe?.("start", batchTokens);
                    const t0 = performance.now();
                    const decoded = method(...args);
                    counts.queueMs += performance.now() - t0;
                    try {
                        return await decoded;
                    } finally {
                        counts.ms += performance.now() - t0;
                        observe?.("end", batchTokens);
                    }
                };
            if (key === "sampleToken")
                return async (...args: unknown[]) => {
                    const t0 = performance.now();
                    const sampled = method(...args);
                    counts.queueMs += performance.now() - t0;
                    try {
                        return await sampled;
                    } finally {
                        counts.samplings++;
                        counts.samplingMs += performance.now() - t0;
                    }
                };
            return method;
        },
    });
    return counts;
}

/** Whether a decode's sequence ids are in ascending order (how the PassBatcher starts a flush's passes). */
export const ascendingIds = (ids: readonly number[]): boolean =>
    ids.every((id, i) => i === 0 || ids[i - 1]! < id);

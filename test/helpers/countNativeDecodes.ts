/**
 * Counts the native decodes of one node-llama-cpp context and the sequences in each, by observing its
 * addon context (node-llama-cpp 3.x: `LlamaContext._ctx`, whose `addToBatch` adds one sequence's tokens
 * to the batch that `decodeBatch` then decodes). Observation only: every call goes through unchanged.
 */
import type { LlamaContext } from "node-llama-cpp";

export interface DecodeCounts {
    /** Native decodes since the last reset. */
    decodes: number;
    /** Sequences in each of them, in order. */
    sequencesPerDecode: number[];
    /** Tokens in each of them, in order. */
    tokensPerDecode: number[];
    reset(): void;
}

export function countNativeDecodes(context: LlamaContext): DecodeCounts {
    const holder = context as unknown as { _ctx: Record<string, unknown> };
    const addon = holder._ctx;
    let sequences = 0;
    let tokens = 0;
    const counts: DecodeCounts = {
        decodes: 0,
        sequencesPerDecode: [],
        tokensPerDecode: [],
        reset() {
            counts.decodes = 0;
            counts.sequencesPerDecode = [];
            counts.tokensPerDecode = [];
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
                    return method(...args);
                };
            if (key === "addToBatch")
                return (...args: unknown[]) => {
                    sequences++;
                    return method(...args);
                };
            if (key === "decodeBatch")
                return (...args: unknown[]) => {
                    counts.decodes++;
                    counts.sequencesPerDecode.push(sequences);
                    counts.tokensPerDecode.push(tokens);
                    return method(...args);
                };
            return method;
        },
    });
    return counts;
}

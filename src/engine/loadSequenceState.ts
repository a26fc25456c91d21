/**
 * Loads a sequence-state file (what node-llama-cpp's `saveStateToFile` wrote: llama.cpp's sequence state,
 * its cells and tokens) into `sequence`, replacing what it held; returns the tokens it now holds, or
 * undefined when the file did not load, leaving the sequence empty. For the host KV cache (HostKvCache.ts),
 * target and draft sequences alike.
 *
 * The sequence is emptied first: node-llama-cpp resets its token list before it loads, so after a file
 * that fails llama.cpp's header check the cells stay while the sequence counts as empty, its clearHistory
 * then erases nothing, and the next decode fails ("inconsistent sequence positions").
 */
import type { LlamaContextSequence } from "node-llama-cpp";
import type { Token } from "../speculative/types.js";

export async function loadSequenceState(
    sequence: LlamaContextSequence,
    file: string,
): Promise<readonly Token[] | undefined> {
    await sequence.clearHistory();
    try {
        await sequence.loadStateFromFile(file, { acceptRisk: true });
        return sequence.contextTokens;
    } catch {
        await sequence.clearHistory();
        return undefined;
    }
}

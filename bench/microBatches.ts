/**
 * How many micro-batches llama.cpp splits one batch into, simulated from what the batch holds: each
 * entry is one sequence's tokens, in the order node-llama-cpp added them. With `kv_unified` off (as
 * node-llama-cpp 3.x creates contexts) llama.cpp keeps a KV stream per sequence and splits a batch with
 * `split_equal(sequential)`: a micro-batch takes the first sequence with tokens left (in batch order),
 * then each sequence whose id is one more than the last taken that comes later in the batch, and the same
 * number of tokens from each (the fewest any of them has left). Every micro-batch is a pass over the
 * weights, which on a GPU costs about as much as a whole small batch. With `kv_unified` on, a batch is one
 * micro-batch (up to the batch size). Measurement only: it reads the batches countNativeDecodes saw and
 * mirrors llama.cpp's src/llama-batch.cpp, so a change there changes what this should say.
 */
export function microBatches(sequences: readonly number[], tokens: readonly number[]): number {
    if (sequences.length <= 1) return sequences.length;
    const left = [...tokens];
    let count = 0;
    for (;;) {
        // The run of consecutive ids, in batch order, starting at the first entry with tokens left.
        const run: number[] = [];
        let last = -1;
        for (let i = 0; i < sequences.length; i++) {
            if (left[i]! === 0) continue;
            if (run.length === 0 || sequences[i] === last + 1) {
                run.push(i);
                last = sequences[i]!;
            }
        }
        if (run.length === 0) return count;
        let take = Infinity;
        for (const i of run) take = Math.min(take, left[i]!);
        for (const i of run) left[i] = left[i]! - take;
        count++;
    }
}

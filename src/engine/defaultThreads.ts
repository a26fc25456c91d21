/**
 * CPU threads per context when `engine.threads` is not set.
 *
 * llama.cpp splits every graph across its threads and joins them at a spinning barrier after each op.
 * For a small model the ops are tiny, so the join costs more than the work it shares: the bundled
 * 8.7 M-parameter target decodes at 0.84 ms/token with 1 thread and 15.8 ms/token with 2 on this
 * project's 2-core build machines (bench/threads.ts). Large models are the other way round — their
 * matmuls dominate and scale with cores. The weights' size on disk is the cheap proxy for which side a
 * model is on.
 */

/** Targets whose weights are smaller than this decode on one thread by default. */
export const smallModelBytes = 256 * 2 ** 20;

export function defaultThreads(targetBytes: number, physicalCores: number): number {
    return targetBytes < smallModelBytes ? 1 : Math.max(1, physicalCores);
}

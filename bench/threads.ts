/**
 * Threads for bench and evaluation engines: TIERCEL_BENCH_THREADS, else 1. Measured on this project's
 * 2-core build machines (shared VMs), the bundled 8.7 M-parameter target decodes at 0.84 ms/token with 1
 * thread and 15.8 ms/token with 2: llama.cpp's spinning thread barrier collapses when a core is not
 * really free. Tiny models are binding-bound anyway. Set TIERCEL_BENCH_THREADS to the core count on a
 * dedicated machine or for large targets. Every report prints the value used.
 */
export const benchThreads = Number(process.env.TIERCEL_BENCH_THREADS ?? "1");

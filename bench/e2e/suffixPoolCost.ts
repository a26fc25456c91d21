/**
 * The suffix pool's cost for the agent-trace bench: heap bytes per indexed token with 1M tokens of
 * random documents (every n-gram distinct, the worst case) and the lookup time per step on that full
 * pool, for histories that hit (a document's prefix) and miss. Needs `node --expose-gc`.
 */
import { SuffixPool } from "../../src/speculative/SuffixPool.js";

/** Heap bytes per indexed token of a pool filled with `total` tokens of documents from `make`. */
function poolMemory(
    total: number,
    make: (i: number) => number[],
): { bytesPerToken: number; pool: SuffixPool } {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error("run with node --expose-gc");
    gc();
    const before = process.memoryUsage().heapUsed;
    const pool = new SuffixPool({ maxTokens: total });
    for (let i = 0; ; i++) {
        const doc = make(i);
        if (pool.indexedTokens + doc.length > total) break;
        pool.add(`session-${i % 50}`, doc);
    }
    gc();
    const after = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    return { bytesPerToken: (after - before) / pool.indexedTokens, pool };
}

function mulberry(seed: number): () => number {
    let a = seed;
    return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** The report's memory and lookup lines; `stepMs` is a plain decode step of the bench's target. */
export function suffixPoolCost(stepMs: number): string[] {
    const random = mulberry(1);
    const memory = poolMemory(1_000_000, () =>
        Array.from({ length: 1500 }, () => Math.floor(random() * 32_000)),
    );
    const probe = memory.pool;
    const hitHistory = Array.from({ length: 1500 }, () => Math.floor(random() * 32_000));
    probe.add("session-probe", hitHistory);
    const histories = Array.from({ length: 1000 }, (_, i) => hitHistory.slice(0, 20 + i));
    const iterations = 200_000;
    let sink = 0;
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++)
        sink += probe.lookup("session-probe", histories[i % 1000]!, 8).tokens.length;
    const hitUs = ((performance.now() - t0) * 1000) / iterations;
    const slice = hitHistory.slice(0, 500);
    const t1 = performance.now();
    for (let i = 0; i < iterations; i++) sink += probe.lookup("session-0", slice, 8).tokens.length;
    const missUs = ((performance.now() - t1) * 1000) / iterations;
    return [
        `Memory: ${((memory.bytesPerToken * 1e6) / 2 ** 20).toFixed(0)} MiB of heap per 1M indexed tokens (${memory.bytesPerToken.toFixed(1)} B/token; random 1500-token documents in 50 sessions, V8 heap + array buffers after gc).`,
        `Lookup per step: ${hitUs.toFixed(2)} µs on a hit, ${missUs.toFixed(2)} µs on a miss; a plain decode step of the bundled target here is ${(stepMs * 1000).toFixed(0)} µs, so a lookup is ${((hitUs / (stepMs * 1000)) * 100).toFixed(2)} % of a step (goal ≤ 1 %). (${sink > 0 ? "hits seen" : "no hits"})`,
    ];
}

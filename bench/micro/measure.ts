/** Minimal micro-benchmark: runs `fn` in batches for ~`ms` and reports the median ns per call. */
export function measure(fn: () => unknown, ms = 150): number {
    let batch = 1;
    // Grow the batch until one batch takes ≥ 5 ms (amortizes timer cost), then sample.
    for (;;) {
        const t = performance.now();
        for (let i = 0; i < batch; i++) fn();
        if (performance.now() - t >= 5 || batch >= 1 << 24) break;
        batch *= 2;
    }
    const samples: number[] = [];
    const end = performance.now() + ms;
    while (performance.now() < end || samples.length < 5) {
        const t = performance.now();
        for (let i = 0; i < batch; i++) fn();
        samples.push(((performance.now() - t) * 1e6) / batch);
    }
    samples.sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)]!;
}

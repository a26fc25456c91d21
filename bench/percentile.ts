/** Percentiles for the benches: the nearest-rank value at quantile q (0 for no samples). */

/** `sorted` must be ascending. */
export function percentileOfSorted(sorted: readonly number[], q: number): number {
    if (sorted.length === 0) return 0;
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function percentile(xs: readonly number[], q: number): number {
    return percentileOfSorted(
        [...xs].sort((a, b) => a - b),
        q,
    );
}

/** The nearest-rank median (the upper one of an even count), as every bench reports it. */
export function median(xs: readonly number[]): number {
    return percentile(xs, 0.5);
}

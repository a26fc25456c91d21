/** Agreement, under- and over-routing of tier decisions against the labels (tier indexes, cheapest 0). */
export interface RoutingMetrics {
    n: number;
    /** Share sent exactly to the labelled tier. */
    agreement: number;
    /** Share sent below the labelled (needed) tier: the quality risk. */
    underRouting: number;
    /** Share sent above it: the wasted spend. */
    overRouting: number;
    /** Share sent to each tier. */
    distribution: number[];
}

export function routingMetrics(
    labels: readonly number[],
    decided: readonly number[],
    tiers: number,
): RoutingMetrics {
    const n = labels.length;
    let agree = 0;
    let under = 0;
    const counts = new Array<number>(tiers).fill(0);
    for (let i = 0; i < n; i++) {
        const d = decided[i]!;
        const l = labels[i]!;
        counts[d]!++;
        if (d === l) agree++;
        else if (d < l) under++;
    }
    const share = (x: number): number => (n === 0 ? 0 : x / n);
    return {
        n,
        agreement: share(agree),
        underRouting: share(under),
        overRouting: share(n - agree - under),
        distribution: counts.map(share),
    };
}

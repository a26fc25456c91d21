/**
 * Pearson's goodness-of-fit statistic of observed cell counts against expected probabilities, with the
 * 0.001 critical value. Cells whose expected count is under 5 (where the chi-square approximation fails)
 * are pooled into one, with every observed cell the expectation lacks counted in it; a cell observed
 * but absent from `expected` is the caller's to reject (an impossible outcome, not a fluctuation).
 */
export function chiSquare(
    counts: ReadonlyMap<string, number>,
    expected: ReadonlyMap<string, number>,
    n: number,
): { statistic: number; critical: number; df: number } {
    const cells: { observed: number; expected: number }[] = [];
    const pooled = { observed: 0, expected: 0 };
    for (const [cell, p] of expected) {
        const observed = counts.get(cell) ?? 0;
        if (n * p >= 5) cells.push({ observed, expected: n * p });
        else {
            pooled.observed += observed;
            pooled.expected += n * p;
        }
    }
    if (pooled.expected > 0) cells.push(pooled);
    let statistic = 0;
    for (const c of cells) statistic += (c.observed - c.expected) ** 2 / c.expected;
    const df = Math.max(1, cells.length - 1);
    // Wilson–Hilferty: the chi-square quantile from the normal one (z = 3.09 for 0.001).
    const critical = df * (1 - 2 / (9 * df) + 3.09 * Math.sqrt(2 / (9 * df))) ** 3;
    return { statistic, critical, df };
}

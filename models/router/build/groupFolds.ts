/**
 * Group k-fold assignment: every item of a group (a wording family, buildDataset.ts `family`) lands in
 * the same fold, so a model scored on a fold never saw that family's phrasing or agent shape in
 * training. Out-of-fold figures then measure generalization to new phrasings, not to new items of
 * memorized templates. Deterministic and balanced: groups by size, largest first (ties by name), each
 * into the fold with the fewest items so far (ties: the lowest fold).
 */
export function groupFolds(groups: readonly string[], folds: number): number[] {
    if (!Number.isInteger(folds) || folds < 2) {
        throw new RangeError(`groupFolds needs an integer number of folds ≥ 2 (got ${folds})`);
    }
    const sizes = new Map<string, number>();
    for (const g of groups) sizes.set(g, (sizes.get(g) ?? 0) + 1);
    if (sizes.size < folds) {
        throw new RangeError(
            `groupFolds needs at least as many groups as folds (${sizes.size} groups, ${folds} folds)`,
        );
    }
    const order = [...sizes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const load = new Array<number>(folds).fill(0);
    const foldOf = new Map<string, number>();
    for (const [group, size] of order) {
        let f = 0;
        for (let k = 1; k < folds; k++) if (load[k]! < load[f]!) f = k;
        foldOf.set(group, f);
        load[f]! += size;
    }
    return groups.map((g) => foldOf.get(g)!);
}

import { describe, expect, it } from "vitest";
import { groupFolds } from "../../../../models/router/build/groupFolds.js";

describe("groupFolds", () => {
    it("keeps every group in one fold and balances the folds' sizes", () => {
        const groups = [
            ...Array<string>(9).fill("agent:codex"),
            ...Array<string>(7).fill("agent:claude_code"),
            ...Array<string>(5).fill("rename:0"),
            ...Array<string>(4).fill("rename:1"),
            ...Array<string>(3).fill("terse:2"),
            ...Array<string>(2).fill("docstring:0"),
        ];
        const folds = groupFolds(groups, 3);
        const foldOf = new Map<string, number>();
        groups.forEach((g, i) => {
            if (!foldOf.has(g)) foldOf.set(g, folds[i]!);
            expect(folds[i]).toBe(foldOf.get(g));
        });
        const sizes = [0, 1, 2].map((f) => folds.filter((x) => x === f).length);
        // Largest first into the emptiest fold: 9 | 7 | 5+4 → 9 | 7+3 | 9 → 9+2 | 10 | 9.
        expect(sizes).toEqual([11, 10, 9]);
    });

    it("does not depend on the items' order", () => {
        const groups = ["a", "b", "a", "c", "d", "b", "a", "e"];
        const folds = groupFolds(groups, 2);
        const reversed = groupFolds([...groups].reverse(), 2).reverse();
        expect(reversed).toEqual(folds);
    });

    it("refuses fewer groups than folds, and fewer than 2 folds", () => {
        expect(() => groupFolds(["a", "a", "b"], 3)).toThrow(/at least as many groups as folds/);
        expect(() => groupFolds(["a", "b"], 1)).toThrow(/folds ≥ 2/);
    });
});

import { describe, expect, it } from "vitest";
import { HedgeBudget } from "../../../../src/router/hedge/HedgeBudget.js";

describe("HedgeBudget", () => {
    it("allows hedges up to the ratio of the requests in the window, and frees them as the window slides", () => {
        let now = 0;
        const budget = new HedgeBudget({ ratio: 0.05, windowMs: 1000, now: () => now });
        for (let i = 0; i < 19; i++) budget.admit();
        expect(budget.tryTake()).toBe(false); // 1 > 0.05 × 19
        budget.admit();
        expect(budget.tryTake()).toBe(true); // 1 ≤ 0.05 × 20
        expect(budget.tryTake()).toBe(false);
        expect(budget.snapshot()).toEqual({ requests: 20, hedges: 1 });
        now = 1000; // every bucket of the first window has left it
        expect(budget.snapshot()).toEqual({ requests: 0, hedges: 0 });
        for (let i = 0; i < 20; i++) budget.admit();
        expect(budget.tryTake()).toBe(true);
    });
});

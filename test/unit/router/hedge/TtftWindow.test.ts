import { describe, expect, it } from "vitest";
import { TtftWindow } from "../../../../src/router/hedge/TtftWindow.js";

describe("TtftWindow", () => {
    it("takes the quantile by nearest rank: p95 of 1..100 is 95, p50 is 50", () => {
        const window = new TtftWindow(100);
        // Inserted out of order: the quantile sorts.
        for (let i = 100; i >= 1; i--) window.observe(i);
        expect(window.quantile(0.95)).toBe(95);
        expect(window.quantile(0.5)).toBe(50);
        expect(window.quantile(0.999)).toBe(100);
    });

    it("keeps only the most recent samples", () => {
        const window = new TtftWindow(3);
        for (const ms of [1000, 1000, 1000, 10, 20, 30]) window.observe(ms);
        expect(window.count).toBe(3);
        expect(window.quantile(0.95)).toBe(30);
    });

    it("has no quantile while empty, and refuses a capacity below 1", () => {
        expect(new TtftWindow(5).quantile(0.95)).toBeUndefined();
        expect(() => new TtftWindow(0)).toThrow(/capacity must be a positive integer/);
    });
});

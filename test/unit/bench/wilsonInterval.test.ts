import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { wilsonInterval } from "../../../bench/eval/wilsonInterval.js";

describe("wilsonInterval", () => {
    it("matches the textbook 95 % intervals", () => {
        // Wilson (1927) as tabulated, e.g. Newcombe (1998), Statistics in Medicine 17, table I.
        const [lo, hi] = wilsonInterval(81, 263);
        expect(lo).toBeCloseTo(0.2553, 4);
        expect(hi).toBeCloseTo(0.3662, 4);
        const [lo0, hi0] = wilsonInterval(0, 10);
        expect(lo0).toBe(0);
        expect(hi0).toBeCloseTo(0.2775, 4);
        const [lo5, hi5] = wilsonInterval(5, 10);
        expect(lo5).toBeCloseTo(0.2366, 4);
        expect(hi5).toBeCloseTo(0.7634, 4);
    });

    it("contains the share, stays in [0, 1], and narrows as n grows (property)", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 1, max: 5_000 }),
                fc.double({ min: 0, max: 1, noNaN: true }),
                (n, q) => {
                    const x = Math.round(q * n);
                    const [lo, hi] = wilsonInterval(x, n);
                    expect(lo).toBeGreaterThanOrEqual(0);
                    expect(hi).toBeLessThanOrEqual(1);
                    expect(lo).toBeLessThanOrEqual(x / n + 1e-12);
                    expect(hi).toBeGreaterThanOrEqual(x / n - 1e-12);
                    const [lo4, hi4] = wilsonInterval(4 * x, 4 * n);
                    expect(hi4 - lo4).toBeLessThan(hi - lo + 1e-12);
                },
            ),
        );
    });

    it("refuses counts that are not a share", () => {
        expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
        expect(() => wilsonInterval(0, 0)).toThrow(RangeError);
    });
});

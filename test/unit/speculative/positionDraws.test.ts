import { describe, expect, it } from "vitest";

import { positionDraws } from "../../../src/speculative/positionDraws.js";

const at = (draws: (p: number) => number, positions: readonly number[]): number[] => positions.map(draws);
const range = (n: number, from = 0, stride = 1): number[] =>
    Array.from({ length: n }, (_, i) => from + i * stride);

/** Chi-square statistic of `values` over `bins` equal bins of [0, 1). */
function uniformChiSquare(values: readonly number[], bins: number): number {
    const counts = new Array<number>(bins).fill(0);
    for (const v of values) counts[Math.floor(v * bins)]!++;
    const expected = values.length / bins;
    return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

/** Chi-square statistic of the pairs (a[i], b[i]) over a bins × bins grid: independence and uniformity. */
function pairChiSquare(a: readonly number[], b: readonly number[], bins: number): number {
    const counts = new Array<number>(bins * bins).fill(0);
    for (let i = 0; i < a.length; i++) counts[Math.floor(a[i]! * bins) * bins + Math.floor(b[i]! * bins)]!++;
    const expected = a.length / (bins * bins);
    return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

// Chi-square critical values at significance 0.001.
const critical19 = 43.82; // 20 bins
const critical63 = 103.44; // 8 × 8 grid

describe("positionDraws", () => {
    it("gives a position the same draw in any order and for the same seed as number or bigint", () => {
        const positions = range(200);
        const forward = at(positionDraws(42), positions);
        const draws = positionDraws(42);
        const backward = at(draws, [...positions].reverse()).reverse();
        expect(backward).toEqual(forward);
        expect(at(draws, positions)).toEqual(forward);
        expect(at(positionDraws(42n), positions)).toEqual(forward);
        expect(at(positionDraws(-1), range(10))).toEqual(at(positionDraws(2n ** 64n - 1n), range(10)));
    });

    it("is pinned: a seeded request's sample does not change between releases unnoticed", () => {
        expect(at(positionDraws(42), [0, 1, 1000])).toEqual([
            0.635379399638623, 0.3862070105969906, 0.17413816321641207,
        ]);
    });

    it("gives unrelated sequences for nearby seeds and for unseeded calls", () => {
        expect(at(positionDraws(1), range(10))).not.toEqual(at(positionDraws(2), range(10)));
        expect(at(positionDraws(undefined), range(10))).not.toEqual(at(positionDraws(undefined), range(10)));
    });

    it("yields uniform floats in [0, 1) along consecutive, strided and large positions", () => {
        for (const seed of [0, 1, 7, 2 ** 40]) {
            const draws = positionDraws(seed);
            for (const positions of [range(100_000), range(50_000, 0, 4096), range(50_000, 2 ** 31)]) {
                const values = at(draws, positions);
                expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
                expect(uniformChiSquare(values, 20)).toBeLessThan(critical19);
            }
        }
    });

    it("draws neighbouring positions, and one position under nearby seeds, independently", () => {
        for (const seed of [0, 3, 99]) {
            const values = at(positionDraws(seed), range(100_001));
            expect(pairChiSquare(values.slice(0, -1), values.slice(1), 8)).toBeLessThan(critical63);
        }
        const positions = range(50_000);
        expect(
            pairChiSquare(at(positionDraws(5), positions), at(positionDraws(6), positions), 8),
        ).toBeLessThan(critical63);
    });

    it("rejects seeds that are not safe integers", () => {
        expect(() => positionDraws(1.5)).toThrow(RangeError);
        expect(() => positionDraws(Number.NaN)).toThrow(RangeError);
        expect(() => positionDraws(2 ** 60)).toThrow(RangeError);
    });
});

import { describe, expect, it } from "vitest";
import { constrainedArgmax, constrainedDistribution } from "../../../src/engine/constrainedChoice.js";

const sorted: [number, number][] = [
    [7, 0.4],
    [3, 0.3],
    [9, 0.2],
    [1, 0.1],
];
const off = { temperature: 1, topK: 0, topP: 1, minP: 0 };

describe("constrainedArgmax", () => {
    it("is the most likely allowed token", () => {
        expect(constrainedArgmax(sorted, () => true)).toBe(7);
        expect(constrainedArgmax(sorted, (t) => t !== 7)).toBe(3);
        expect(constrainedArgmax(sorted, (t) => t === 1)).toBe(1);
    });
    it("is undefined when nothing is allowed", () => {
        expect(constrainedArgmax(sorted, () => false)).toBeUndefined();
    });
});

describe("constrainedDistribution", () => {
    it("renormalizes over the allowed tokens", () => {
        const d = constrainedDistribution(sorted, (t) => t === 3 || t === 1, off)!;
        expect(d.tokens).toEqual([3, 1]);
        expect(d.probs[0]).toBeCloseTo(0.75);
        expect(d.probs[1]).toBeCloseTo(0.25);
    });
    it("applies top-k after the mask (the first k allowed tokens, not the first k tokens)", () => {
        const d = constrainedDistribution(sorted, (t) => t !== 7, { ...off, topK: 2 })!;
        expect(d.tokens).toEqual([3, 9]);
        expect(d.probs[0]).toBeCloseTo(0.6);
    });
    it("applies top-p and min-p to the renormalized mass", () => {
        // Allowed 3, 9, 1 renormalized: 0.5, 0.333, 0.167; top-p 0.8 keeps 3 and 9.
        expect(constrainedDistribution(sorted, (t) => t !== 7, { ...off, topP: 0.8 })!.tokens).toEqual([
            3, 9,
        ]);
        // min-p 0.5 keeps tokens at least half as likely as 3 (0.3): 3 and 9.
        expect(constrainedDistribution(sorted, (t) => t !== 7, { ...off, minP: 0.5 })!.tokens).toEqual([
            3, 9,
        ]);
    });
    it("applies temperature last: p^(1/T) renormalized", () => {
        const d = constrainedDistribution(sorted, (t) => t === 7 || t === 1, { ...off, temperature: 0.5 })!;
        // 0.8 and 0.2 squared: 0.64 and 0.04.
        expect(d.probs[0]).toBeCloseTo(0.64 / 0.68);
        expect(d.probs[1]).toBeCloseTo(0.04 / 0.68);
    });
    it("stops checking once the unchecked rest is negligible", () => {
        const checked: number[] = [];
        const long: [number, number][] = [
            [0, 1 - 1e-12],
            ...Array.from({ length: 100 }, (_, i): [number, number] => [i + 1, 1e-14]),
        ];
        constrainedDistribution(long, (t) => (checked.push(t), true), off);
        expect(checked).toEqual([0]);
    });
    it("is undefined when nothing is allowed", () => {
        expect(constrainedDistribution(sorted, () => false, off)).toBeUndefined();
    });
});

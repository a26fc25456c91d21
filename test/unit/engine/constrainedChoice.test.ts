import { describe, expect, it } from "vitest";
import {
    constrainedArgmax,
    constrainedDistribution,
    listedConstrainedDistribution,
} from "../../../src/engine/constrainedChoice.js";

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

describe("listedConstrainedDistribution", () => {
    /** A full sorted distribution over 12 tokens and its top-6 list, renormalized as node-llama-cpp does. */
    const full: [number, number][] = [
        0.2, 0.15, 0.12, 0.1, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.01,
    ].map((p, i): [number, number] => [100 + i, p]);
    const listedMass = full.slice(0, 6).reduce((sum, [, p]) => sum + p, 0);
    const list = full.slice(0, 6).map(([t, p]): [number, number] => [t, p / listedMass]);
    const odd = (t: number) => t % 2 === 1;

    it("equals the full map's distribution when top_k allowed tokens are listed, whatever the chain", () => {
        for (const s of [
            { temperature: 1, topK: 3, topP: 1, minP: 0 },
            { temperature: 0.6, topK: 3, topP: 0.7, minP: 0 },
            { temperature: 1.4, topK: 2, topP: 1, minP: 0.8 },
        ]) {
            const fromList = listedConstrainedDistribution(list, odd, s)!;
            const fromFull = constrainedDistribution(full, odd, s)!;
            expect(fromList.tokens).toEqual(fromFull.tokens);
            for (const [i, p] of fromList.probs.entries()) expect(p).toBeCloseTo(fromFull.probs[i]!, 12);
        }
    });
    it("is undefined when fewer than top_k allowed tokens are listed (the kept set reaches past the list)", () => {
        expect(listedConstrainedDistribution(list, odd, { ...off, topK: 4 })).toBeUndefined();
        expect(listedConstrainedDistribution(list, (t) => t === 111, { ...off, topK: 1 })).toBeUndefined();
    });
    it("is undefined with top-k off (every allowed token is kept)", () => {
        expect(listedConstrainedDistribution(list, () => true, off)).toBeUndefined();
    });
});

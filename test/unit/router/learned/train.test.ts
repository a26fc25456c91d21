import { describe, expect, it } from "vitest";
import { forwardMlp } from "../../../../models/router/build/mlp.js";
import { createRng } from "../../../../models/router/build/rng.js";
import { train } from "../../../../models/router/build/train.js";

/** Three classes by the sign pattern of two of four noisy inputs (one column constant). */
function toySet(n: number): { rows: Float32Array[]; labels: number[] } {
    const rng = createRng(3);
    const rows: Float32Array[] = [];
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
        const a = rng.normal() * 2 + 5;
        const b = rng.normal() * 0.01;
        rows.push(Float32Array.of(a, b, rng.normal(), 7));
        labels.push(a < 4 ? 0 : b < 0 ? 1 : 2);
    }
    return { rows, labels };
}

describe("train", () => {
    it("fits a separable toy set: loss falls and the classes are recovered", () => {
        const { rows, labels } = toySet(300);
        const { model, lossHistory } = train(rows, labels, { hiddenSize: 8, epochs: 400, l2: 1e-4 });
        expect(lossHistory.at(-1)!).toBeLessThan(lossHistory[0]! / 4);
        const correct = rows.filter((r, i) => {
            const p = forwardMlp(model, r).probabilities;
            return p.indexOf(Math.max(...p)) === labels[i];
        }).length;
        expect(correct / rows.length).toBeGreaterThan(0.95);
        expect(model.std[3]).toBeGreaterThan(0); // a constant column does not divide by zero
    });

    it("is deterministic for a seed, and the seed matters", () => {
        const { rows, labels } = toySet(60);
        const a = train(rows, labels, { hiddenSize: 4, epochs: 30 }).model;
        const b = train(rows, labels, { hiddenSize: 4, epochs: 30 }).model;
        const c = train(rows, labels, { hiddenSize: 4, epochs: 30, seed: 8 }).model;
        expect(b.w1).toEqual(a.w1);
        expect(b.w2).toEqual(a.w2);
        expect(c.w1).not.toEqual(a.w1);
    });

    it("rejects rows without labels", () => {
        expect(() => train([Float32Array.of(1)], [])).toThrow(RangeError);
    });
});

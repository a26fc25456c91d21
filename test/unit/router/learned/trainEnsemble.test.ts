import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forwardMlp } from "../../../../models/router/build/mlp.js";
import { createRng } from "../../../../models/router/build/rng.js";
import { train } from "../../../../models/router/build/train.js";
import { foldEnsemble, trainEnsemble } from "../../../../models/router/build/trainEnsemble.js";

/** Noisy three-class rows (the class by a threshold on one input and the sign of another). */
function toySet(n: number): { rows: Float32Array[]; labels: number[] } {
    const rng = createRng(5);
    const rows: Float32Array[] = [];
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
        const a = rng.normal() * 2 + 5;
        const b = rng.normal();
        rows.push(Float32Array.of(a, b, rng.normal()));
        labels.push(a < 4 ? 0 : b < 0 ? 1 : 2);
    }
    return { rows, labels };
}

const { rows, labels } = toySet(120);
const options = { hiddenSize: 4, epochs: 60 };
const members = [7, 8, 9].map((seed) => train(rows, labels, { ...options, seed }).model);

describe("trainEnsemble", () => {
    it("folds members into one MLP whose probabilities are the softmax of their mean logits (property)", () => {
        const folded = foldEnsemble(members);
        expect([folded.inputSize, folded.hiddenSize, folded.outputSize]).toEqual([3, 12, 3]);
        fc.assert(
            fc.property(
                fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 3, maxLength: 3 }),
                (x) => {
                    const logits = [0, 1, 2].map(
                        (c) =>
                            members.reduce((s, m) => s + Math.log(forwardMlp(m, x).probabilities[c]!), 0) /
                            members.length,
                    );
                    const max = Math.max(...logits);
                    const z = logits.reduce((s, l) => s + Math.exp(l - max), 0);
                    const expected = logits.map((l) => Math.exp(l - max) / z);
                    const got = forwardMlp(folded, x).probabilities;
                    expected.forEach((p, c) => {
                        expect(got[c]).toBeCloseTo(p, 5);
                    });
                },
            ),
        );
    });

    it("trains its members from consecutive seeds; one member is the plain model", () => {
        const ensemble = trainEnsemble(rows, labels, { ...options, members: 3 });
        expect(ensemble.model).toEqual(foldEnsemble(members));
        expect(ensemble.lossHistory).toHaveLength(options.epochs);
        expect(trainEnsemble(rows, labels, options).model).toEqual(members[0]);
    });

    it("refuses members that do not fit together, and a member count that is not a positive integer", () => {
        const other = train(
            rows.map((r) => Float32Array.of(r[0]! + 1, r[1]!, r[2]!)),
            labels,
            options,
        ).model;
        expect(() => foldEnsemble([members[0]!, other])).toThrow(/standardized by the same rows/);
        expect(() => foldEnsemble([])).toThrow(RangeError);
        expect(() => trainEnsemble(rows, labels, { ...options, members: 0 })).toThrow(/positive integer/);
    });
});

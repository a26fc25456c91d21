import { InferenceSession, Tensor } from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { exportOnnx, onnxInputName, onnxOutputName } from "../../../../models/router/build/exportOnnx.js";
import { forwardMlp, type Mlp } from "../../../../models/router/build/mlp.js";
import { createRng } from "../../../../models/router/build/rng.js";

function randomMlp(inputSize: number, hiddenSize: number, outputSize: number): Mlp {
    const rng = createRng(11);
    const fill = (n: number, scale = 1): Float32Array =>
        Float32Array.from({ length: n }, () => rng.normal() * scale);
    return {
        inputSize,
        hiddenSize,
        outputSize,
        mean: fill(inputSize, 3),
        std: Float32Array.from({ length: inputSize }, () => 0.1 + rng.next() * 4),
        w1: fill(inputSize * hiddenSize, 0.5),
        b1: fill(hiddenSize, 0.5),
        w2: fill(hiddenSize * outputSize, 0.5),
        b2: fill(outputSize, 0.5),
    };
}

describe("exportOnnx", () => {
    it("gives onnxruntime the same probabilities as the TypeScript forward pass (standardization folded in)", async () => {
        const model = randomMlp(12, 6, 3);
        const session = await InferenceSession.create(exportOnnx(model, { featureSchemaVersion: "test/1" }));
        try {
            expect(session.inputNames).toEqual([onnxInputName]);
            expect(session.outputNames).toEqual([onnxOutputName]);
            const rng = createRng(5);
            const rows = Array.from({ length: 16 }, () =>
                Float32Array.from({ length: 12 }, () => rng.normal() * 5),
            );
            const batch = new Float32Array(rows.flatMap((r) => [...r]));
            const out = await session.run({
                [onnxInputName]: new Tensor("float32", batch, [rows.length, 12]),
            });
            const data = out[onnxOutputName]!.data as Float32Array;
            rows.forEach((row, i) => {
                const expected = forwardMlp(model, row).probabilities;
                for (let k = 0; k < 3; k++) expect(data[i * 3 + k]).toBeCloseTo(expected[k]!, 5);
            });
        } finally {
            await session.release();
        }
    });
});

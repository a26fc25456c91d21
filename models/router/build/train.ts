/**
 * Trains the routing classifier (mlp.ts) with full-batch Adam on cross-entropy plus L2 on the weights.
 * Deterministic: the weight init comes from a seeded RNG and full-batch gradients have no sampling
 * order, so the same data and options give the same weights bit for bit. The data set is ~1,200 rows of
 * 165 features; a full pass at 16 hidden units is a few million multiply-adds (~10 ms), so plain loops
 * are fast enough.
 */
import { forwardMlp, type Mlp } from "./mlp.js";
import { createRng } from "./rng.js";

export interface TrainOptions {
    /** Hidden units. Defaults to 24. */
    hiddenSize?: number;
    /** Adam steps over the full batch. Defaults to 1500. */
    epochs?: number;
    /** Adam step size. Defaults to 0.01. */
    learningRate?: number;
    /** L2 penalty on the weights (not the biases), per row. Defaults to 1e-3. */
    l2?: number;
    /** Weight-init seed. Defaults to 7. */
    seed?: number;
    /** Per-class loss weights (e.g. to make missing a harder class cost more). Defaults to all 1. */
    classWeights?: readonly number[];
}

export const defaultTrainOptions = {
    hiddenSize: 24,
    epochs: 1_500,
    learningRate: 0.01,
    l2: 1e-3,
    seed: 7,
} as const;

export interface TrainResult {
    model: Mlp;
    /** Mean (weighted) cross-entropy after each epoch, before the L2 term. */
    lossHistory: number[];
}

/** Standard deviations below this are raised to it, so constant columns do not divide by zero. */
const minStd = 1e-3;
const beta1 = 0.9;
const beta2 = 0.999;
const epsilon = 1e-8;

export function train(
    rows: readonly Float32Array[],
    labels: readonly number[],
    options: TrainOptions = {},
): TrainResult {
    if (rows.length === 0 || rows.length !== labels.length) {
        throw new RangeError(
            `train needs as many labels as rows, and at least one (${rows.length} rows, ${labels.length} labels)`,
        );
    }
    const hiddenSize = options.hiddenSize ?? defaultTrainOptions.hiddenSize;
    const epochs = options.epochs ?? defaultTrainOptions.epochs;
    const lr = options.learningRate ?? defaultTrainOptions.learningRate;
    const l2 = options.l2 ?? defaultTrainOptions.l2;
    const inputSize = rows[0]!.length;
    const outputSize = Math.max(...labels) + 1;
    const classWeights = options.classWeights ?? new Array<number>(outputSize).fill(1);
    const n = rows.length;

    const mean = new Float32Array(inputSize);
    const std = new Float32Array(inputSize);
    for (const row of rows) for (let i = 0; i < inputSize; i++) mean[i]! += row[i]! / n;
    for (const row of rows) for (let i = 0; i < inputSize; i++) std[i]! += (row[i]! - mean[i]!) ** 2 / n;
    for (let i = 0; i < inputSize; i++) std[i] = Math.max(Math.sqrt(std[i]!), minStd);
    const z = rows.map((row) => Float64Array.from(row, (x, i) => (x - mean[i]!) / std[i]!));

    const rng = createRng(options.seed ?? defaultTrainOptions.seed);
    const he1 = Math.sqrt(2 / inputSize);
    const he2 = Math.sqrt(2 / hiddenSize);
    const model: Mlp = {
        inputSize,
        hiddenSize,
        outputSize,
        mean,
        std,
        w1: Float32Array.from({ length: inputSize * hiddenSize }, () => rng.normal() * he1),
        b1: new Float32Array(hiddenSize),
        w2: Float32Array.from({ length: hiddenSize * outputSize }, () => rng.normal() * he2),
        b2: new Float32Array(outputSize),
    };
    // Float64 master weights; the Float32 model above is refreshed from them after every step.
    const params = [model.w1, model.b1, model.w2, model.b2].map((p) => Float64Array.from(p));
    const decayed = [true, false, true, false];
    const grads = params.map((p) => new Float64Array(p.length));
    const m = params.map((p) => new Float64Array(p.length));
    const v = params.map((p) => new Float64Array(p.length));
    const [w1, , w2] = params as [Float64Array, Float64Array, Float64Array, Float64Array];
    const [gw1, gb1, gw2, gb2] = grads as [Float64Array, Float64Array, Float64Array, Float64Array];
    const weightSum = labels.reduce((s, y) => s + classWeights[y]!, 0);
    const lossHistory: number[] = [];
    const unit = { ...model, mean: new Float32Array(inputSize), std: new Float32Array(inputSize).fill(1) };
    const delta = new Float64Array(hiddenSize);

    for (let epoch = 1; epoch <= epochs; epoch++) {
        for (const g of grads) g.fill(0);
        let loss = 0;
        for (let r = 0; r < n; r++) {
            const x = z[r]!;
            const y = labels[r]!;
            const weight = classWeights[y]! / weightSum;
            const { hidden, probabilities } = forwardMlp(unit, x);
            loss -= weight * Math.log(Math.max(probabilities[y]!, 1e-12));
            // dL/dlogit = p - onehot(y), scaled by the row's weight.
            delta.fill(0);
            for (let k = 0; k < outputSize; k++) {
                const dk = weight * (probabilities[k]! - (k === y ? 1 : 0));
                gb2[k]! += dk;
                for (let j = 0; j < hiddenSize; j++) {
                    gw2[j * outputSize + k]! += hidden[j]! * dk;
                    delta[j]! += w2[j * outputSize + k]! * dk;
                }
            }
            for (let j = 0; j < hiddenSize; j++) {
                if (hidden[j]! <= 0) continue;
                const dj = delta[j]!;
                gb1[j]! += dj;
                for (let i = 0; i < inputSize; i++) gw1[i * hiddenSize + j]! += x[i]! * dj;
            }
        }
        lossHistory.push(loss);
        const correction1 = 1 - beta1 ** epoch;
        const correction2 = 1 - beta2 ** epoch;
        params.forEach((p, t) => {
            const g = grads[t]!;
            const mt = m[t]!;
            const vt = v[t]!;
            for (let i = 0; i < p.length; i++) {
                const gi = g[i]! + (decayed[t] ? l2 * p[i]! : 0);
                mt[i] = beta1 * mt[i]! + (1 - beta1) * gi;
                vt[i] = beta2 * vt[i]! + (1 - beta2) * gi * gi;
                p[i]! -= (lr * (mt[i]! / correction1)) / (Math.sqrt(vt[i]! / correction2) + epsilon);
            }
        });
        model.w1.set(w1);
        model.b1.set(params[1]!);
        model.w2.set(w2);
        model.b2.set(params[3]!);
    }
    return { model, lossHistory };
}

/**
 * An ensemble of `members` MLPs (train.ts; seeds seed, seed + 1, …) whose logits are averaged, folded
 * into one wider MLP, so the export, the runtime and the ONNX graph stay the one-hidden-layer shape:
 *
 *   logits = (1/K) Σ_k (relu(z W1_k + b1_k) W2_k + b2_k)
 *          = relu(z [W1_1 … W1_K] + [b1_1 … b1_K]) [W2_1; …; W2_K] / K + mean_k b2_k
 *
 * Every member standardizes by the same training rows, so one mean and std serve all. Averaging logits
 * (a geometric mean of the members' probabilities, renormalized) is what makes the fold exact; it
 * smooths the member-to-member variation of a small data set (the score near a threshold moved with
 * the seed) at K times the training time and a K times wider hidden layer (still microseconds a row).
 */
import type { Mlp } from "./mlp.js";
import { defaultTrainOptions, train, type TrainOptions, type TrainResult } from "./train.js";

export interface EnsembleOptions extends TrainOptions {
    /** Members, each trained from its own seed. Defaults to 1 (a single model). */
    members?: number;
}

/** Folds models of one input and output size (the same standardization) into one logit-averaging MLP. */
export function foldEnsemble(models: readonly Mlp[]): Mlp {
    const first = models[0];
    if (first === undefined) throw new RangeError("foldEnsemble needs at least one model");
    const { inputSize, outputSize } = first;
    for (const m of models) {
        if (m.inputSize !== inputSize || m.outputSize !== outputSize) {
            throw new RangeError("foldEnsemble needs models of one input and output size");
        }
        if (m.mean.some((x, i) => x !== first.mean[i]) || m.std.some((x, i) => x !== first.std[i])) {
            throw new RangeError("foldEnsemble needs models standardized by the same rows");
        }
    }
    const hiddenSize = models.reduce((s, m) => s + m.hiddenSize, 0);
    const k = models.length;
    const w1 = new Float32Array(inputSize * hiddenSize);
    const b1 = new Float32Array(hiddenSize);
    const w2 = new Float32Array(hiddenSize * outputSize);
    const b2 = new Float32Array(outputSize);
    let offset = 0;
    for (const m of models) {
        for (let i = 0; i < inputSize; i++) {
            for (let j = 0; j < m.hiddenSize; j++)
                w1[i * hiddenSize + offset + j] = m.w1[i * m.hiddenSize + j]!;
        }
        for (let j = 0; j < m.hiddenSize; j++) {
            b1[offset + j] = m.b1[j]!;
            for (let c = 0; c < outputSize; c++)
                w2[(offset + j) * outputSize + c] = m.w2[j * outputSize + c]! / k;
        }
        for (let c = 0; c < outputSize; c++) b2[c]! += m.b2[c]! / k;
        offset += m.hiddenSize;
    }
    return { inputSize, hiddenSize, outputSize, mean: first.mean, std: first.std, w1, b1, w2, b2 };
}

/** Trains `members` models from consecutive seeds and folds them; `lossHistory` is the members' mean. */
export function trainEnsemble(
    rows: readonly Float32Array[],
    labels: readonly number[],
    options: EnsembleOptions = {},
): TrainResult {
    const members = options.members ?? 1;
    if (!Number.isInteger(members) || members < 1) {
        throw new RangeError(`an ensemble needs a positive integer number of members (got ${members})`);
    }
    const seed = options.seed ?? defaultTrainOptions.seed;
    const results = Array.from({ length: members }, (_, m) =>
        train(rows, labels, { ...options, seed: seed + m }),
    );
    if (members === 1) return results[0]!;
    const lossHistory = results[0]!.lossHistory.map(
        (_, e) => results.reduce((s, r) => s + r.lossHistory[e]!, 0) / members,
    );
    return { model: foldEnsemble(results.map((r) => r.model)), lossHistory };
}

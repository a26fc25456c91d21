/**
 * The routing classifier's model: standardize → dense → ReLU → dense → softmax, one hidden layer.
 * This is the reference forward pass in plain TypeScript; training (train.ts) and the ONNX export
 * (exportOnnx.ts, which folds the standardization into the first layer) both start from `Mlp`, and a
 * test checks that onnxruntime computes the same probabilities from the exported graph.
 */

/** Weights of a one-hidden-layer MLP, row-major (`w1[i * hidden + j]` = input i → hidden unit j). */
export interface Mlp {
    inputSize: number;
    hiddenSize: number;
    outputSize: number;
    /** Per-input mean and standard deviation of the training set (std ≥ a floor, never 0). */
    mean: Float32Array;
    std: Float32Array;
    w1: Float32Array;
    b1: Float32Array;
    w2: Float32Array;
    b2: Float32Array;
}

/** Hidden activations (after ReLU) and class probabilities of one input row. */
export interface MlpActivations {
    hidden: Float64Array;
    probabilities: Float64Array;
}

/** Forward pass of one (raw, unstandardized) input row. */
export function forwardMlp(model: Mlp, x: ArrayLike<number>): MlpActivations {
    const { inputSize, hiddenSize, outputSize } = model;
    const hidden = new Float64Array(hiddenSize);
    for (let j = 0; j < hiddenSize; j++) hidden[j] = model.b1[j]!;
    for (let i = 0; i < inputSize; i++) {
        const z = (x[i]! - model.mean[i]!) / model.std[i]!;
        if (z === 0) continue;
        const row = i * hiddenSize;
        for (let j = 0; j < hiddenSize; j++) hidden[j]! += z * model.w1[row + j]!;
    }
    for (let j = 0; j < hiddenSize; j++) if (hidden[j]! < 0) hidden[j] = 0;
    const probabilities = new Float64Array(outputSize);
    for (let k = 0; k < outputSize; k++) probabilities[k] = model.b2[k]!;
    for (let j = 0; j < hiddenSize; j++) {
        const h = hidden[j]!;
        if (h === 0) continue;
        const row = j * outputSize;
        for (let k = 0; k < outputSize; k++) probabilities[k]! += h * model.w2[row + k]!;
    }
    softmaxInPlace(probabilities);
    return { hidden, probabilities };
}

/** Numerically stable softmax (subtracts the max logit first). */
export function softmaxInPlace(logits: Float64Array): void {
    let max = -Infinity;
    for (const l of logits) if (l > max) max = l;
    let sum = 0;
    for (let k = 0; k < logits.length; k++) {
        logits[k] = Math.exp(logits[k]! - max);
        sum += logits[k]!;
    }
    for (let k = 0; k < logits.length; k++) logits[k]! /= sum;
}

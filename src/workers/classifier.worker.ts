/**
 * Piscina worker of the learned routing classifier (router/learned/LearnedClassifier.ts): loads the ONNX
 * session once when the worker starts (top-level await, so no task runs before it is ready), then
 * answers each task with the class probabilities of its feature rows. One intra-op thread: the model is
 * a few thousand multiply-adds, and parallelism comes from the pool's workers, not from inside a run.
 */
import { InferenceSession, Tensor } from "onnxruntime-node";
import { workerData } from "piscina";

/** What LearnedClassifier passes as the pool's `workerData`. */
export interface ClassifierWorkerData {
    /** The .ts worker that src/workers/tsWorkerEntry.cjs loads when running from source; unset when built. */
    entry: string | undefined;
    modelPath: string;
    inputName: string;
    outputName: string;
}

/** One task: `rows` feature vectors of equal length, concatenated. */
export interface ClassifierTask {
    features: Float32Array;
    rows: number;
}

const { modelPath, inputName, outputName } = workerData as ClassifierWorkerData;
const session = await InferenceSession.create(modelPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
});

/** Probabilities, row-major: `rows` × classes. */
export default async function classify(task: ClassifierTask): Promise<Float32Array> {
    const columns = task.features.length / task.rows;
    const result = await session.run({
        [inputName]: new Tensor("float32", task.features, [task.rows, columns]),
    });
    const output = result[outputName];
    if (output?.type !== "float32") throw new Error(`classifier model has no float32 output "${outputName}"`);
    return output.data as Float32Array;
}

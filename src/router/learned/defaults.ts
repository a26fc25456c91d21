/** Named defaults of the learned routing classifier (router config `classifier`), each with its reason. */
import { fileURLToPath } from "node:url";

/**
 * The committed model (models/router/classifier.onnx, built by `npm run models:router`), resolved from
 * this file so it works from src/ (tsx) and dist/ alike; its metadata is classifier.json beside it.
 */
export const defaultClassifierModelPath = fileURLToPath(
    new URL("../../../models/router/classifier.onnx", import.meta.url),
);
/** Worker threads: one ONNX run is ~tens of µs, so one worker keeps up with thousands of decisions/s. */
export const defaultClassifierWorkers = 1;
/**
 * A decision that takes longer abstains (the rules' default tier applies): the classifier must never be
 * what makes a request slow. Generous against the measured p99 (well under 1 ms), tight for a request.
 */
export const defaultClassifierTimeoutMs = 25;
/** Decisions waiting for a worker beyond this abstain at once instead of queueing (bounded memory). */
export const defaultClassifierMaxQueue = 256;
/** The classifier's name in routing reasons (`classifier:learned`). */
export const defaultClassifierName = "learned";
/**
 * The committed word-vector table (models/router/word-vectors.bin, built by `npm run
 * models:router:vectors`) that the committed model's semantic columns were computed with; a model's own
 * table is the one its classifier.json names.
 */
export const defaultWordVectorsPath = fileURLToPath(
    new URL("../../../models/router/word-vectors.bin", import.meta.url),
);

/**
 * The learned routing classifier behind the router's `RoutingClassifier` seam: request → feature vector
 * (main thread, featureVector.ts) → class probabilities (ONNX Runtime in a piscina worker, the session
 * loaded once per worker) → score (tierScore.ts) → calibrated thresholds → tier.
 *
 * Near a threshold it prefers a cascade to a guess: a score in the uncertainty band of boundary k,
 * [thresholds[k], cascadeThresholds[k]), is a cascade decision (`tier` k, `cascadeTo` k + 1: tried on the
 * cheaper tier, escalated on its answer's signals) rather than tier k + 1. The band's lower edge is the
 * calibration that holds out-of-fold under-routing at its bound, its upper edge the plain label-mix
 * calibration (models/router/build/buildRouterModel.ts): the scores the safe calibration sends up only
 * to keep under-routing low.
 *
 * It never fails a request: a worker error, a full queue or a decision slower than `timeoutMs` abstains
 * (`undefined`, so the router's default tier applies) and is reported through `onError`. A late answer
 * is dropped, not cancelled: aborting a running piscina task terminates its worker, and reloading the
 * session would cost far more than letting a sub-millisecond run finish.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { ErrorCode } from "../../errors/codes.js";
import { InvalidArgumentError, ServiceError } from "../../errors/ServiceError.js";
import type { RequestFeatures } from "../features.js";
import type { ClassifierVerdict, RoutingClassifier } from "../RoutingClassifier.js";
import type { ChatRequest } from "../../chat/types.js";
import type { ClassifierTask, ClassifierWorkerData } from "../../workers/classifier.worker.js";
import {
    classifierMetadataPath,
    readClassifierMetadata,
    type LoadedClassifierMetadata,
} from "./classifierMetadata.js";
import * as d from "./defaults.js";
import { featureCount, featureVector } from "./featureVector.js";
import { tierIndexForScore, tierScore } from "./tierScore.js";

export interface LearnedClassifierOptions {
    /**
     * The ONNX model; its metadata (`<name>.json`: feature schema, tiers, thresholds, sha256) sits beside
     * it. Defaults to the committed models/router/classifier.onnx.
     */
    model?: string;
    /** Worker threads, each with its own ONNX session. Defaults to 1. */
    workers?: number;
    /** A decision slower than this abstains. Defaults to 25 ms. */
    timeoutMs?: number;
    /** Decisions queued beyond this abstain at once. Defaults to 256. */
    maxQueue?: number;
    /** Score thresholds (tiers − 1, ascending), e.g. from `recalibrateFromRecords`. Defaults to the model's calibrated ones. */
    thresholds?: readonly number[];
    /**
     * The uncertainty band's upper edges, one per threshold and each at or above it (see the module
     * comment); `[]` turns cascade decisions off. Defaults to the model's calibrated band with its
     * calibrated thresholds, and to none when `thresholds` is given.
     */
    cascadeThresholds?: readonly number[];
    /** Name in routing reasons (`classifier:<name>`). Defaults to `"learned"`. */
    name?: string;
    /** Told about every abstention caused by an error or a timeout. Defaults to none. */
    onError?: (error: Error) => void;
}

/**
 * The worker entry: the compiled .js beside a build; from the source tree, a JS shim that loads the
 * .ts worker through tsx (src/workers/tsWorkerEntry.cjs says why).
 */
function workerEntry(): { filename: string; entry: string | undefined } {
    const js = fileURLToPath(new URL("../../workers/classifier.worker.js", import.meta.url));
    if (existsSync(js)) return { filename: js, entry: undefined };
    return {
        filename: fileURLToPath(new URL("../../workers/tsWorkerEntry.cjs", import.meta.url)),
        entry: new URL("../../workers/classifier.worker.ts", import.meta.url).href,
    };
}

export class LearnedClassifier implements RoutingClassifier {
    readonly name: string;
    /**
     * The model, word vectors and cut points it decides with: the first 12 hex digits of their sha256
     * (RoutingClassifier `version`; part of the routing records' `policy_version`).
     */
    readonly version: string;
    readonly metadata: LoadedClassifierMetadata;
    readonly thresholds: readonly number[];
    /** The uncertainty band's upper edges; empty when the classifier makes no cascade decisions. */
    readonly cascadeThresholds: readonly number[];
    readonly #pool: Piscina<ClassifierTask, Float32Array>;
    readonly #timeoutMs: number;
    readonly #onError: ((error: Error) => void) | undefined;
    #closed = false;

    /** Reads and checks the model's metadata synchronously (throws ModelError); workers start in the background. */
    constructor(options: LearnedClassifierOptions = {}) {
        const model = options.model ?? d.defaultClassifierModelPath;
        this.metadata = readClassifierMetadata(classifierMetadataPath(model));
        const thresholds = options.thresholds ?? this.metadata.thresholds;
        if (
            thresholds.length !== this.metadata.tiers.length - 1 ||
            thresholds.some((t, i) => !Number.isFinite(t) || (i > 0 && t < thresholds[i - 1]!))
        ) {
            throw new InvalidArgumentError(
                `classifier thresholds must be ${this.metadata.tiers.length - 1} ascending numbers (one per boundary of ${this.metadata.tiers.join(" < ")}), got [${thresholds.join(", ")}]`,
            );
        }
        this.thresholds = thresholds;
        const band =
            options.cascadeThresholds ??
            (options.thresholds === undefined ? this.metadata.cascadeThresholds : undefined) ??
            [];
        if (
            band.length !== 0 &&
            (band.length !== thresholds.length || band.some((c, i) => !(c >= thresholds[i]!)))
        ) {
            throw new InvalidArgumentError(
                `classifier cascadeThresholds must be ${thresholds.length} numbers, each at or above its threshold [${thresholds.join(", ")}] (or [] for no cascade decisions), got [${band.join(", ")}]`,
            );
        }
        this.cascadeThresholds = band;
        this.version = createHash("sha256")
            .update(
                JSON.stringify({
                    onnx: this.metadata.onnx.sha256,
                    wordVectors: this.metadata.wordVectors.sha256,
                    thresholds,
                    cascadeThresholds: band,
                }),
            )
            .digest("hex")
            .slice(0, 12);
        this.name = options.name ?? d.defaultClassifierName;
        this.#timeoutMs = options.timeoutMs ?? d.defaultClassifierTimeoutMs;
        this.#onError = options.onError;
        const workers = options.workers ?? d.defaultClassifierWorkers;
        const { filename, entry } = workerEntry();
        const workerData: ClassifierWorkerData = {
            entry,
            modelPath: this.metadata.onnxPath,
            inputName: this.metadata.onnx.input,
            outputName: this.metadata.onnx.output,
        };
        this.#pool = new Piscina({
            filename,
            workerData,
            minThreads: workers,
            maxThreads: workers,
            // Sessions live as long as the pool: an idle worker is never torn down.
            idleTimeout: Infinity,
            maxQueue: options.maxQueue ?? d.defaultClassifierMaxQueue,
        });
    }

    /** Tier names, cheapest first, as the model's outputs are ordered. */
    get tiers(): readonly string[] {
        return this.metadata.tiers;
    }

    /** Class probabilities of raw feature vectors (concatenated, `featureCount` each), from a worker. */
    async probabilities(features: Float32Array): Promise<Float32Array> {
        if (features.length === 0 || features.length % featureCount !== 0) {
            throw new InvalidArgumentError(
                `feature rows must be ${featureCount} values each (got ${features.length} values)`,
            );
        }
        return this.#pool.run({ features, rows: features.length / featureCount });
    }

    /** Resolves once a worker has loaded its session and answered (warm-up); rejects if it cannot. */
    async ready(): Promise<void> {
        await this.probabilities(new Float32Array(featureCount));
    }

    classify(features: RequestFeatures, request: ChatRequest): Promise<ClassifierVerdict | undefined> {
        if (this.#closed) return Promise.resolve(undefined);
        const vector = featureVector(request, this.metadata.vectors, features);
        return new Promise((resolve) => {
            let settled = false;
            const timer = setTimeout(() => {
                settled = true;
                this.#report(
                    new ServiceError(
                        ErrorCode.DeadlineExceeded,
                        `routing classifier took longer than ${this.#timeoutMs} ms; abstained`,
                    ),
                );
                resolve(undefined);
            }, this.#timeoutMs);
            this.#pool.run({ features: vector, rows: 1 }).then(
                (probabilities) => {
                    if (settled) return;
                    clearTimeout(timer);
                    resolve(this.verdict(tierScore(probabilities)));
                },
                (error: unknown) => {
                    if (settled) return;
                    clearTimeout(timer);
                    this.#report(error instanceof Error ? error : new Error(String(error)));
                    resolve(undefined);
                },
            );
        });
    }

    /** The verdict for a score: its tier, or a cascade decision inside the uncertainty band. */
    verdict(score: number): ClassifierVerdict {
        const { tiers } = this.metadata;
        const tier = tierIndexForScore(score, this.thresholds);
        const band = this.cascadeThresholds;
        // In the band of the boundary below `tier`: the safe calibration sends it up, the plain one would not.
        if (tier > 0 && band.length > 0 && score < band[tier - 1]!) {
            return { tier: tiers[tier - 1]!, cascadeTo: tiers[tier]!, score, classifier: this.name };
        }
        return { tier: tiers[tier]!, score, classifier: this.name };
    }

    #report(error: Error): void {
        this.#onError?.(error);
    }

    /** Stops the workers (pending decisions abstain). Idempotent. */
    async close(): Promise<void> {
        if (this.#closed) return;
        this.#closed = true;
        await this.#pool.destroy();
    }
}

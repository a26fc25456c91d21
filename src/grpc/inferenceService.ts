/**
 * The tiercel.v1.Inference handlers: map proto to domain (mapping.ts), call the backend with the call's
 * AbortSignal (callSignal.ts), map results back and errors through toGrpcStatus. Also owns the service's
 * lifecycle: UNAVAILABLE until a backend is attached and again while draining, and a registry of running
 * generations so shutdown can cancel them and wait until every sequence is released.
 */
import type { ServerWritableStream } from "@grpc/grpc-js";
import { ErrorCode } from "../errors/codes.js";
import { CapacityError, InvalidArgumentError, isServiceError } from "../errors/ServiceError.js";
import { observeGeneration, observeInterTokenGap, type Metrics } from "../metrics/createMetrics.js";
import { shutdownAbortReason, toAbortedError } from "../util/abort.js";
import type { Logger } from "../util/logger.js";
import { callSignal, type CallLike } from "./callSignal.js";
import type { GenerateChunk } from "./generated/tiercel/v1/GenerateChunk.js";
import type { GenerateRequest__Output } from "./generated/tiercel/v1/GenerateRequest.js";
import type { GenerateResponse } from "./generated/tiercel/v1/GenerateResponse.js";
import type { InferenceHandlers } from "./generated/tiercel/v1/Inference.js";
import type { InferenceBackend } from "./InferenceBackend.js";
import {
    toEngineRequest,
    toProtoChunk,
    toProtoFinishReason,
    toProtoModelInfo,
    toProtoStats,
    toProtoToolCall,
    toProtoUsage,
    toTokenizeInput,
} from "./mapping.js";
import { toGrpcStatus, type GrpcStatus } from "./toGrpcStatus.js";
import { TurnLateWriter } from "./TurnLateWriter.js";

export interface InferenceServiceOptions {
    metrics: Metrics;
    logger: Logger;
    /** What was wrong with a request's wire bytes (requestGuard.ts): a message for INVALID_ARGUMENT. */
    requestProblem?: (request: object) => string | undefined;
}

type State = "loading" | "serving" | "draining";

export class InferenceService {
    readonly handlers: InferenceHandlers;
    readonly #options: InferenceServiceOptions;
    readonly #shutdown = new AbortController();
    readonly #running = new Set<Promise<void>>();
    #backend: InferenceBackend | undefined;
    #state: State = "loading";

    constructor(options: InferenceServiceOptions) {
        this.#options = options;
        this.handlers = {
            Generate: (call, callback) => {
                const fields = { session_id: call.request.session_id };
                this.#run(call, "Generate", fields, callback, async (backend, signal) => {
                    callback(null, await this.#generate(backend, call.request, signal));
                });
            },
            GenerateStream: (call) => {
                const fields = { session_id: call.request.session_id };
                const fail = (status: GrpcStatus): void => {
                    call.emit("error", status);
                };
                this.#run(call, "GenerateStream", fields, fail, async (backend, signal) => {
                    await this.#generateStream(backend, call, signal);
                    call.end();
                });
            },
            Tokenize: (call, callback) => {
                this.#run(call, "Tokenize", {}, callback, (backend) => {
                    backend.checkModel(call.request.model);
                    const input = toTokenizeInput(call.request);
                    const tokens =
                        typeof input === "string"
                            ? backend.tokenize(input)
                            : backend.tokenizeChat(input.messages, input.tools, call.request.cache_scope);
                    callback(null, { token_ids: [...tokens] });
                    return Promise.resolve();
                });
            },
            ListModels: (call, callback) => {
                this.#run(call, "ListModels", {}, callback, (backend) => {
                    callback(null, { models: backend.models().map(toProtoModelInfo) });
                    return Promise.resolve();
                });
            },
        };
    }

    /** Starts serving with `backend` (models loaded and warm). */
    attach(backend: InferenceBackend): void {
        this.#backend = backend;
        if (this.#state === "loading") this.#state = "serving";
    }

    /** Refuses new calls with UNAVAILABLE; running generations continue. */
    drain(): void {
        this.#state = "draining";
    }

    /** Cuts every running generation (each ends with UNAVAILABLE, E_NOT_READY, and releases its sequence). */
    cancelAll(): void {
        this.#shutdown.abort(shutdownAbortReason());
    }

    /** Resolves when no call is running. */
    async idle(): Promise<void> {
        while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
    }

    /**
     * Runs one call's work with its signal; on failure, hands the status to `fail`. The work is registered
     * in #running until it has finished (sequence released), however it ended.
     */
    #run(
        call: CallLike & { request: object },
        method: string,
        logFields: Record<string, unknown>,
        fail: (status: GrpcStatus) => void,
        work: (backend: InferenceBackend, signal: AbortSignal) => Promise<void>,
    ): void {
        const { signal, dispose } = callSignal(call, this.#shutdown.signal);
        const task = (async () => {
            const backend = this.#backend;
            if (this.#state !== "serving" || !backend) {
                throw new CapacityError(
                    ErrorCode.NotReady,
                    this.#state === "loading"
                        ? "models are still loading; retry when health reports SERVING"
                        : "server is shutting down; retry on another instance",
                );
            }
            const problem = this.#options.requestProblem?.(call.request);
            if (problem !== undefined) throw new InvalidArgumentError(problem);
            await work(backend, signal);
        })()
            .catch((error: unknown) => {
                fail(this.#toStatus(error, signal, { method, ...logFields }));
            })
            .finally(dispose);
        this.#running.add(task);
        void task.finally(() => this.#running.delete(task));
    }

    #toStatus(error: unknown, signal: AbortSignal, logFields: Record<string, unknown>): GrpcStatus {
        // Whatever a dependency threw after the call was aborted, the abort is the reason.
        const cause = !isServiceError(error) && signal.aborted ? toAbortedError(signal) : error;
        if (!isServiceError(cause)) {
            this.#options.logger.error("request failed", {
                ...logFields,
                error: error instanceof Error ? (error.stack ?? error.message) : String(error),
            });
        }
        return toGrpcStatus(cause);
    }

    async #generate(
        backend: InferenceBackend,
        request: GenerateRequest__Output,
        signal: AbortSignal,
    ): Promise<GenerateResponse> {
        const text: string[] = [];
        const tokens: number[] = [];
        let lastTokenAt: number | undefined;
        for await (const chunk of backend.generate(toEngineRequest(request), signal)) {
            lastTokenAt = this.#observeChunk(chunk.tokens.length, lastTokenAt);
            text.push(chunk.text);
            for (const t of chunk.tokens) tokens.push(t);
            if (chunk.finish) {
                const { stats, reason } = chunk.finish;
                observeGeneration(this.#options.metrics, stats);
                return {
                    text: text.join(""),
                    token_ids: tokens,
                    finish_reason: toProtoFinishReason(reason),
                    usage: toProtoUsage(stats),
                    stats: toProtoStats(stats),
                    tool_calls: chunk.finish.toolCalls?.map(toProtoToolCall) ?? [],
                };
            }
        }
        throw new Error("the engine's generation ended without a final chunk");
    }

    async #generateStream(
        backend: InferenceBackend,
        call: ServerWritableStream<GenerateRequest__Output, GenerateChunk>,
        signal: AbortSignal,
    ): Promise<void> {
        let lastTokenAt: number | undefined;
        // A chunk is written while the engine's next pass decodes (TurnLateWriter.ts). Back-pressure: when
        // the client reads slower than we generate, the writer stops the loop pulling tokens (the generator
        // stays suspended, its sequence idle) until grpc-js drains its buffer.
        const writer = new TurnLateWriter<GenerateChunk>(call, signal);
        try {
            for await (const chunk of backend.generate(toEngineRequest(call.request), signal)) {
                lastTokenAt = this.#observeChunk(chunk.tokens.length, lastTokenAt);
                if (chunk.finish) {
                    observeGeneration(this.#options.metrics, chunk.finish.stats);
                    writer.flush();
                    call.write(toProtoChunk(chunk));
                    return;
                }
                await writer.write(toProtoChunk(chunk));
            }
        } finally {
            // Chunks handed over reach the client before the call's status, whatever ended the loop (a
            // cancelled call has no reader).
            if (signal.aborted) writer.drop();
            else writer.flush();
        }
        throw new Error("the engine's generation ended without a final chunk");
    }

    /** Inter-token latency of a chunk; returns the new "last token at" time. */
    #observeChunk(tokens: number, lastTokenAt: number | undefined): number | undefined {
        if (tokens === 0) return lastTokenAt;
        const now = performance.now();
        if (lastTokenAt !== undefined) observeInterTokenGap(this.#options.metrics, now - lastTokenAt, tokens);
        return now;
    }
}

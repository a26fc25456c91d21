/**
 * The local tier as a client of a tiercel gRPC server (@grpc/grpc-js, proto/tiercel/v1/inference.proto):
 * `Generate` for complete(), `GenerateStream` for stream(), chat `messages` and `tools` rendered by the
 * server, tool calls parsed by the server in its model's syntax.
 * The AbortSignal cancels the call (the server then stops generating and frees its sequence).
 *
 * It imports the proto loader and the generated types from grpc/: they describe the wire contract and
 * have no server dependencies, and one loader keeps client and server on the same options.
 */
import { readFileSync } from "node:fs";
import { credentials as grpcCredentials, Metadata, type ChannelCredentials } from "@grpc/grpc-js";
import { ErrorCode } from "../../errors/codes.js";
import type { GenerateChunk__Output } from "../../grpc/generated/tiercel/v1/GenerateChunk.js";
import type { GenerateRequest } from "../../grpc/generated/tiercel/v1/GenerateRequest.js";
import type { GenerateResponse__Output } from "../../grpc/generated/tiercel/v1/GenerateResponse.js";
import type { InferenceClient } from "../../grpc/generated/tiercel/v1/Inference.js";
import { loadInferenceProto } from "../../grpc/loadProto.js";
import type { CompletionResult, ProviderStreamEvent } from "../../chat/types.js";
import { throwIfAborted } from "../../util/abort.js";
import { nativeOnly } from "../nativeBody.js";
import type { Provider, ProviderRequest } from "../Provider.js";
import { ProviderError } from "../ProviderError.js";
import { mapLocalError } from "./mapError.js";
import { StreamEvents } from "./StreamEvents.js";
import {
    fromFinishReason,
    fromGenerateResponse,
    fromProtoUsage,
    signalsOf,
    toGenerateRequest,
} from "./transform.js";

/** How long the ListModels asked at construction may take. */
const listModelsTimeoutMs = 10_000;
/** How long a request waits for ListModels asked again (a running server answers in milliseconds). */
const prepareTimeoutMs = 2_000;

const offersTools = (request: ProviderRequest): boolean =>
    (request.tools?.length ?? 0) > 0 && request.tool_choice !== "none";

export interface LocalProviderOptions {
    id: string;
    /** host:port of the tiercel gRPC server. */
    address: string;
    /** Bearer token the server requires (`server.authToken`), if any. */
    authToken?: string | undefined;
    /** PEM of the CA that signed the server's certificate; plaintext when absent. */
    tlsCaPath?: string | undefined;
    /**
     * Whether requests that offer tools are sent to this server. Defaults to what ListModels says of its
     * target (`tool_calls`: its chat template was made for tools); until it has answered (it is asked when
     * the provider is made), tool requests skip this server.
     */
    toolCalls?: boolean | undefined;
}

/** What the router must know of the server's target: its id, its context size and its tool support. */
export interface LocalTarget {
    id: string;
    contextSize: number;
    /** ListModels' `tool_calls`: the target's chat template renders tools. */
    toolCalls: boolean;
}

export class LocalProvider implements Provider {
    readonly id: string;
    readonly type = "local";
    readonly #client: InferenceClient;
    readonly #authToken: string | undefined;
    readonly #toolCalls: boolean | undefined;
    /** Asked once (ListModels) and asked again after a failure. */
    #target: Promise<LocalTarget> | undefined;
    /** The target once ListModels has answered. */
    #known: LocalTarget | undefined;

    constructor(options: LocalProviderOptions) {
        this.id = options.id;
        this.#authToken = options.authToken;
        this.#toolCalls = options.toolCalls;
        const creds: ChannelCredentials =
            options.tlsCaPath === undefined
                ? grpcCredentials.createInsecure()
                : grpcCredentials.createSsl(readFileSync(options.tlsCaPath));
        const Client = loadInferenceProto().grpcObject.tiercel.v1.Inference;
        this.#client = new Client(options.address, creds);
        // Whether the target takes tools is needed synchronously by unsupported(): ask now. A failure is
        // asked again by the next request (target()).
        if (options.toolCalls === undefined)
            this.target(AbortSignal.timeout(listModelsTimeoutMs)).catch(() => undefined);
    }

    unsupported(request: ProviderRequest): string | undefined {
        const only = nativeOnly(request, undefined);
        if (only !== undefined) return only;
        if (!offersTools(request)) return undefined;
        const supported = this.#toolCalls ?? this.#known?.toolCalls;
        if (supported === true) return undefined;
        return supported === false
            ? "the local target's chat template was not made for tool calls (ListModels tool_calls is false; set the provider's toolCalls: true to send tool requests anyway)"
            : "the local server has not said yet whether its target takes tool calls (ListModels); set the provider's toolCalls to decide without asking";
    }

    /**
     * A request with tools while ListModels has not answered (the server was loading, or unreachable, when
     * this provider was made): ask again now, at most `prepareTimeoutMs`, instead of skipping the tier
     * until some request without tools happens to ask (an agent's requests all carry tools).
     */
    prepare(request: ProviderRequest, signal: AbortSignal): Promise<void> | undefined {
        if (this.#toolCalls !== undefined || this.#known !== undefined || !offersTools(request))
            return undefined;
        return this.target(AbortSignal.any([signal, AbortSignal.timeout(prepareTimeoutMs)])).then(
            () => undefined,
            () => undefined,
        );
    }

    #metadata(): Metadata {
        const metadata = new Metadata();
        if (this.#authToken !== undefined) metadata.set("authorization", `Bearer ${this.#authToken}`);
        return metadata;
    }

    /** The server's target model, from ListModels. */
    target(signal: AbortSignal): Promise<LocalTarget> {
        this.#target ??= new Promise<LocalTarget>((resolve, reject) => {
            const call = this.#client.ListModels({}, this.#metadata(), (error, response) => {
                signal.removeEventListener("abort", cancel);
                const target = response?.models.find((m) => m.role === "MODEL_ROLE_TARGET");
                if (error) reject(mapLocalError(this.id, error, signal));
                else if (!target) {
                    reject(
                        new ProviderError(this.id, ErrorCode.ProviderStream, "ListModels names no target"),
                    );
                } else {
                    this.#known = {
                        id: target.id,
                        contextSize: target.context_size,
                        toolCalls: target.tool_calls,
                    };
                    resolve(this.#known);
                }
            });
            const cancel = (): void => {
                call.cancel();
            };
            signal.addEventListener("abort", cancel, { once: true });
        }).catch((error: unknown) => {
            this.#target = undefined;
            throw error;
        });
        return this.#target;
    }

    /**
     * The wire request for the server's target: `max_tokens` capped to what its context holds (a router
     * default meant for hosted models, e.g. 4096, would otherwise be refused by a small local model; the
     * answer then ends with `max_tokens` if it runs that long, which the router treats as truncated).
     */
    #wire(request: ProviderRequest, target: LocalTarget): GenerateRequest {
        const wire = toGenerateRequest(request);
        if (wire.max_tokens !== undefined)
            wire.max_tokens = Math.min(wire.max_tokens, target.contextSize - 1);
        return wire;
    }

    #model(request: ProviderRequest, target: LocalTarget): string {
        return request.model === "" ? target.id : request.model;
    }

    async complete(request: ProviderRequest, signal: AbortSignal): Promise<CompletionResult> {
        throwIfAborted(signal);
        const target = await this.target(signal);
        return new Promise<CompletionResult>((resolve, reject) => {
            const call = this.#client.Generate(
                this.#wire(request, target),
                this.#metadata(),
                (error, response?: GenerateResponse__Output) => {
                    signal.removeEventListener("abort", cancel);
                    if (error) {
                        reject(mapLocalError(this.id, error, signal));
                        return;
                    }
                    const result =
                        response && fromGenerateResponse(response, request, this.#model(request, target));
                    if (result) resolve(result);
                    else
                        reject(
                            new ProviderError(
                                this.id,
                                ErrorCode.ProviderStream,
                                "response has no finish_reason",
                                { retryable: true },
                            ),
                        );
                },
            );
            const cancel = (): void => {
                call.cancel();
            };
            signal.addEventListener("abort", cancel, { once: true });
        });
    }

    async *stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderStreamEvent> {
        throwIfAborted(signal);
        const target = await this.target(signal);
        const call = this.#client.GenerateStream(this.#wire(request, target), this.#metadata());
        const cancel = (): void => {
            call.cancel();
        };
        signal.addEventListener("abort", cancel, { once: true });
        let started = false;
        const events = new StreamEvents();
        try {
            for await (const chunk of call as AsyncIterable<GenerateChunk__Output>) {
                if (!started) {
                    started = true;
                    yield { type: "message_start", model: this.#model(request, target) };
                }
                yield* events.of(chunk);
                const finish = fromFinishReason(chunk.finish_reason, request.stop);
                if (finish) {
                    yield {
                        type: "message_end",
                        ...finish,
                        usage: fromProtoUsage(chunk.usage, chunk.stats),
                        ...signalsOf(chunk.stats),
                    };
                    return;
                }
            }
        } catch (error) {
            throw mapLocalError(this.id, error, signal);
        } finally {
            signal.removeEventListener("abort", cancel);
            // Ends the call if the consumer stopped early (no-op once it finished).
            call.cancel();
        }
        throwIfAborted(signal);
        throw new ProviderError(
            this.id,
            ErrorCode.ProviderStream,
            "stream ended without a final chunk (truncated)",
            {
                retryable: true,
            },
        );
    }

    /** The server's Tokenize of the chat prompt as Generate renders it (the target's own template and tokenizer). */
    async countTokens(request: ProviderRequest, signal: AbortSignal): Promise<number> {
        throwIfAborted(signal);
        const target = await this.target(signal);
        const wire = this.#wire(request, target);
        return new Promise<number>((resolve, reject) => {
            const call = this.#client.Tokenize(
                {
                    messages: wire.messages,
                    tools: wire.tools,
                    model: wire.model,
                    cache_scope: wire.cache_scope,
                },
                this.#metadata(),
                (error, response) => {
                    signal.removeEventListener("abort", cancel);
                    if (error) reject(mapLocalError(this.id, error, signal));
                    else resolve(response?.token_ids.length ?? 0);
                },
            );
            const cancel = (): void => {
                call.cancel();
            };
            signal.addEventListener("abort", cancel, { once: true });
        });
    }

    close(): void {
        this.#client.close();
    }
}

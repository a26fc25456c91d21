/**
 * GPT/Codex models through the official `openai` SDK, on the wire the config names (`api`): the Responses
 * API (OpenAI's own, and the only one its Codex models take) or Chat Completions (also any server that
 * speaks it; set `baseURL`). The SDK runs with `maxRetries: 0`: the router owns retries (key handling
 * shared with Anthropic in ../SdkClient.ts).
 *
 * A request that came in on the provider's own wire (`native`, ../nativeBody.ts) is sent as the caller
 * wrote it (reasoning, include, prompt_cache_key, safety_identifier and the rest), and its answer kept as
 * OpenAI's own: the unary body on both wires; on the Responses wire every stream event too (reasoning
 * items with their encrypted content reach a Responses caller as sent). Chat Completions chunks are
 * normalized instead: the usage chunk the router needs would otherwise reach callers that did not ask
 * for it. Such a request is sent without the SDK (its body is already the API's: ../SdkClient.ts `send`),
 * its errors still the SDK's, so one error map serves both.
 */
import OpenAI from "openai";
import type { Readable } from "node:stream";
import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions/completions";
import type { Response, ResponseStreamEvent } from "openai/resources/responses/responses";
import type { CompletionResult, ProviderStreamEvent } from "../../chat/types.js";
import { nativeBody, nativeOnly } from "../nativeBody.js";
import type { Provider, ProviderRequest } from "../Provider.js";
import { readText, sseMessages, type SseMessage } from "../rawBody.js";
import { SdkClient, type ApiWire, type HostedProviderOptions } from "../SdkClient.js";
import type { SdkCallPhase } from "../mapSdkError.js";
import { mapOpenAIError } from "./mapError.js";
import { fromResponse, fromResponsesStream, toResponsesParams } from "./responsesTransform.js";
import {
    fromOpenAICompletion,
    fromOpenAIStream,
    openaiMaxStopSequences,
    toOpenAIParams,
} from "./transform.js";

export interface OpenAIProviderOptions extends HostedProviderOptions {
    /** `"chat"` (Chat Completions) or `"responses"` (the Responses API). Defaults to `"chat"`. */
    api?: "chat" | "responses";
}

export class OpenAIProvider implements Provider {
    readonly id: string;
    readonly type = "openai";
    readonly api: "chat" | "responses";
    readonly #client: SdkClient<OpenAI>;

    constructor(options: OpenAIProviderOptions) {
        this.id = options.id;
        this.api = options.api ?? "chat";
        this.#client = new SdkClient(options, (o) => new OpenAI(o), openaiWire);
    }

    unsupported(request: ProviderRequest): string | undefined {
        const wire = this.api === "responses" ? "the Responses API" : "Chat Completions";
        if (request.completion !== undefined)
            return `text completion and fill-in-the-middle need the local tier (this provider speaks ${wire})`;
        const stops = request.stop?.length ?? 0;
        if (this.api === "responses" && stops > 0)
            return "stop sequences: the Responses API has none (send them to a Chat Completions provider)";
        if (stops > openaiMaxStopSequences) {
            return `${stops} stop sequences; Chat Completions accepts at most ${openaiMaxStopSequences}`;
        }
        return nativeOnly(request, this.api === "responses" ? "openai-responses" : "openai-chat");
    }

    async complete(request: ProviderRequest, signal: AbortSignal): Promise<CompletionResult> {
        let phase: SdkCallPhase = "request";
        try {
            if (this.api === "responses") {
                const native = nativeBody(request, "openai-responses", "max_output_tokens");
                const response = native
                    ? await this.#sendNative<Response>(responsesPath, native.body, signal)
                    : await this.#client
                          .get()
                          .responses.create({ ...toResponsesParams(request), stream: false }, { signal });
                phase = "response";
                const result = fromResponse(this.id, response);
                if (native) result.native = { protocol: "openai-responses", body: response };
                return result;
            }
            const native = nativeBody(request, "openai-chat", "max_completion_tokens");
            const completion = native
                ? await this.#sendNative<ChatCompletion>(chatPath, native.body, signal)
                : await this.#client
                      .get()
                      .chat.completions.create({ ...toOpenAIParams(request), stream: false }, { signal });
            phase = "response";
            const result = fromOpenAICompletion(this.id, completion);
            if (native) result.native = { protocol: "openai-chat", body: completion };
            return result;
        } catch (error) {
            throw mapOpenAIError(this.id, error, signal, phase);
        }
    }

    async *stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderStreamEvent> {
        let phase: "request" | "stream" = "request";
        try {
            if (this.api === "responses") {
                const native = nativeBody(request, "openai-responses", "max_output_tokens");
                const events = native
                    ? await this.#streamNative<ResponseStreamEvent>(responsesPath, native.body, signal)
                    : await this.#client
                          .get()
                          .responses.create({ ...toResponsesParams(request), stream: true }, { signal });
                phase = "stream";
                yield* fromResponsesStream(this.id, events, signal, native !== undefined);
                return;
            }
            const native = nativeBody(request, "openai-chat", "max_completion_tokens");
            const usage = { stream_options: { include_usage: true } };
            const chunks = native
                ? await this.#streamNative<ChatCompletionChunk>(
                      chatPath,
                      { ...native.body, ...usage },
                      signal,
                  )
                : await this.#client
                      .get()
                      .chat.completions.create(
                          { ...toOpenAIParams(request), stream: true, ...usage },
                          { signal },
                      );
            phase = "stream";
            yield* fromOpenAIStream(this.id, chunks, signal, native !== undefined);
        } catch (error) {
            throw mapOpenAIError(this.id, error, signal, phase);
        }
    }

    /**
     * A caller's own body, unary: sent without the SDK where the provider has its own transport (its body
     * is already the API's: ../SdkClient.ts `send`), else through it.
     */
    async #sendNative<T>(path: string, body: Record<string, unknown>, signal: AbortSignal): Promise<T> {
        if (!this.#client.direct)
            return this.#client.get().post<T>(path, { body: { ...body, stream: false }, signal });
        const answer = await this.#client.send(path, { ...body, stream: false }, undefined, signal);
        return JSON.parse(await readText(answer.body)) as T;
    }

    /** A caller's own body, streamed: its events as the SDK would yield them. */
    async #streamNative<T>(
        path: string,
        body: Record<string, unknown>,
        signal: AbortSignal,
    ): Promise<AsyncIterable<T>> {
        if (!this.#client.direct)
            return (await this.#client
                .get()
                .post(path, { body: { ...body, stream: true }, signal, stream: true })) as AsyncIterable<T>;
        const answer = await this.#client.send(path, { ...body, stream: true }, undefined, signal);
        return wireEvents<T>(answer);
    }

    close(): void {
        this.#client.close();
    }
}

const chatPath = "/chat/completions";
const responsesPath = "/responses";

/** What the API needs of a request sent without the SDK, and the SDK's errors for it. */
const openaiWire: ApiWire = {
    defaultBaseURL: "https://api.openai.com/v1",
    headers: (apiKey) => ({ authorization: `Bearer ${apiKey}`, accept: "application/json" }),
    statusError: (status, body, message, headers) => OpenAI.APIError.generate(status, body, message, headers),
    connectionError: (cause) => new OpenAI.APIConnectionError({ cause }),
};

/**
 * OpenAI's stream events off the wire, as the SDK yields them: `[DONE]` ends them, an object with an
 * `error` member is thrown as the SDK's APIError (no status: mapError.ts classifies it).
 */
/** `[DONE]` ends a Chat Completions stream; a Responses stream ends with its response's last event. */
function isTerminal(message: SseMessage): boolean {
    return (
        message.data.startsWith("[DONE]") ||
        message.event === "response.completed" ||
        message.event === "response.incomplete" ||
        message.event === "response.failed"
    );
}

async function* wireEvents<T>(answer: { body: Readable; headers: () => Headers }): AsyncGenerator<T> {
    for await (const message of sseMessages(answer.body, isTerminal)) {
        if (message.data.startsWith("[DONE]")) return;
        const data = JSON.parse(message.data) as { error?: object };
        if (data.error !== undefined)
            throw new OpenAI.APIError(undefined, data.error, undefined, answer.headers());
        yield data as T;
    }
}

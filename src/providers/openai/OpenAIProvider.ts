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
 * for it.
 */
import OpenAI from "openai";
import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions/completions";
import type { ResponseCreateParamsBase } from "openai/resources/responses/responses";
import type { CompletionResult, ProviderStreamEvent } from "../../chat/types.js";
import { nativeBody } from "../nativeBody.js";
import type { Provider, ProviderRequest } from "../Provider.js";
import { SdkClient, type HostedProviderOptions } from "../SdkClient.js";
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
        this.#client = new SdkClient(options, (o) => new OpenAI(o));
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
        return undefined;
    }

    async complete(request: ProviderRequest, signal: AbortSignal): Promise<CompletionResult> {
        const client = this.#client.get();
        try {
            if (this.api === "responses") {
                const native = nativeBody(request, "openai-responses", "max_output_tokens");
                const response = await client.responses.create(
                    {
                        ...(native ? responsesParams(native.body) : toResponsesParams(request)),
                        stream: false,
                    },
                    { signal },
                );
                const result = fromResponse(this.id, response);
                if (native) result.native = { protocol: "openai-responses", body: response };
                return result;
            }
            const native = nativeBody(request, "openai-chat", "max_completion_tokens");
            const completion = await client.chat.completions.create(
                { ...(native ? chatParams(native.body) : toOpenAIParams(request)), stream: false },
                { signal },
            );
            const result = fromOpenAICompletion(this.id, completion);
            if (native) result.native = { protocol: "openai-chat", body: completion };
            return result;
        } catch (error) {
            throw mapOpenAIError(this.id, error, signal);
        }
    }

    async *stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderStreamEvent> {
        const client = this.#client.get();
        let phase: "request" | "stream" = "request";
        try {
            if (this.api === "responses") {
                const native = nativeBody(request, "openai-responses", "max_output_tokens");
                const events = await client.responses.create(
                    { ...(native ? responsesParams(native.body) : toResponsesParams(request)), stream: true },
                    { signal },
                );
                phase = "stream";
                yield* fromResponsesStream(this.id, events, signal, native !== undefined);
                return;
            }
            const native = nativeBody(request, "openai-chat", "max_completion_tokens");
            const chunks = await client.chat.completions.create(
                {
                    ...(native ? chatParams(native.body) : toOpenAIParams(request)),
                    stream: true,
                    stream_options: { include_usage: true },
                },
                { signal },
            );
            phase = "stream";
            yield* fromOpenAIStream(this.id, chunks, signal, native !== undefined);
        } catch (error) {
            throw mapOpenAIError(this.id, error, signal, phase);
        }
    }

    close(): void {
        this.#client.close();
    }
}

/** A caller's own body, as the SDK's parameter type (the caller's fields are its business and the API's). */
function chatParams(body: Record<string, unknown>): ChatCompletionCreateParamsBase {
    return body as unknown as ChatCompletionCreateParamsBase;
}

function responsesParams(body: Record<string, unknown>): ResponseCreateParamsBase {
    return body;
}

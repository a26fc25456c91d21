/**
 * GPT/Codex models through the official `openai` SDK (Chat Completions), or any server that speaks
 * Chat Completions (set `baseURL`). The SDK runs with `maxRetries: 0`: the router owns retries (key
 * handling shared with Anthropic in ../SdkClient.ts). A request that came in as a Chat Completions request
 * (`native`, ../nativeBody.ts) is sent as the caller wrote it (reasoning_effort, user, prompt_cache_key and
 * the rest), its unary answer kept as OpenAI's own body; streamed chunks are normalized (the usage chunk
 * the router needs would otherwise reach callers that did not ask for it).
 */
import OpenAI from "openai";
import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions/completions";
import type { CompletionResult, ProviderStreamEvent } from "../../chat/types.js";
import { nativeBody } from "../nativeBody.js";
import type { Provider, ProviderRequest } from "../Provider.js";
import { SdkClient, type HostedProviderOptions } from "../SdkClient.js";
import { mapOpenAIError } from "./mapError.js";
import {
    fromOpenAICompletion,
    fromOpenAIStream,
    openaiMaxStopSequences,
    toOpenAIParams,
} from "./transform.js";

export type OpenAIProviderOptions = HostedProviderOptions;

export class OpenAIProvider implements Provider {
    readonly id: string;
    readonly type = "openai";
    readonly #client: SdkClient<OpenAI>;

    constructor(options: OpenAIProviderOptions) {
        this.id = options.id;
        this.#client = new SdkClient(options, (o) => new OpenAI(o));
    }

    unsupported(request: ProviderRequest): string | undefined {
        if (request.completion !== undefined)
            return "text completion and fill-in-the-middle need the local tier (this provider speaks Chat Completions)";
        const stops = request.stop?.length ?? 0;
        if (stops > openaiMaxStopSequences) {
            return `${stops} stop sequences; Chat Completions accepts at most ${openaiMaxStopSequences}`;
        }
        return undefined;
    }

    async complete(request: ProviderRequest, signal: AbortSignal): Promise<CompletionResult> {
        const client = this.#client.get();
        const native = nativeBody(request, "openai-chat", "max_completion_tokens");
        try {
            const completion = await client.chat.completions.create(
                { ...(native ? paramsOf(native.body) : toOpenAIParams(request)), stream: false },
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
        const native = nativeBody(request, "openai-chat", "max_completion_tokens");
        let phase: "request" | "stream" = "request";
        try {
            const chunks = await client.chat.completions.create(
                {
                    ...(native ? paramsOf(native.body) : toOpenAIParams(request)),
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
function paramsOf(body: Record<string, unknown>): ChatCompletionCreateParamsBase {
    return body as unknown as ChatCompletionCreateParamsBase;
}

/**
 * Claude through the official @anthropic-ai/sdk (Messages API). The SDK runs with `maxRetries: 0` (the
 * router owns retries) and an explicit API key read from the configured environment variable (key
 * handling shared with OpenAI in ../SdkClient.ts). A request that came in as a Messages request
 * (`native`, ../nativeBody.ts) is sent as the caller wrote it, with its `anthropic-beta` and
 * `anthropic-version` headers, and its answer kept as Anthropic's own: the message body for unary
 * calls, every stream event as a `native` event (thinking blocks and their signatures, cache usage and
 * the rest the normalized form has no place for), so a Messages caller gets what the API sent.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { MessageCreateParamsBase } from "@anthropic-ai/sdk/resources/messages/messages";
import type { CompletionResult, NativeRequest, ProviderStreamEvent } from "../../chat/types.js";
import { nativeBody } from "../nativeBody.js";
import type { Provider, ProviderRequest } from "../Provider.js";
import { SdkClient, type HostedProviderOptions } from "../SdkClient.js";
import { mapAnthropicError } from "./mapError.js";
import { fromAnthropicMessage, fromAnthropicStream, toAnthropicParams } from "./transform.js";

export type AnthropicProviderOptions = HostedProviderOptions;

export class AnthropicProvider implements Provider {
    readonly id: string;
    readonly type = "anthropic";
    readonly #client: SdkClient<Anthropic>;

    constructor(options: AnthropicProviderOptions) {
        this.id = options.id;
        this.#client = new SdkClient(options, (o) => new Anthropic(o));
    }

    unsupported(request: ProviderRequest): string | undefined {
        if (request.completion !== undefined)
            return "text completion and fill-in-the-middle need the local tier (the Messages API has neither)";
        if (request.response_format?.type === "json_object")
            return "response_format json_object has no Messages API form (send a json_schema)";
        return undefined;
    }

    async complete(request: ProviderRequest, signal: AbortSignal): Promise<CompletionResult> {
        const client = this.#client.get();
        const native = nativeBody(request, "anthropic-messages", "max_tokens");
        try {
            const message = await client.messages.create(
                {
                    ...(native
                        ? (native.body as unknown as MessageCreateParamsBase)
                        : toAnthropicParams(request)),
                    stream: false,
                },
                requestOptions(signal, native?.native),
            );
            const result = fromAnthropicMessage(this.id, message);
            if (native) result.native = { protocol: "anthropic-messages", body: message };
            return result;
        } catch (error) {
            throw mapAnthropicError(this.id, error, signal);
        }
    }

    async *stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderStreamEvent> {
        const client = this.#client.get();
        const native = nativeBody(request, "anthropic-messages", "max_tokens");
        let phase: "request" | "stream" = "request";
        try {
            const events = await client.messages.create(
                {
                    ...(native
                        ? (native.body as unknown as MessageCreateParamsBase)
                        : toAnthropicParams(request)),
                    stream: true,
                },
                requestOptions(signal, native?.native),
            );
            phase = "stream";
            yield* fromAnthropicStream(this.id, events, signal, native !== undefined);
        } catch (error) {
            throw mapAnthropicError(this.id, error, signal, phase);
        }
    }

    /** Anthropic's count endpoint (`POST /v1/messages/count_tokens`) with the request's prompt fields. */
    async countTokens(request: ProviderRequest, signal: AbortSignal): Promise<number> {
        const client = this.#client.get();
        const { model, messages, system, tools, tool_choice, thinking } = toAnthropicParams(request);
        try {
            const count = await client.messages.countTokens(
                {
                    model,
                    messages,
                    ...(system === undefined ? {} : { system }),
                    ...(tools === undefined ? {} : { tools }),
                    ...(tool_choice === undefined ? {} : { tool_choice }),
                    ...(thinking === undefined ? {} : { thinking }),
                },
                { signal },
            );
            return count.input_tokens;
        } catch (error) {
            throw mapAnthropicError(this.id, error, signal);
        }
    }

    close(): void {
        this.#client.close();
    }
}

/** The caller's protocol headers the API reads, sent on with a native request. */
const forwardedHeaders = ["anthropic-beta", "anthropic-version"] as const;

function requestOptions(
    signal: AbortSignal,
    native: NativeRequest | undefined,
): { signal: AbortSignal; headers?: Record<string, string> } {
    const sent = native?.headers;
    if (!sent) return { signal };
    const headers: Record<string, string> = {};
    for (const name of forwardedHeaders) {
        const value = sent[name];
        if (value !== undefined) headers[name] = value;
    }
    return { signal, headers };
}

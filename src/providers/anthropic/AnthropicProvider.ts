/**
 * Claude through the official @anthropic-ai/sdk (Messages API). The SDK runs with `maxRetries: 0` (the
 * router owns retries) and an explicit API key read from the configured environment variable (key
 * handling shared with OpenAI in ../SdkClient.ts). A request that came in as a Messages request
 * (`native`, ../nativeBody.ts) is sent as the caller wrote it, with its `anthropic-beta` and
 * `anthropic-version` headers, and its answer kept as Anthropic's own: the message body for unary
 * calls, every stream event as a `native` event (thinking blocks and their signatures, cache usage and
 * the rest the normalized form has no place for), so a Messages caller gets what the API sent. Such a
 * request is sent without the SDK (its body is already the API's: ../SdkClient.ts `send`), its errors
 * still the SDK's, so one error map serves both.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { Readable } from "node:stream";
import type {
    Message,
    MessageCountTokensParams,
    MessageCreateParamsBase,
    MessageTokensCount,
    RawMessageStreamEvent,
} from "@anthropic-ai/sdk/resources/messages/messages";
import type { CompletionResult, NativeRequest, ProviderStreamEvent } from "../../chat/types.js";
import { nativeBody, nativeOnly } from "../nativeBody.js";
import type { Provider, ProviderRequest } from "../Provider.js";
import { readText, sseMessages } from "../rawBody.js";
import type { SdkCallPhase } from "../mapSdkError.js";
import { SdkClient, type ApiWire, type HostedProviderOptions } from "../SdkClient.js";
import { mapAnthropicError } from "./mapError.js";
import { fromAnthropicMessage, fromAnthropicStream, toAnthropicParams } from "./transform.js";

export type AnthropicProviderOptions = HostedProviderOptions;

export class AnthropicProvider implements Provider {
    readonly id: string;
    readonly type = "anthropic";
    readonly #client: SdkClient<Anthropic>;

    constructor(options: AnthropicProviderOptions) {
        this.id = options.id;
        this.#client = new SdkClient(options, (o) => new Anthropic(o), anthropicWire);
    }

    unsupported(request: ProviderRequest): string | undefined {
        if (request.completion !== undefined)
            return "text completion and fill-in-the-middle need the local tier (the Messages API has neither)";
        if (request.response_format?.type === "json_object")
            return "response_format json_object has no Messages API form (send a json_schema)";
        return nativeOnly(request, "anthropic-messages");
    }

    async complete(request: ProviderRequest, signal: AbortSignal): Promise<CompletionResult> {
        const native = nativeBody(request, "anthropic-messages", "max_tokens");
        let phase: SdkCallPhase = "request";
        try {
            let message: Message;
            if (native && this.#client.direct) {
                const answer = await this.#client.send(
                    messagesPath,
                    { ...native.body, stream: false },
                    forwarded(native.native),
                    signal,
                );
                message = JSON.parse(await readText(answer.body)) as Message;
            } else {
                message = await this.#client
                    .get()
                    .messages.create(
                        { ...(native ? paramsOf(native.body) : toAnthropicParams(request)), stream: false },
                        { signal, headers: forwarded(native?.native) },
                    );
            }
            phase = "response";
            const result = fromAnthropicMessage(this.id, message);
            if (native) result.native = { protocol: "anthropic-messages", body: message };
            return result;
        } catch (error) {
            throw mapAnthropicError(this.id, error, signal, phase);
        }
    }

    async *stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderStreamEvent> {
        const native = nativeBody(request, "anthropic-messages", "max_tokens");
        let phase: "request" | "stream" = "request";
        try {
            let events: AsyncIterable<RawMessageStreamEvent>;
            if (native && this.#client.direct) {
                const answer = await this.#client.send(
                    messagesPath,
                    { ...native.body, stream: true },
                    forwarded(native.native),
                    signal,
                );
                events = wireEvents(answer);
            } else {
                events = await this.#client
                    .get()
                    .messages.create(
                        { ...(native ? paramsOf(native.body) : toAnthropicParams(request)), stream: true },
                        { signal, headers: forwarded(native?.native) },
                    );
            }
            phase = "stream";
            yield* fromAnthropicStream(this.id, events, signal, native !== undefined);
        } catch (error) {
            throw mapAnthropicError(this.id, error, signal, phase);
        }
    }

    /**
     * Anthropic's count endpoint (`POST /v1/messages/count_tokens`): a request that came in as a Messages
     * request is counted as the caller wrote it (its thinking blocks, billing block and cache_control are
     * what Anthropic bills, and Claude Code compacts its context by this count), with only the model and
     * no output cap; any other, with the normalized request's prompt fields.
     */
    async countTokens(request: ProviderRequest, signal: AbortSignal): Promise<number> {
        const native = nativeBody(request, "anthropic-messages", "max_tokens");
        try {
            const count = native
                ? await this.#countNative(native, signal)
                : await this.#client.get().messages.countTokens(countParams(request), { signal });
            return count.input_tokens;
        } catch (error) {
            throw mapAnthropicError(this.id, error, signal);
        }
    }

    async #countNative(
        native: NonNullable<ReturnType<typeof nativeBody>>,
        signal: AbortSignal,
    ): Promise<MessageTokensCount> {
        const { max_tokens: _cap, ...body } = native.body;
        const headers = forwarded(native.native);
        if (!this.#client.direct)
            return this.#client
                .get()
                .messages.countTokens(body as unknown as MessageCountTokensParams, { signal, headers });
        const answer = await this.#client.send(countPath, body, headers, signal);
        return JSON.parse(await readText(answer.body)) as MessageTokensCount;
    }

    close(): void {
        this.#client.close();
    }
}

const messagesPath = "/v1/messages";
const countPath = "/v1/messages/count_tokens";

/** What the Messages API needs of a request sent without the SDK, and the SDK's errors for it. */
const anthropicWire: ApiWire = {
    defaultBaseURL: "https://api.anthropic.com",
    headers: (apiKey) => ({
        "x-api-key": apiKey,
        "anthropic-version": "2023-06-01",
        accept: "application/json",
    }),
    statusError: (status, body, message, headers) =>
        Anthropic.APIError.generate(status, body, message, headers),
    connectionError: (cause) => new Anthropic.APIConnectionError({ cause }),
};

/** The caller's protocol headers the API reads, sent on with a native request. */
const forwardedHeaders = ["anthropic-beta", "anthropic-version"] as const;

function forwarded(native: NativeRequest | undefined): Record<string, string> | undefined {
    const sent = native?.headers;
    if (!sent) return undefined;
    const headers: Record<string, string> = {};
    for (const name of forwardedHeaders) {
        const value = sent[name];
        if (value !== undefined) headers[name] = value;
    }
    return headers;
}

/** The count endpoint's fields of a normalized request. */
function countParams(request: ProviderRequest): MessageCountTokensParams {
    const { model, messages, system, tools, tool_choice, thinking } = toAnthropicParams(request);
    return {
        model,
        messages,
        ...(system === undefined ? {} : { system }),
        ...(tools === undefined ? {} : { tools }),
        ...(tool_choice === undefined ? {} : { tool_choice }),
        ...(thinking === undefined ? {} : { thinking }),
    };
}

/** A caller's own body, as the SDK's parameter type (its fields are the caller's and the API's business). */
function paramsOf(body: Record<string, unknown>): MessageCreateParamsBase {
    return body as unknown as MessageCreateParamsBase;
}

/**
 * The Messages API's events off the wire, as the SDK yields them: `ping` skipped, an `error` event thrown
 * as the SDK's APIError (no status: its `error.type` decides, mapError.ts).
 */
async function* wireEvents(answer: {
    body: Readable;
    headers: () => Headers;
}): AsyncGenerator<RawMessageStreamEvent> {
    for await (const message of sseMessages(answer.body, (m) => m.event === "message_stop")) {
        if (message.event === "ping") continue;
        if (message.event === "error") {
            let body: { error?: { type?: string } } | undefined;
            try {
                body = JSON.parse(message.data) as typeof body;
            } catch {
                body = undefined;
            }
            const type = body?.error?.type as ConstructorParameters<typeof Anthropic.APIError>[4];
            throw new Anthropic.APIError(
                undefined,
                body,
                body ? undefined : message.data,
                answer.headers(),
                type,
            );
        }
        yield JSON.parse(message.data) as RawMessageStreamEvent;
    }
}

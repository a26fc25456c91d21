/**
 * Claude through the official @anthropic-ai/sdk (Messages API). The SDK runs with `maxRetries: 0` (the
 * router owns retries) and an explicit API key read from the configured environment variable: without
 * one the SDK would go looking for credentials in profiles on disk, so a missing key is reported as
 * E_PROVIDER_AUTH before any request is made.
 */
import Anthropic from "@anthropic-ai/sdk";
import { ErrorCode } from "../../errors/codes.js";
import type { CompletionResult, ProviderStreamEvent } from "../../router/types.js";
import type { Provider, ProviderRequest } from "../Provider.js";
import { ProviderError } from "../ProviderError.js";
import { mapAnthropicError } from "./mapError.js";
import { fromAnthropicMessage, fromAnthropicStream, toAnthropicParams } from "./transform.js";

export interface AnthropicProviderOptions {
    id: string;
    baseURL?: string | undefined;
    /** Environment variable holding the API key. */
    apiKeyEnv: string;
    /** Environment to read the key from. Defaults to `process.env`. */
    env?: Readonly<Record<string, string | undefined>>;
    /**
     * The SDK's own per-request timeout, a backstop only: the router aborts attempts through the signal.
     * Set explicitly also because the SDK refuses unary calls it expects to exceed 10 minutes otherwise.
     */
    timeoutMs?: number;
}

/** The SDK's backstop timeout: longer than any router attempt budget, so the router's fires first. */
const sdkTimeoutMs = 3_600_000;

export class AnthropicProvider implements Provider {
    readonly id: string;
    readonly type = "anthropic";
    readonly #client: Anthropic | undefined;
    readonly #missingKey: string | undefined;

    constructor(options: AnthropicProviderOptions) {
        this.id = options.id;
        const apiKey = (options.env ?? process.env)[options.apiKeyEnv];
        if (apiKey === undefined || apiKey === "") {
            this.#missingKey = `no API key: set the ${options.apiKeyEnv} environment variable`;
            return;
        }
        this.#client = new Anthropic({
            apiKey,
            baseURL: options.baseURL ?? null,
            maxRetries: 0,
            timeout: options.timeoutMs ?? sdkTimeoutMs,
        });
    }

    unsupported(): string | undefined {
        return undefined;
    }

    #clientOrThrow(): Anthropic {
        if (this.#client) return this.#client;
        throw new ProviderError(this.id, ErrorCode.ProviderAuth, this.#missingKey ?? "no client");
    }

    async complete(request: ProviderRequest, signal: AbortSignal): Promise<CompletionResult> {
        const client = this.#clientOrThrow();
        try {
            const message = await client.messages.create(
                { ...toAnthropicParams(request), stream: false },
                { signal },
            );
            return fromAnthropicMessage(this.id, message);
        } catch (error) {
            throw mapAnthropicError(this.id, error, signal);
        }
    }

    async *stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderStreamEvent> {
        const client = this.#clientOrThrow();
        let phase: "request" | "stream" = "request";
        try {
            const events = await client.messages.create(
                { ...toAnthropicParams(request), stream: true },
                { signal },
            );
            phase = "stream";
            yield* fromAnthropicStream(this.id, events, signal);
        } catch (error) {
            throw mapAnthropicError(this.id, error, signal, phase);
        }
    }

    close(): void {
        // fetch-based: no connection pool of our own to release.
    }
}

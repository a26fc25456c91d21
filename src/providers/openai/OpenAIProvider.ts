/**
 * GPT/Codex models through the official `openai` SDK (Chat Completions), or any server that speaks
 * Chat Completions (set `baseURL`). The SDK runs with `maxRetries: 0`: the router owns retries.
 */
import OpenAI from "openai";
import { ErrorCode } from "../../errors/codes.js";
import type { CompletionResult, ProviderStreamEvent } from "../../router/types.js";
import type { Provider, ProviderRequest } from "../Provider.js";
import { ProviderError } from "../ProviderError.js";
import { mapOpenAIError } from "./mapError.js";
import {
    fromOpenAICompletion,
    fromOpenAIStream,
    openaiMaxStopSequences,
    toOpenAIParams,
} from "./transform.js";

export interface OpenAIProviderOptions {
    id: string;
    baseURL?: string | undefined;
    /** Environment variable holding the API key. */
    apiKeyEnv: string;
    /** Environment to read the key from. Defaults to `process.env`. */
    env?: Readonly<Record<string, string | undefined>>;
    /** The SDK's own per-request timeout, a backstop: the router aborts attempts through the signal. */
    timeoutMs?: number;
}

const sdkTimeoutMs = 3_600_000;

export class OpenAIProvider implements Provider {
    readonly id: string;
    readonly type = "openai";
    readonly #client: OpenAI | undefined;
    readonly #missingKey: string | undefined;

    constructor(options: OpenAIProviderOptions) {
        this.id = options.id;
        const apiKey = (options.env ?? process.env)[options.apiKeyEnv];
        if (apiKey === undefined || apiKey === "") {
            this.#missingKey = `no API key: set the ${options.apiKeyEnv} environment variable`;
            return;
        }
        this.#client = new OpenAI({
            apiKey,
            baseURL: options.baseURL ?? null,
            maxRetries: 0,
            timeout: options.timeoutMs ?? sdkTimeoutMs,
        });
    }

    unsupported(request: ProviderRequest): string | undefined {
        const stops = request.stop?.length ?? 0;
        if (stops > openaiMaxStopSequences) {
            return `${stops} stop sequences; Chat Completions accepts at most ${openaiMaxStopSequences}`;
        }
        return undefined;
    }

    #clientOrThrow(): OpenAI {
        if (this.#client) return this.#client;
        throw new ProviderError(this.id, ErrorCode.ProviderAuth, this.#missingKey ?? "no client");
    }

    async complete(request: ProviderRequest, signal: AbortSignal): Promise<CompletionResult> {
        const client = this.#clientOrThrow();
        try {
            const completion = await client.chat.completions.create(
                { ...toOpenAIParams(request), stream: false },
                { signal },
            );
            return fromOpenAICompletion(this.id, completion);
        } catch (error) {
            throw mapOpenAIError(this.id, error, signal);
        }
    }

    async *stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderStreamEvent> {
        const client = this.#clientOrThrow();
        let phase: "request" | "stream" = "request";
        try {
            const chunks = await client.chat.completions.create(
                { ...toOpenAIParams(request), stream: true, stream_options: { include_usage: true } },
                { signal },
            );
            phase = "stream";
            yield* fromOpenAIStream(this.id, chunks, signal);
        } catch (error) {
            throw mapOpenAIError(this.id, error, signal, phase);
        }
    }

    close(): void {
        // fetch-based: no connection pool of our own to release.
    }
}

/**
 * What the router needs from a model provider. Each provider translates the normalized format
 * (chat/types.ts) to its wire format and back, maps its failures to ServiceErrors with stable codes
 * (retry and fallback decisions read `code`/`retryable`, never message text), and honours the
 * AbortSignal. Providers never retry: the router is the only retry loop (the SDKs run with
 * `maxRetries: 0`), so retries cannot stack.
 */
import type { ChatRequest, CompletionResult, ProviderStreamEvent } from "../chat/types.js";

/** A request for one target: the caller's request with the target's model and the output cap resolved. */
export interface ProviderRequest extends ChatRequest {
    model: string;
    max_tokens: number;
    /**
     * Ask for the answer's confidence signal (`signals.mean_logprob`). The router sets it only for tiers
     * whose cascade checks it, because it costs the local tier decode speed; providers without the
     * signal ignore it. Defaults to `false`.
     */
    confidence?: boolean;
}

export type ProviderType = "anthropic" | "openai" | "local";

export interface Provider {
    /** The provider's config key (records and metrics show it). */
    readonly id: string;
    readonly type: ProviderType;
    /**
     * Why this provider cannot serve the request as asked, or undefined when it can. The router skips
     * such a target (attempt outcome `skipped_unsupported`) rather than dropping part of the request
     * silently, the way gateways drop stop sequences (LiteLLM #37118).
     */
    unsupported(request: ProviderRequest): string | undefined;
    /**
     * Learns what `unsupported` needs to judge this request when the provider does not know it yet (the
     * local tier asks its server's ListModels whether the target takes tools; a server that was still
     * loading when the router started has not said). A promise only then, undefined otherwise: the router
     * awaits it before `unsupported`, so a request is not skipped for what one round trip would tell.
     */
    prepare?(request: ProviderRequest, signal: AbortSignal): Promise<void> | undefined;
    /** One unary call. Rejects with a ServiceError (ProviderError for provider failures). */
    complete(request: ProviderRequest, signal: AbortSignal): Promise<CompletionResult>;
    /**
     * One streaming call: `message_start`, content events, exactly one `message_end` (see
     * ProviderStreamEvent). A stream that ends early throws E_PROVIDER_STREAM; an abort throws the
     * signal's AbortedError. Breaking out of the iteration cancels the underlying request.
     */
    stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<ProviderStreamEvent>;
    /**
     * The request's input tokens as the target's model counts them (its tokenizer or its counting
     * endpoint), without generating. Absent where the provider has no way to count exactly.
     */
    countTokens?(request: ProviderRequest, signal: AbortSignal): Promise<number>;
    /** Releases connections. */
    close(): void;
}

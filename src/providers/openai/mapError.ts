/**
 * `openai` SDK errors → ProviderError with a stable code, `retryable` and Retry-After (`retry-after-ms`
 * or `retry-after`). An error inside a stream arrives as a chunk with an `error` object; the SDK throws
 * it as an APIError with `status: undefined`, so its `code`/`type` decide.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { ErrorCode } from "../../errors/codes.js";
import { isServiceError, type ServiceError } from "../../errors/ServiceError.js";
import { toAbortedError } from "../../util/abort.js";
import { parseRetryAfter, ProviderError } from "../ProviderError.js";

interface Classified {
    code: ErrorCode;
    retryable: boolean;
}

function classify(
    status: number | undefined,
    code: string | undefined,
    type: string | undefined,
): Classified {
    // Codes first: they are more specific than statuses.
    if (code === "context_length_exceeded") return { code: ErrorCode.ContextOverflow, retryable: false };
    // Out of credit, not a rate: waiting does not help, another provider might.
    if (code === "insufficient_quota" || type === "insufficient_quota") {
        return { code: ErrorCode.ProviderRateLimited, retryable: false };
    }
    if (code === "rate_limit_exceeded") return { code: ErrorCode.ProviderRateLimited, retryable: true };
    if (status === undefined) {
        if (type === "invalid_request_error") return { code: ErrorCode.ProviderBadRequest, retryable: false };
        return { code: ErrorCode.ProviderUnavailable, retryable: true };
    }
    switch (status) {
        case 401:
        case 403:
            return { code: ErrorCode.ProviderAuth, retryable: false };
        case 404:
            return { code: ErrorCode.ModelNotFound, retryable: false };
        case 408:
        case 504:
            return { code: ErrorCode.ProviderTimeout, retryable: true };
        case 429:
            return { code: ErrorCode.ProviderRateLimited, retryable: true };
        case 503:
            return { code: ErrorCode.ProviderOverloaded, retryable: true };
        default:
            return status >= 500 || status === 409
                ? { code: ErrorCode.ProviderUnavailable, retryable: true }
                : { code: ErrorCode.ProviderBadRequest, retryable: false };
    }
}

/**
 * Maps anything the SDK (or our translation) threw during a call. `phase` is "stream" once the response
 * started: a non-SDK error then is the connection breaking mid-body (undici's "terminated"), which is a
 * broken stream and retryable, not a bug.
 */
export function mapOpenAIError(
    provider: string,
    error: unknown,
    signal: AbortSignal,
    phase: "request" | "stream" = "request",
): ServiceError {
    if (signal.aborted) return toAbortedError(signal);
    if (isServiceError(error)) return error;
    if (error instanceof APIUserAbortError) return toAbortedError(signal);
    if (error instanceof APIConnectionTimeoutError) {
        return new ProviderError(provider, ErrorCode.ProviderTimeout, "request timed out", {
            retryable: true,
            cause: error,
        });
    }
    if (error instanceof APIConnectionError) {
        return new ProviderError(
            provider,
            ErrorCode.ProviderUnavailable,
            `connection failed: ${error.message}`,
            {
                retryable: true,
                cause: error,
            },
        );
    }
    if (error instanceof APIError) {
        const status = typeof error.status === "number" ? error.status : undefined;
        const code = error.code ?? undefined;
        const classified = classify(status, code, error.type);
        const body = error.error as { message?: unknown } | undefined;
        const apiMessage = typeof body?.message === "string" ? body.message : undefined;
        const what = [
            status === undefined ? "stream error" : `HTTP ${status}`,
            code ?? error.type,
            apiMessage,
        ]
            .filter((s) => s !== undefined && s !== "")
            .join(" ");
        const headers = error.headers as Headers | undefined;
        return new ProviderError(provider, classified.code, what, {
            retryable: classified.retryable,
            cause: error,
            status,
            retryAfterMs: headers ? parseRetryAfter((name) => headers.get(name)) : undefined,
            details: { type: error.type ?? null, code: code ?? null, requestId: error.requestID ?? null },
        });
    }
    const message = error instanceof Error ? error.message : String(error);
    if (phase === "stream") {
        return new ProviderError(provider, ErrorCode.ProviderStream, `stream broke: ${message}`, {
            retryable: true,
            cause: error,
        });
    }
    return new ProviderError(provider, ErrorCode.Internal, `unexpected error: ${message}`, {
        retryable: true,
        cause: error,
    });
}

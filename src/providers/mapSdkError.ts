/**
 * The error mapping both hosted SDKs share. @anthropic-ai/sdk and `openai` come from the same generator
 * (Stainless), so their error classes have the same shape: an abort, a connection timeout, a failed
 * connection and an APIError with status and headers. Only how an APIError is classified differs
 * (Anthropic's `error.type` vs OpenAI's `code`), so each provider passes its SDK's classes and its own
 * `classify`; everything else (caller aborts, our own ServiceErrors, Retry-After, broken streams) lives
 * here once.
 */
import { ErrorCode } from "../errors/codes.js";
import { isServiceError, type ServiceError } from "../errors/ServiceError.js";
import { toAbortedError } from "../util/abort.js";
import { parseRetryAfter, ProviderError } from "./ProviderError.js";

type ErrorClass<T> = abstract new (...args: never[]) => T;

/** The SDK error classes the mapping needs (each SDK exports the same four). */
export interface SdkErrorClasses<TApiError extends Error> {
    APIUserAbortError: ErrorClass<Error>;
    APIConnectionTimeoutError: ErrorClass<Error>;
    APIConnectionError: ErrorClass<Error>;
    APIError: ErrorClass<TApiError>;
}

/** Where in a call an error was thrown: sending, reading a stream, or reading a unary answer. */
export type SdkCallPhase = "request" | "stream" | "response";

/** A stable code and whether a retry can help. */
export interface ErrorClassification {
    code: ErrorCode;
    retryable: boolean;
}

/**
 * The HTTP statuses both hosted APIs use alike: auth, unknown model, timeouts, rate limits, overload;
 * other 5xx and 409 (conflict) may pass on retry, other 4xx will not. A provider maps its own extra
 * statuses (Anthropic's 402 billing, 529 overloaded) before calling this.
 */
export function classifyHttpStatus(status: number): ErrorClassification {
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

/** How one SDK's APIError maps: the stable code, whether a retry can help, and a short description. */
export interface ClassifiedApiError {
    code: ErrorCode;
    retryable: boolean;
    /** e.g. `HTTP 429 rate_limit_error slow down` (no secrets: SDK messages never echo the key). */
    what: string;
    status: number | undefined;
    details: Readonly<Record<string, unknown>>;
}

/**
 * Maps anything an SDK (or our translation) threw during a call. `phase` is "stream" once the response
 * started: a non-SDK error then is the connection breaking mid-body (undici's "terminated"), which is a
 * broken stream and retryable, not a bug. "response" once a unary answer arrived whole: a non-SDK error
 * then came from reading it (a TypeError on a field that is null or missing), so the answer is not what
 * the API promises: the provider's fault (E_PROVIDER_STREAM, retryable), not ours (E_INTERNAL).
 */
export function mapSdkError<TApiError extends Error & { headers?: unknown }>(
    classes: SdkErrorClasses<TApiError>,
    classify: (error: TApiError) => ClassifiedApiError,
    provider: string,
    error: unknown,
    signal: AbortSignal,
    phase: SdkCallPhase,
): ServiceError {
    if (signal.aborted) return toAbortedError(signal);
    if (isServiceError(error)) return error;
    if (error instanceof classes.APIUserAbortError) return toAbortedError(signal);
    // The timeout class extends the connection class in both SDKs: test it first.
    if (error instanceof classes.APIConnectionTimeoutError) {
        return new ProviderError(provider, ErrorCode.ProviderTimeout, "request timed out", {
            retryable: true,
            cause: error,
        });
    }
    if (error instanceof classes.APIConnectionError) {
        return new ProviderError(
            provider,
            ErrorCode.ProviderUnavailable,
            `connection failed: ${error.message}`,
            { retryable: true, cause: error },
        );
    }
    if (error instanceof classes.APIError) {
        const classified = classify(error);
        const headers = error.headers as Headers | undefined;
        return new ProviderError(provider, classified.code, classified.what, {
            retryable: classified.retryable,
            cause: error,
            status: classified.status,
            retryAfterMs: headers ? parseRetryAfter((name) => headers.get(name)) : undefined,
            details: classified.details,
        });
    }
    const message = error instanceof Error ? error.message : String(error);
    // The SDKs parse a unary body with JSON.parse and let its SyntaxError through: a body cut short or
    // not JSON at all is the provider breaking the protocol.
    if (error instanceof SyntaxError) {
        return new ProviderError(provider, ErrorCode.ProviderStream, `malformed response body: ${message}`, {
            retryable: true,
            cause: error,
        });
    }
    if (phase === "response") {
        return new ProviderError(provider, ErrorCode.ProviderStream, `malformed response: ${message}`, {
            retryable: true,
            cause: error,
        });
    }
    // Not an SDK error: a bug on our side or in the SDK. Another target runs other code, so fall back.
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

/** Joins the non-empty parts of an error description with spaces. */
export function describeParts(parts: readonly unknown[]): string {
    return parts.filter((s): s is string => typeof s === "string" && s !== "").join(" ");
}

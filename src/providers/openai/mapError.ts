/**
 * `openai` SDK errors → ProviderError with a stable code, `retryable` and Retry-After (`retry-after-ms`
 * or `retry-after`; the shared part is ../mapSdkError.ts). An error inside a stream arrives as a chunk
 * with an `error` object; the SDK throws it as an APIError with `status: undefined`, so its `code`/`type`
 * decide.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { ErrorCode } from "../../errors/codes.js";
import type { ServiceError } from "../../errors/ServiceError.js";
import {
    classifyHttpStatus,
    describeParts,
    mapSdkError,
    type ClassifiedApiError,
    type ErrorClassification,
    type SdkCallPhase,
} from "../mapSdkError.js";

function classifyCode(
    status: number | undefined,
    code: string | undefined,
    type: string | undefined,
): ErrorClassification {
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
    return classifyHttpStatus(status);
}

const classes = { APIUserAbortError, APIConnectionTimeoutError, APIConnectionError, APIError };

function classify(error: APIError): ClassifiedApiError {
    const status = typeof error.status === "number" ? error.status : undefined;
    const code = error.code ?? undefined;
    const body: { message?: unknown } | undefined = error.error;
    return {
        ...classifyCode(status, code, error.type),
        what: describeParts([
            status === undefined ? "stream error" : `HTTP ${status}`,
            code ?? error.type,
            body?.message,
        ]),
        status,
        details: { type: error.type ?? null, code: code ?? null, requestId: error.requestID ?? null },
    };
}

/** Maps anything the SDK (or our translation) threw during a call (see mapSdkError for `phase`). */
export function mapOpenAIError(
    provider: string,
    error: unknown,
    signal: AbortSignal,
    phase: SdkCallPhase = "request",
): ServiceError {
    return mapSdkError(classes, classify, provider, error, signal, phase);
}

/**
 * @anthropic-ai/sdk errors → ProviderError with a stable code, `retryable` and Retry-After (the shared
 * part is ../mapSdkError.ts). Statuses decide when there is one; a mid-stream `error` event has none
 * (the SDK throws an APIError with `status: undefined`), so its `error.type` decides
 * (`overloaded_error` is "HTTP 529 in a non-streaming context", per the streaming docs).
 */
import {
    APIConnectionError,
    APIConnectionTimeoutError,
    APIError,
    APIUserAbortError,
} from "@anthropic-ai/sdk";
import { ErrorCode } from "../../errors/codes.js";
import { contextOverflowDetails } from "../../errors/contextOverflow.js";
import type { ServiceError } from "../../errors/ServiceError.js";
import {
    classifyHttpStatus,
    describeParts,
    mapSdkError,
    type ClassifiedApiError,
    type ErrorClassification,
    type SdkCallPhase,
} from "../mapSdkError.js";

/** Anthropic's own statuses first (402 billing, 529 overloaded), then the ones every API shares. */
const byStatus = (status: number): ErrorClassification => {
    if (status === 402) return { code: ErrorCode.ProviderAuth, retryable: false };
    if (status === 529) return { code: ErrorCode.ProviderOverloaded, retryable: true };
    return classifyHttpStatus(status);
};

const byType: Readonly<Record<string, ErrorClassification>> = {
    overloaded_error: { code: ErrorCode.ProviderOverloaded, retryable: true },
    rate_limit_error: { code: ErrorCode.ProviderRateLimited, retryable: true },
    api_error: { code: ErrorCode.ProviderUnavailable, retryable: true },
    timeout_error: { code: ErrorCode.ProviderTimeout, retryable: true },
    invalid_request_error: { code: ErrorCode.ProviderBadRequest, retryable: false },
    authentication_error: { code: ErrorCode.ProviderAuth, retryable: false },
    permission_error: { code: ErrorCode.ProviderAuth, retryable: false },
    billing_error: { code: ErrorCode.ProviderAuth, retryable: false },
    not_found_error: { code: ErrorCode.ModelNotFound, retryable: false },
};

const classes = { APIUserAbortError, APIConnectionTimeoutError, APIConnectionError, APIError };

/**
 * Anthropic's context overflow: a 400 `invalid_request_error` with no code of its own, only this wording,
 * so the wording decides (as it does for Claude Code): another target may have a larger context.
 */
const promptTooLong = /^prompt is too long: (\d+) tokens > (\d+) maximum/;

function classify(error: APIError): ClassifiedApiError {
    const status = typeof error.status === "number" ? error.status : undefined;
    const overflow = status === 400 ? promptTooLong.exec(error.apiMessage ?? "") : null;
    const classified = overflow
        ? { code: ErrorCode.ContextOverflow, retryable: false }
        : status !== undefined
          ? byStatus(status)
          : (byType[error.type ?? ""] ?? { code: ErrorCode.ProviderUnavailable, retryable: true });
    return {
        ...classified,
        what: describeParts([
            status === undefined ? "stream error" : `HTTP ${status}`,
            error.type,
            error.apiMessage,
        ]),
        status,
        details: {
            type: error.type,
            requestId: error.requestID ?? null,
            ...(overflow ? contextOverflowDetails(Number(overflow[1]), Number(overflow[2])) : {}),
        },
    };
}

/** Maps anything the SDK (or our translation) threw during a call (see mapSdkError for `phase`). */
export function mapAnthropicError(
    provider: string,
    error: unknown,
    signal: AbortSignal,
    phase: SdkCallPhase = "request",
): ServiceError {
    return mapSdkError(classes, classify, provider, error, signal, phase);
}

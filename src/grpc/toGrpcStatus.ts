/**
 * The one place where tiercel errors become gRPC statuses. Every status carries tiercel's stable code in
 * the `tiercel-error-code` trailer and whether a retry may help in `tiercel-retryable`, so clients can
 * branch on codes instead of parsing messages.
 *
 * E_CONTEXT_OVERFLOW maps to INVALID_ARGUMENT, not OUT_OF_RANGE: gRPC reserves OUT_OF_RANGE for reading
 * past the end of something that may grow ("iterating past end of file"), where the same request can
 * succeed later. A prompt too long for the context never will; the client must change the request, which
 * is what INVALID_ARGUMENT says (Google's API guide and OpenAI's 400 context_length_exceeded agree).
 */
import { Metadata, status as Status } from "@grpc/grpc-js";
import { ErrorCode } from "../errors/codes.js";
import { contextOverflowSizes } from "../errors/contextOverflow.js";
import { isServiceError } from "../errors/ServiceError.js";

export const errorCodeMetadataKey = "tiercel-error-code";
export const retryableMetadataKey = "tiercel-retryable";
/** With E_CONTEXT_OVERFLOW: the prompt's tokens and the context's (errors/contextOverflow.ts). */
export const promptTokensMetadataKey = "tiercel-prompt-tokens";
export const contextTokensMetadataKey = "tiercel-context-tokens";

/** The gRPC status of every tiercel error code; `satisfies` makes a new code without a status a type error. */
export const statusByErrorCode = {
    [ErrorCode.InvalidArgument]: Status.INVALID_ARGUMENT,
    [ErrorCode.ContextOverflow]: Status.INVALID_ARGUMENT,
    [ErrorCode.ModelNotFound]: Status.NOT_FOUND,
    [ErrorCode.DraftIncompatible]: Status.FAILED_PRECONDITION,
    [ErrorCode.FimUnsupported]: Status.FAILED_PRECONDITION,
    [ErrorCode.SchemaUnsupported]: Status.INVALID_ARGUMENT,
    [ErrorCode.QueueFull]: Status.RESOURCE_EXHAUSTED,
    [ErrorCode.NotReady]: Status.UNAVAILABLE,
    [ErrorCode.ModelUnavailable]: Status.UNAVAILABLE,
    [ErrorCode.Cancelled]: Status.CANCELLED,
    [ErrorCode.DeadlineExceeded]: Status.DEADLINE_EXCEEDED,
    [ErrorCode.Unauthenticated]: Status.UNAUTHENTICATED,
    [ErrorCode.ConfigInvalid]: Status.INTERNAL,
    [ErrorCode.Internal]: Status.INTERNAL,
    // Router / provider codes (src/router, src/providers): the upstream's condition, as Envoy and gRFC A6
    // classify gateway failures (429 → RESOURCE_EXHAUSTED; overload, 5xx, broken stream → UNAVAILABLE).
    [ErrorCode.ProviderRateLimited]: Status.RESOURCE_EXHAUSTED,
    [ErrorCode.ProviderOverloaded]: Status.UNAVAILABLE,
    [ErrorCode.ProviderUnavailable]: Status.UNAVAILABLE,
    [ErrorCode.ProviderAuth]: Status.INTERNAL,
    [ErrorCode.ProviderBadRequest]: Status.INVALID_ARGUMENT,
    [ErrorCode.ProviderTimeout]: Status.DEADLINE_EXCEEDED,
    [ErrorCode.ProviderStream]: Status.UNAVAILABLE,
    [ErrorCode.CircuitOpen]: Status.UNAVAILABLE,
    [ErrorCode.RouteExhausted]: Status.UNAVAILABLE,
    [ErrorCode.FeedbackUnknownRequest]: Status.NOT_FOUND,
} as const satisfies Record<ErrorCode, Status>;

export interface GrpcStatus {
    code: Status;
    details: string;
    metadata: Metadata;
}

/**
 * Maps any thrown value to the status sent to the client. Only ServiceErrors expose their message: they
 * are written for clients. Anything else is a bug whose message may leak internals, so the client gets a
 * generic INTERNAL and the caller logs the original.
 */
export function toGrpcStatus(error: unknown): GrpcStatus {
    const metadata = new Metadata();
    if (!isServiceError(error)) {
        metadata.set(errorCodeMetadataKey, ErrorCode.Internal);
        metadata.set(retryableMetadataKey, "false");
        return { code: Status.INTERNAL, details: "internal error; the server log has the details", metadata };
    }
    metadata.set(errorCodeMetadataKey, error.code);
    metadata.set(retryableMetadataKey, String(error.retryable));
    const overflow = error.code === ErrorCode.ContextOverflow ? contextOverflowSizes(error) : undefined;
    if (overflow) {
        metadata.set(promptTokensMetadataKey, String(overflow.promptTokens));
        metadata.set(contextTokensMetadataKey, String(overflow.contextTokens));
    }
    return { code: statusByErrorCode[error.code], details: error.message, metadata };
}

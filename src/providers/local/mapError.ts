/**
 * gRPC failures of the local tier → ServiceErrors. A tiercel server sends its stable code in the
 * `tiercel-error-code` trailer and `tiercel-retryable` beside it (grpc/toGrpcStatus.ts); those are used
 * as they are, except E_UNAUTHENTICATED, which here means the router's own token was refused. Without
 * the trailer (connection refused, a proxy, another server) the status decides.
 */
import { status as Status, type Metadata } from "@grpc/grpc-js";
import { ErrorCode } from "../../errors/codes.js";
import { isServiceError, type ServiceError } from "../../errors/ServiceError.js";
import {
    contextTokensMetadataKey,
    errorCodeMetadataKey,
    promptTokensMetadataKey,
    retryableMetadataKey,
} from "../../grpc/toGrpcStatus.js";
import { contextOverflowDetails } from "../../errors/contextOverflow.js";
import { toAbortedError } from "../../util/abort.js";
import { ProviderError, type ProviderErrorOptions } from "../ProviderError.js";

/** The parts of a grpc-js call error this module reads. */
export interface GrpcErrorLike {
    code: number;
    details: string;
    metadata?: Metadata;
}

export function isGrpcError(error: unknown): error is GrpcErrorLike {
    return (
        error instanceof Error &&
        "code" in error &&
        typeof error.code === "number" &&
        "details" in error &&
        typeof error.details === "string"
    );
}

const knownCodes = new Set<string>(Object.values(ErrorCode));

const unavailable = { code: ErrorCode.ProviderUnavailable, retryable: true };
const auth = { code: ErrorCode.ProviderAuth, retryable: false };

/** By gRPC status when the server sent no tiercel code (connection refused, a proxy, another server). */
const byStatus = new Map<number, { code: ErrorCode; retryable: boolean }>([
    [Status.UNAVAILABLE, unavailable],
    [Status.CANCELLED, unavailable],
    [Status.UNKNOWN, unavailable],
    [Status.INTERNAL, unavailable],
    [Status.ABORTED, unavailable],
    [Status.DEADLINE_EXCEEDED, { code: ErrorCode.ProviderTimeout, retryable: true }],
    [Status.RESOURCE_EXHAUSTED, { code: ErrorCode.QueueFull, retryable: true }],
    [Status.UNAUTHENTICATED, auth],
    [Status.PERMISSION_DENIED, auth],
    [Status.NOT_FOUND, { code: ErrorCode.ModelNotFound, retryable: false }],
]);

export function mapLocalError(provider: string, error: unknown, signal: AbortSignal): ServiceError {
    if (signal.aborted) return toAbortedError(signal);
    if (isServiceError(error)) return error;
    if (!isGrpcError(error)) {
        const message = error instanceof Error ? error.message : String(error);
        return new ProviderError(provider, ErrorCode.Internal, `unexpected error: ${message}`, {
            retryable: true,
            cause: error,
        });
    }
    const [trailerCode] = error.metadata?.get(errorCodeMetadataKey) ?? [];
    const [trailerRetryable] = error.metadata?.get(retryableMetadataKey) ?? [];
    let classified = byStatus.get(error.code) ?? { code: ErrorCode.ProviderBadRequest, retryable: false };
    if (typeof trailerCode === "string" && knownCodes.has(trailerCode)) {
        classified =
            trailerCode === ErrorCode.Unauthenticated
                ? { code: ErrorCode.ProviderAuth, retryable: false }
                : { code: trailerCode as ErrorCode, retryable: trailerRetryable === "true" };
    }
    const options: ProviderErrorOptions = {
        retryable: classified.retryable,
        status: error.code,
        cause: error,
    };
    if (classified.code === ErrorCode.ContextOverflow) {
        const prompt = Number(error.metadata?.get(promptTokensMetadataKey)[0]);
        const context = Number(error.metadata?.get(contextTokensMetadataKey)[0]);
        if (Number.isSafeInteger(prompt) && Number.isSafeInteger(context))
            options.details = contextOverflowDetails(prompt, context);
    }
    return new ProviderError(
        provider,
        classified.code,
        `gRPC ${Status[error.code] ?? error.code}: ${error.details}`,
        options,
    );
}

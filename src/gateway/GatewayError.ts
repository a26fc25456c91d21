/**
 * Errors of the HTTP faces, in one protocol-neutral vocabulary (`ErrorKind`) that each face renders in
 * its own shape and status (openai/openaiError.ts, anthropic/anthropicError.ts). `toGatewayError` is the
 * one place where tiercel's error codes become HTTP error kinds, as grpc/toGrpcStatus.ts is for gRPC.
 */
import { ErrorCode } from "../errors/codes.js";
import { contextOverflowSizes, type ContextOverflowSizes } from "../errors/contextOverflow.js";
import { isServiceError, type ServiceError } from "../errors/ServiceError.js";
import { RouteFailedError } from "../router/RouteFailedError.js";

/**
 * What went wrong, as both APIs classify it: `invalid_request` 400, `authentication` 401, `not_found`
 * 404, `request_too_large` 413, `rate_limit` 429, `api_error` 500, `overloaded` (Anthropic 529, OpenAI
 * 503), `timeout` 504.
 */
export type ErrorKind =
    | "invalid_request"
    | "authentication"
    | "not_found"
    | "request_too_large"
    | "rate_limit"
    | "api_error"
    | "overloaded"
    | "timeout";

export class GatewayError extends Error {
    override readonly name = "GatewayError";
    readonly kind: ErrorKind;
    /** Seconds for a `retry-after` header (rate limits, overload), when known. */
    readonly retryAfterSeconds: number | undefined;
    /**
     * Set when the prompt did not fit the context (E_CONTEXT_OVERFLOW), with the sizes where known: each
     * face words it as its API does, which agents act on (errors/contextOverflow.ts).
     */
    readonly contextOverflow: Partial<ContextOverflowSizes> | undefined;

    constructor(
        kind: ErrorKind,
        message: string,
        options: {
            retryAfterSeconds?: number;
            cause?: unknown;
            contextOverflow?: Partial<ContextOverflowSizes>;
        } = {},
    ) {
        super(message, options.cause === undefined ? undefined : { cause: options.cause });
        this.kind = kind;
        this.retryAfterSeconds = options.retryAfterSeconds;
        this.contextOverflow = options.contextOverflow;
    }
}

/**
 * The HTTP kind of every tiercel error code; `satisfies` makes a new code without a kind a type error.
 * Upstream credential failures are the gateway operator's problem, not the caller's (gateway keys are
 * never forwarded), so E_PROVIDER_AUTH is a 500, not a 401.
 */
export const kindByErrorCode = {
    [ErrorCode.InvalidArgument]: "invalid_request",
    [ErrorCode.ContextOverflow]: "invalid_request",
    [ErrorCode.FimUnsupported]: "invalid_request",
    [ErrorCode.SchemaUnsupported]: "invalid_request",
    [ErrorCode.ModelNotFound]: "not_found",
    [ErrorCode.DraftIncompatible]: "api_error",
    [ErrorCode.QueueFull]: "overloaded",
    [ErrorCode.NotReady]: "overloaded",
    [ErrorCode.ModelUnavailable]: "overloaded",
    [ErrorCode.Cancelled]: "api_error",
    [ErrorCode.DeadlineExceeded]: "timeout",
    [ErrorCode.Unauthenticated]: "authentication",
    [ErrorCode.ConfigInvalid]: "api_error",
    [ErrorCode.Internal]: "api_error",
    [ErrorCode.ProviderRateLimited]: "rate_limit",
    [ErrorCode.ProviderOverloaded]: "overloaded",
    [ErrorCode.ProviderUnavailable]: "api_error",
    [ErrorCode.ProviderAuth]: "api_error",
    [ErrorCode.ProviderBadRequest]: "invalid_request",
    [ErrorCode.ProviderTimeout]: "timeout",
    [ErrorCode.ProviderStream]: "api_error",
    [ErrorCode.CircuitOpen]: "overloaded",
    [ErrorCode.RouteExhausted]: "api_error",
    [ErrorCode.FeedbackUnknownRequest]: "invalid_request",
} as const satisfies Record<ErrorCode, ErrorKind>;

/** Any thrown value as a GatewayError (a bug becomes `api_error` without its internals). */
export function toGatewayError(error: unknown): GatewayError {
    if (error instanceof GatewayError) return error;
    if (error instanceof RouteFailedError) {
        const tried = error.routing.attempts;
        // Every target declined the request as asked (tools on a tools-less local tier, ...): the caller
        // must change the request, so it is a 400 that says why each target declined.
        if (tried.length > 0 && tried.every((a) => a.outcome === "skipped_unsupported")) {
            const reasons = [
                ...new Set(tried.map((a) => `${a.tier}/${a.provider}: ${a.message ?? "unsupported"}`)),
            ];
            return new GatewayError(
                "invalid_request",
                `no configured target can serve this request (${reasons.join("; ")}); change the request or configure a tier that supports it`,
                { cause: error },
            );
        }
        const retryAfterMs = tried.findLast((a) => a.retry_after_ms !== null)?.retry_after_ms ?? null;
        return new GatewayError(kindByErrorCode[error.code], error.message, {
            cause: error,
            retryAfterSeconds: retryAfterMs === null ? undefined : Math.ceil(retryAfterMs / 1000),
            ...overflowOf(error),
        });
    }
    if (isServiceError(error))
        return new GatewayError(kindByErrorCode[error.code], error.message, {
            cause: error,
            ...overflowOf(error),
        });
    return new GatewayError("api_error", "internal error in the gateway; see its log", { cause: error });
}

/** A 400 naming the request field at fault, when `condition` holds. */
export function refuse(condition: boolean, field: string, why: string): void {
    if (condition) throw new GatewayError("invalid_request", `\`${field}\`: ${why}`);
}

/** `contextOverflow` for an error with E_CONTEXT_OVERFLOW (sizes from its details or its causes'). */
function overflowOf(error: ServiceError): { contextOverflow?: Partial<ContextOverflowSizes> } {
    if (error.code !== ErrorCode.ContextOverflow) return {};
    return { contextOverflow: contextOverflowSizes(error) ?? {} };
}

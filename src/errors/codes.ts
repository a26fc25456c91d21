/**
 * Stable error codes. Clients, metrics and fallback decisions key off these strings, never off
 * message text; the mapping to gRPC status lives in exactly one function (grpc/toGrpcStatus.ts).
 */
export const ErrorCode = {
    /** Configuration file or flags are invalid. */
    ConfigInvalid: "E_CONFIG_INVALID",
    /** A model file is missing, unreadable or does not match its manifest entry. */
    ModelUnavailable: "E_MODEL_UNAVAILABLE",
    /** A request names a model (target or draft) that this server does not have. */
    ModelNotFound: "E_MODEL_NOT_FOUND",
    /** A draft model's tokenizer is incompatible with the target's. */
    DraftIncompatible: "E_DRAFT_INCOMPATIBLE",
    /** A request field is invalid (bad sampling value, unknown model, empty prompt...). */
    InvalidArgument: "E_INVALID_ARGUMENT",
    /** The prompt (plus the requested output) does not fit the context window. */
    ContextOverflow: "E_CONTEXT_OVERFLOW",
    /** All sequences are busy and the wait queue is full. */
    QueueFull: "E_QUEUE_FULL",
    /** The engine is still loading, or is shutting down. */
    NotReady: "E_NOT_READY",
    /** The caller cancelled the request. */
    Cancelled: "E_CANCELLED",
    /** The request's deadline passed. */
    DeadlineExceeded: "E_DEADLINE_EXCEEDED",
    /** The call lacks the configured bearer token (`authorization: Bearer <token>`), or it does not match. */
    Unauthenticated: "E_UNAUTHENTICATED",
    /** A bug or an unexpected failure of a dependency. */
    Internal: "E_INTERNAL",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

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
    /**
     * A `response_format` schema uses a keyword this server's grammar cannot enforce (`pattern`, `minimum`,
     * a `format` other than date-time/time/date): the request is valid, and a target that enforces the
     * keyword (OpenAI's structured outputs) may serve it, so routers fall back on it by default.
     */
    SchemaUnsupported: "E_SCHEMA_UNSUPPORTED",
    /** A fill-in-the-middle request (`suffix` set) for a target whose GGUF has no FIM tokens. */
    FimUnsupported: "E_FIM_UNSUPPORTED",
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
    // Router and hosted-provider codes (src/router, src/providers). Retry and fallback decisions key off
    // these and `retryable`, never off provider message text.
    /** A provider refused the request for its rate limit (HTTP 429); `retryAfterMs` when it said when. */
    ProviderRateLimited: "E_PROVIDER_RATE_LIMITED",
    /** A provider is overloaded (Anthropic 529 / `overloaded_error`, HTTP 503). */
    ProviderOverloaded: "E_PROVIDER_OVERLOADED",
    /** A provider failed or could not be reached (5xx, connection refused or reset, gRPC UNAVAILABLE). */
    ProviderUnavailable: "E_PROVIDER_UNAVAILABLE",
    /** The router's credentials for a provider are missing or refused (401, 403, billing). */
    ProviderAuth: "E_PROVIDER_AUTH",
    /** A provider rejected the request as invalid (400, 404, 413, 422): the same request fails again. */
    ProviderBadRequest: "E_PROVIDER_BAD_REQUEST",
    /** One attempt ran past its own timeout (per-attempt or first-token), inside the request's deadline. */
    ProviderTimeout: "E_PROVIDER_TIMEOUT",
    /**
     * A provider's response broke the protocol: a malformed body, a stream that ended early or lost its
     * connection, unparsable tool arguments.
     */
    ProviderStream: "E_PROVIDER_STREAM",
    /** Every target the request could use has its circuit breaker open. */
    CircuitOpen: "E_CIRCUIT_OPEN",
    /** Every attempt of a routed request failed; the error lists the attempts. */
    RouteExhausted: "E_ROUTE_EXHAUSTED",
    /**
     * `router.feedback()` named a request id the router cannot rate: never answered by this router (or
     * failed), already rated, or evicted from the bounded set of rateable requests.
     */
    FeedbackUnknownRequest: "E_FEEDBACK_UNKNOWN_REQUEST",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

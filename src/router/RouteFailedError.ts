import type { ErrorCode } from "../errors/codes.js";
import { ServiceError } from "../errors/ServiceError.js";
import { createRedactor, redactError } from "./redact.js";
import type { AttemptRecord, RoutingRecord } from "./types.js";

/**
 * A routed request that got no (complete) answer. `code` says why: E_ROUTE_EXHAUSTED (every target
 * failed), E_CIRCUIT_OPEN (every usable target's breaker was open), a capacity code when every target
 * tried was busy (their common code, e.g. E_QUEUE_FULL, else E_PROVIDER_OVERLOADED), E_CONTEXT_OVERFLOW
 * when every target found the prompt too long, E_CANCELLED / E_DEADLINE_EXCEEDED,
 * or the code of a failure that is not worth another target (e.g. E_PROVIDER_BAD_REQUEST). The message
 * lists every attempt, and `routing` is the full routing record (also written to the routing log), so
 * no request fails without saying what was tried.
 *
 * The message and the whole `cause` chain are redacted (redact.ts): a provider's error can echo the key
 * it was sent, and route errors get logged and returned. Without a `redact` option the key-shaped
 * patterns still apply; the router passes its redactor, which also knows the configured keys.
 */
const redactKeyShapes = createRedactor([]);

export class RouteFailedError extends ServiceError {
    override readonly name = "RouteFailedError";
    readonly routing: RoutingRecord;

    constructor(
        code: ErrorCode,
        summary: string,
        routing: RoutingRecord,
        options: { retryable: boolean; cause?: unknown; redact?: ((text: string) => string) | undefined },
    ) {
        const redact = options.redact ?? redactKeyShapes;
        super(code, redact(`${summary}; attempts: ${describeAttempts(routing.attempts)}`), {
            retryable: options.retryable,
            cause: options.cause === undefined ? undefined : redactError(options.cause, redact),
            details: { routing },
        });
        this.routing = routing;
    }
}

export function describeAttempts(attempts: readonly AttemptRecord[]): string {
    if (attempts.length === 0) return "none";
    return attempts
        .map((a) => {
            const what =
                a.outcome === "ok" ? "ok" : `${a.outcome}${a.error_code === null ? "" : ` ${a.error_code}`}`;
            return `${a.tier}/${a.provider}/${a.model}: ${what}${a.message === null ? "" : ` (${a.message})`}`;
        })
        .join("; ");
}

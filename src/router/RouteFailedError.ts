import type { ErrorCode } from "../errors/codes.js";
import { ServiceError } from "../errors/ServiceError.js";
import type { AttemptRecord, RoutingRecord } from "./types.js";

/**
 * A routed request that got no (complete) answer. `code` says why: E_ROUTE_EXHAUSTED (every target
 * failed), E_CIRCUIT_OPEN (every usable target's breaker was open), E_CANCELLED / E_DEADLINE_EXCEEDED,
 * or the code of a failure that is not worth another target (e.g. E_PROVIDER_BAD_REQUEST). The message
 * lists every attempt, and `routing` is the full routing record (also written to the routing log), so
 * no request fails without saying what was tried.
 */
export class RouteFailedError extends ServiceError {
    override readonly name = "RouteFailedError";
    readonly routing: RoutingRecord;

    constructor(
        code: ErrorCode,
        summary: string,
        routing: RoutingRecord,
        options: { retryable: boolean; cause?: unknown },
    ) {
        super(code, `${summary}; attempts: ${describeAttempts(routing.attempts)}`, {
            retryable: options.retryable,
            cause: options.cause,
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

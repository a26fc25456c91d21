import { ErrorCode } from "../errors/codes.js";
import { AbortedError } from "../errors/ServiceError.js";

/**
 * Throws the request's abort as a typed error. A deadline is signalled by aborting with a
 * `TimeoutError` DOMException (what `AbortSignal.timeout` does); anything else is a cancel.
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw toAbortedError(signal);
}

/** The abort reason of calls the server cuts when its drain times out (UNAVAILABLE, retryable). */
export function shutdownAbortReason(): AbortedError {
    return new AbortedError(
        ErrorCode.NotReady,
        "server shutting down: the request was cut at the end of the drain; retry on another instance",
    );
}

export function toAbortedError(signal: AbortSignal): AbortedError {
    const reason: unknown = signal.reason;
    if (reason instanceof AbortedError) return reason;
    const isTimeout = reason instanceof DOMException && reason.name === "TimeoutError";
    return isTimeout
        ? new AbortedError(ErrorCode.DeadlineExceeded, "deadline exceeded", reason)
        : new AbortedError(ErrorCode.Cancelled, "request cancelled", reason);
}

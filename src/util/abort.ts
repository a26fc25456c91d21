import { ErrorCode } from "../errors/codes.js";
import { AbortedError } from "../errors/ServiceError.js";

/**
 * Throws the request's abort as a typed error. A deadline is signalled by aborting with a
 * `TimeoutError` DOMException (what `AbortSignal.timeout` does); anything else is a cancel.
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw toAbortedError(signal);
}

export function toAbortedError(signal: AbortSignal): AbortedError {
    const reason: unknown = signal.reason;
    if (reason instanceof AbortedError) return reason;
    const isTimeout = reason instanceof DOMException && reason.name === "TimeoutError";
    return isTimeout
        ? new AbortedError(ErrorCode.DeadlineExceeded, "deadline exceeded", reason)
        : new AbortedError(ErrorCode.Cancelled, "request cancelled", reason);
}

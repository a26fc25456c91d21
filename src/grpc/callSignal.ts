/**
 * One AbortSignal per call, fired by whichever comes first: the client's deadline, the client cancelling
 * (or disconnecting), or the server shutting down. A deadline aborts with a `TimeoutError` DOMException,
 * which util/abort.ts turns into E_DEADLINE_EXCEEDED; anything else becomes E_CANCELLED.
 */
import type { Deadline } from "@grpc/grpc-js";
import type { EventEmitter } from "node:events";

/** The parts of a grpc-js server call this module uses (every server call type has them). */
export interface CallLike extends Pick<EventEmitter, "once" | "removeListener"> {
    readonly cancelled: boolean;
    getDeadline(): Deadline;
}

/**
 * Node clamps timers above 2^31 - 1 ms (~24.8 days) to 1 ms, with only a warning (grpc-js guards against
 * the same with its MAX_TIMEOUT_TIME). A deadline that far away is treated as no deadline.
 */
const maxTimerMs = 2 ** 31 - 1;

/**
 * The client's deadline passes before the server's: grpc-js sends the time left (`grpc-timeout`) and the
 * server counts it from when it read the headers, so the server's deadline is later by the request's
 * transit and queueing time. A client that gives up at its deadline cancels the stream while the server
 * still has that much left; a cancel this close to the deadline is read as the deadline.
 */
export const deadlineSkewMs = 100;

/** Milliseconds left until `deadline` (Infinity when the call has none; negative once it passed). */
export function remainingMs(deadline: Deadline, now = Date.now()): number {
    const at = deadline instanceof Date ? deadline.getTime() : deadline;
    return at - now;
}

/**
 * Whether a cancel at `now` is the deadline: it passed, or is within deadlineSkewMs (the client's own
 * deadline passed first and it cancelled). The call's signal and its metrics both classify with this.
 */
export function isDeadlineCancel(deadline: Deadline, now = Date.now()): boolean {
    return remainingMs(deadline, now) <= deadlineSkewMs;
}

export function deadlineError(): DOMException {
    return new DOMException("deadline exceeded", "TimeoutError");
}

export interface CallSignal {
    readonly signal: AbortSignal;
    /** Removes the call's 'cancelled' listener; call when the call's work is done. */
    readonly dispose: () => void;
}

/**
 * Derives the call's signal: `AbortSignal.any` over the call's cancel, `AbortSignal.timeout` for the
 * deadline (a `TimeoutError`, unref'd, so it never holds the process open) and `parent` (the server's
 * shutdown signal, whose reason it takes). `AbortSignal.any` holds its sources weakly, so a long-lived
 * parent collects no listeners per call. grpc-js itself ends a call whose deadline passed and then emits
 * 'cancelled', and a client whose own (earlier) deadline passed cancels the call; the listener checks
 * the clock, allowing deadlineSkewMs, so both still read as a deadline, whichever comes first.
 */
export function callSignal(call: CallLike, parent?: AbortSignal): CallSignal {
    const cancel = new AbortController();
    const deadline = call.getDeadline();
    const onCancelled = (): void => {
        cancel.abort(
            isDeadlineCancel(deadline) ? deadlineError() : new DOMException("call cancelled", "AbortError"),
        );
    };
    const sources = [cancel.signal];
    const left = remainingMs(deadline);
    if (left <= 0) cancel.abort(deadlineError());
    else if (left <= maxTimerMs) sources.push(AbortSignal.timeout(left));
    if (call.cancelled) onCancelled();
    else call.once("cancelled", onCancelled);
    if (parent) sources.push(parent);
    return {
        signal: AbortSignal.any(sources),
        dispose: () => {
            call.removeListener("cancelled", onCancelled);
        },
    };
}

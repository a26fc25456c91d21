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

/**
 * Waits for `settled` (a promise that never rejects) unless `signal` aborts first, which throws its
 * typed error; the listener is removed either way.
 */
export async function untilSettledOrAborted(
    settled: Promise<void>,
    signal: AbortSignal | undefined,
): Promise<void> {
    throwIfAborted(signal);
    if (!signal) return settled;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
        onAbort = () => {
            reject(toAbortedError(signal));
        };
        signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
        await Promise.race([settled, aborted]);
    } finally {
        signal.removeEventListener("abort", onAbort!);
    }
}

/** A signal that follows its sources and can be aborted on its own; `dispose` detaches it. */
export interface LinkedSignal {
    readonly signal: AbortSignal;
    /** Aborts this signal (not its sources). */
    readonly abort: (reason: unknown) => void;
    /** Stops following the sources and clears the timer: call it when the work the signal guards ends. */
    readonly dispose: () => void;
}

/** setTimeout's largest delay (2^31 − 1 ms); a longer one would fire at once, so no timer is set. */
const maxTimeoutMs = 2_147_483_647;

/** Listener options shared by every link (one object, not one per call). */
const once = { once: true };

/**
 * A per-request signal: aborts with the first source's reason when any source aborts, or with
 * `timeout.reason()` after `timeout.ms`. It does the job of `AbortSignal.any` + `AbortSignal.timeout`
 * with plain listeners and a timer that `dispose` removes: a routed request's scope and attempt signals
 * built this way cost about half the CPU of the built-in pair, whose dependants are held weakly and
 * swept by the GC (bench/micro/abort.bench.ts). The owner must call `dispose` when the request ends, or a
 * long-lived source keeps its listener.
 */
export function linkedSignal(
    sources: readonly AbortSignal[],
    timeout?: { ms: number; reason: () => unknown },
): LinkedSignal {
    return new Link(sources, timeout);
}

/**
 * linkedSignal's implementation, built without a closure per call (under tsx each named closure costs an
 * `Object.defineProperty` for its name): the link is itself the sources' `abort` listener
 * (`handleEvent`), its timer gets it as an argument, and `abort` / `dispose` are bound once so callers
 * may pass them on detached.
 */
class Link implements LinkedSignal {
    readonly #controller = new AbortController();
    readonly #sources: readonly AbortSignal[];
    readonly #timeout: { ms: number; reason: () => unknown } | undefined;
    #timer: NodeJS.Timeout | undefined;
    readonly abort: (reason: unknown) => void;
    readonly dispose: () => void;

    constructor(sources: readonly AbortSignal[], timeout: { ms: number; reason: () => unknown } | undefined) {
        this.#sources = sources;
        this.#timeout = timeout;
        this.abort = this.#abort.bind(this);
        this.dispose = this.#detach.bind(this);
        for (const source of sources) {
            if (source.aborted) {
                this.#controller.abort(source.reason);
                return;
            }
        }
        for (const source of sources) source.addEventListener("abort", this, once);
        if (timeout !== undefined && timeout.ms <= maxTimeoutMs) {
            this.#timer = setTimeout(onLinkTimeout, timeout.ms, this);
            // As AbortSignal.timeout's: a pending deadline never holds the process open.
            this.#timer.unref();
        }
    }

    get signal(): AbortSignal {
        return this.#controller.signal;
    }

    /** A source aborted: follow it. */
    handleEvent(event: Event): void {
        this.#abort((event.target as AbortSignal).reason);
    }

    /** The timer fired: abort with the timeout's reason. */
    expire(): void {
        this.#abort(this.#timeout?.reason());
    }

    #abort(reason: unknown): void {
        this.#detach();
        this.#controller.abort(reason);
    }

    #detach(): void {
        clearTimeout(this.#timer);
        for (const source of this.#sources) source.removeEventListener("abort", this);
    }
}

function onLinkTimeout(link: Link): void {
    link.expire();
}

/** The reason `AbortSignal.timeout` aborts with (toAbortedError reads it as a deadline). */
export function timeoutReason(): DOMException {
    return new DOMException("The operation was aborted due to timeout", "TimeoutError");
}

/**
 * Writes a server stream's messages one event-loop turn after they are handed over (`setImmediate`).
 *
 * Why: the streaming handler hands a chunk over and then asks the engine for the next, whose target pass
 * is dispatched in microtasks (PassBatcher.ts). Written at once, the chunk's serialization, HTTP/2 framing
 * and socket write (~50 µs on a 2-vCPU VM) ran before that dispatch, on every step's critical path, with
 * the target idle; a turn late, they run while the next pass decodes.
 *
 * Contract:
 *  - messages are written in the order handed over, at most one waiting at a time (`write` writes the
 *    waiting one first);
 *  - back-pressure is kept: when a write fills grpc-js's buffer, the next `write` resolves once it drained
 *    (the handler stops pulling tokens meanwhile, one chunk later than an immediate write would);
 *  - `flush` writes the waiting message now: before the final chunk, and before the call ends however the
 *    handler ends, so a chunk handed over is never lost behind a status;
 *  - a drain cut short by `signal` rejects the next `write` (an AbortError whose cause is the reason);
 *    `drop` discards the waiting message of a cancelled call.
 */
import { once, type EventEmitter } from "node:events";

/** What the writer needs of a server stream (grpc-js ServerWritableStream): write, and "drain". */
export type WritableCall<T extends object> = EventEmitter & { write(message: T): boolean };

export class TurnLateWriter<T extends object> {
    /** The message handed over and not yet written (one object per chunk already: none added here). */
    #waiting: T | undefined;
    #immediate: NodeJS.Immediate | undefined;
    /** The last write filled the buffer: settles on "drain" (or the signal's abort). */
    #drained: Promise<void> | undefined;
    #drainFailure: Error | undefined;
    readonly #write = (): void => {
        this.flush();
    };

    constructor(
        readonly call: WritableCall<T>,
        readonly signal: AbortSignal,
    ) {}

    /** Hands `message` over; resolves when the caller may produce the next one (see back-pressure). */
    async write(message: T): Promise<void> {
        this.flush();
        if (this.#drained) await this.#drained;
        if (this.#drainFailure !== undefined) throw this.#drainFailure;
        this.#waiting = message;
        this.#immediate = setImmediate(this.#write);
    }

    /** Drops the message waiting for its turn, if any (the call was cancelled: nobody reads it). */
    drop(): void {
        this.#waiting = undefined;
        clearImmediate(this.#immediate);
    }

    /** Writes the message waiting for its turn, if any, now. */
    flush(): void {
        const waiting = this.#waiting;
        if (!waiting) return;
        this.#waiting = undefined;
        clearImmediate(this.#immediate);
        if (this.call.write(waiting)) return;
        this.#drained = once(this.call, "drain", { signal: this.signal }).then(
            () => {
                this.#drained = undefined;
            },
            (error: unknown) => {
                this.#drained = undefined;
                this.#drainFailure = error instanceof Error ? error : new Error(String(error));
            },
        );
    }
}

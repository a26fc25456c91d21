/**
 * Leases a fixed set of slots (one context sequence per model each) to requests, with back-pressure:
 * when every slot is busy a request waits in a bounded FIFO queue; when the queue is full it is
 * refused at once with E_QUEUE_FULL (retryable), so overload is visible instead of unbounded latency.
 * A waiting request whose signal fires leaves the queue immediately.
 */
import { ErrorCode } from "../errors/codes.js";
import { CapacityError } from "../errors/ServiceError.js";
import { toAbortedError } from "../util/abort.js";

export interface Lease<T> {
    readonly slot: T;
    /** Returns the slot to the pool (idempotent). */
    release(): void;
}

interface Waiter<T> {
    resolve(lease: Lease<T>): void;
    reject(error: Error): void;
}

export class SequencePool<T> {
    /** Free slots, least recently released first. */
    readonly #free: T[];
    readonly #waiters: Waiter<T>[] = [];
    #closed = false;

    constructor(
        slots: readonly T[],
        /** Requests allowed to wait; 0 refuses as soon as all slots are busy. */
        readonly maxQueue: number,
    ) {
        this.#free = [...slots];
        this.size = slots.length;
    }

    readonly size: number;

    get inUse(): number {
        return this.size - this.#free.length;
    }

    get queued(): number {
        return this.#waiters.length;
    }

    /** The free slots, least recently released first (the next to be taken over). */
    get free(): readonly T[] {
        return this.#free;
    }

    /**
     * Leases a slot. `choose` picks among the free slots, given least recently released first, by index
     * (e.g. the one caching the longest prompt prefix; see chooseSlot.ts); without it, or out of range, the
     * least recently released. A queued request takes whichever slot frees first.
     */
    acquire(signal?: AbortSignal, choose?: (free: readonly T[]) => number): Promise<Lease<T>> {
        if (this.#closed) return Promise.reject(shuttingDown());
        if (signal?.aborted) return Promise.reject(toAbortedError(signal));
        if (this.#free.length > 0) {
            const chosen = choose ? choose(this.#free) : 0;
            const index = Number.isInteger(chosen) && chosen >= 0 && chosen < this.#free.length ? chosen : 0;
            const [slot] = this.#free.splice(index, 1) as [T];
            return Promise.resolve(this.#lease(slot));
        }
        if (this.#waiters.length >= this.maxQueue) {
            return Promise.reject(
                new CapacityError(
                    ErrorCode.QueueFull,
                    `all ${this.size} sequences are busy and ${this.maxQueue} requests are already waiting; retry later or raise engine.sequences / engine.maxQueue`,
                ),
            );
        }
        return new Promise<Lease<T>>((resolve, reject) => {
            const onAbort = (): void => {
                const i = this.#waiters.indexOf(waiter);
                if (i >= 0) this.#waiters.splice(i, 1);
                reject(toAbortedError(signal!));
            };
            const waiter: Waiter<T> = {
                resolve: (lease) => {
                    signal?.removeEventListener("abort", onAbort);
                    resolve(lease);
                },
                reject: (error) => {
                    signal?.removeEventListener("abort", onAbort);
                    reject(error);
                },
            };
            signal?.addEventListener("abort", onAbort, { once: true });
            this.#waiters.push(waiter);
        });
    }

    /**
     * Refuses new and waiting requests at once with E_NOT_READY (retryable: UNAVAILABLE on the wire), so
     * a queued request is sent elsewhere when the drain starts instead of waiting through it; leased
     * slots stay with their requests until released.
     */
    close(): void {
        this.#closed = true;
        for (const waiter of this.#waiters.splice(0)) waiter.reject(shuttingDown());
    }

    #lease(slot: T): Lease<T> {
        let released = false;
        return {
            slot,
            release: () => {
                if (released) return;
                released = true;
                const waiter = this.#waiters.shift();
                if (waiter) waiter.resolve(this.#lease(slot));
                else this.#free.push(slot);
            },
        };
    }
}

const shuttingDown = (): CapacityError =>
    new CapacityError(ErrorCode.NotReady, "server is shutting down; retry on another instance");

/**
 * The hedge budget: hedges may be at most `ratio` of the requests counted in a sliding window of
 * `windowMs` (10 buckets, fixed memory, as the circuit breaker's window). A request is counted before
 * its hedge is asked for, so with a ratio of 0.05 the first hedge needs 20 requests in the window: a
 * quiet router cannot spend its budget on its first slow request, and a slow provider cannot double the
 * traffic it gets (the retry storm hedging is known for).
 */
const bucketCount = 10;

export interface HedgeBudgetOptions {
    /** Hedges allowed per counted request, in (0, 1]. */
    ratio: number;
    windowMs: number;
    /** Monotonic milliseconds. */
    now: () => number;
}

export class HedgeBudget {
    readonly #o: HedgeBudgetOptions;
    readonly #bucketMs: number;
    readonly #bucketStart = new Float64Array(bucketCount).fill(-Infinity);
    readonly #requests = new Uint32Array(bucketCount);
    readonly #hedges = new Uint32Array(bucketCount);

    constructor(options: HedgeBudgetOptions) {
        this.#o = options;
        this.#bucketMs = options.windowMs / bucketCount;
    }

    /** Counts one request that could be hedged. */
    admit(): void {
        this.#requests[this.#bucket()]!++;
    }

    /** Takes one hedge when the window's hedges stay within the ratio of its requests; false when spent. */
    tryTake(): boolean {
        const { requests, hedges } = this.snapshot();
        if (hedges + 1 > this.#o.ratio * requests) return false;
        this.#hedges[this.#bucket()]!++;
        return true;
    }

    /** Requests and hedges in the window now. */
    snapshot(): { requests: number; hedges: number } {
        const now = this.#o.now();
        let requests = 0;
        let hedges = 0;
        for (let i = 0; i < bucketCount; i++) {
            if (now - this.#bucketStart[i]! >= this.#o.windowMs) continue;
            requests += this.#requests[i]!;
            hedges += this.#hedges[i]!;
        }
        return { requests, hedges };
    }

    #bucket(): number {
        const now = this.#o.now();
        const start = Math.floor(now / this.#bucketMs) * this.#bucketMs;
        const i = Math.floor(now / this.#bucketMs) % bucketCount;
        if (this.#bucketStart[i] !== start) {
            this.#bucketStart[i] = start;
            this.#requests[i] = 0;
            this.#hedges[i] = 0;
        }
        return i;
    }
}

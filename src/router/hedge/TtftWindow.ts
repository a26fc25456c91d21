/**
 * One target's recent times to first token, for the hedge delay: the last `capacity` samples in a ring
 * (fixed memory), and a quantile by nearest rank over them. Pure and synchronous; the quantile sorts a
 * copy of at most `capacity` numbers, once per hedgeable request.
 */
export class TtftWindow {
    readonly #samples: Float64Array;
    #count = 0;
    #next = 0;

    constructor(capacity: number) {
        if (!Number.isInteger(capacity) || capacity < 1)
            throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
        this.#samples = new Float64Array(capacity);
    }

    /** Samples held (at most the capacity). */
    get count(): number {
        return this.#count;
    }

    /** Adds a sample in milliseconds; the oldest one goes when the ring is full. */
    observe(ms: number): void {
        this.#samples[this.#next] = ms;
        this.#next = (this.#next + 1) % this.#samples.length;
        if (this.#count < this.#samples.length) this.#count++;
    }

    /**
     * The `q` quantile (0 < q < 1) by nearest rank: the smallest sample with at least `q` of the samples
     * at or below it (p95 of 1..100 is 95). Undefined while the window is empty.
     */
    quantile(q: number): number | undefined {
        if (this.#count === 0) return undefined;
        const sorted = this.#samples.slice(0, this.#count).sort();
        return sorted[Math.max(0, Math.ceil(q * this.#count) - 1)];
    }
}

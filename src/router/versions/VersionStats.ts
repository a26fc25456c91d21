/**
 * The recent signals of one model version on one task signature: fixed-size rings, so memory per
 * version is bounded whatever the traffic. Pure bookkeeping for VersionWatch.
 */

/** The signals a version is judged on (see VersionWatch). */
export const versionSignals = ["error", "escalation", "feedback", "ttft"] as const;
export type VersionSignal = (typeof versionSignals)[number];

/** The last `capacity` pass/fail outcomes. */
export class OutcomeRing {
    readonly #failed: Uint8Array;
    #count = 0;
    #next = 0;
    #failures = 0;

    constructor(capacity: number) {
        this.#failed = new Uint8Array(capacity);
    }

    get count(): number {
        return this.#count;
    }

    /** Failed share of the outcomes held; 0 when empty. */
    get value(): number {
        return this.#count === 0 ? 0 : this.#failures / this.#count;
    }

    push(failed: boolean): void {
        if (this.#count === this.#failed.length) this.#failures -= this.#failed[this.#next]!;
        else this.#count++;
        this.#failed[this.#next] = failed ? 1 : 0;
        if (failed) this.#failures++;
        this.#next = (this.#next + 1) % this.#failed.length;
    }
}

/** The last `capacity` samples (milliseconds); `value` is their median. */
export class SampleRing {
    readonly #samples: Float64Array;
    #count = 0;
    #next = 0;

    constructor(capacity: number) {
        this.#samples = new Float64Array(capacity);
    }

    get count(): number {
        return this.#count;
    }

    /** Median of the samples held; 0 when empty. Sorts a copy: called per new sample, on ≤ the window. */
    get value(): number {
        if (this.#count === 0) return 0;
        const sorted = this.#samples.slice(0, this.#count).sort();
        const mid = this.#count >> 1;
        return this.#count % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    }

    push(sample: number): void {
        this.#samples[this.#next] = sample;
        if (this.#count < this.#samples.length) this.#count++;
        this.#next = (this.#next + 1) % this.#samples.length;
    }
}

/** One version's rings, one per signal. */
export class VersionStats {
    readonly signals: Readonly<Record<VersionSignal, OutcomeRing | SampleRing>>;

    constructor(windowAnswers: number) {
        this.signals = {
            error: new OutcomeRing(windowAnswers),
            escalation: new OutcomeRing(windowAnswers),
            feedback: new OutcomeRing(windowAnswers),
            ttft: new SampleRing(windowAnswers),
        };
    }
}

/**
 * A circuit breaker for one provider/model, tripped by errors AND by slow first tokens.
 *
 *            failures ≥ consecutiveFailures, or failure share ≥ failureRatio (≥ minimumRequests in window),
 *            or slow-first-token share ≥ slowRatio (≥ minimumLatencySamples in window)
 *   closed ─────────────────────────────────────────────────────────────────────────────────▶ open
 *     ▲                                                                                       │ openMs × 2^(re-opens),
 *     │ halfOpenSuccesses probes succeed                                                      │ capped at maxOpenMs
 *     │                                       a probe fails or is slow                        ▼
 *     └─────────────────────────── half_open ◀──────────────────────────────────────────── (time)
 *                                      │  at most halfOpenProbes requests at once
 *                                      └───────────────────────────────────────────▶ open (longer)
 *
 * Outcomes are counted in a sliding window of 10 buckets (memory is fixed, no per-request arrays).
 * Every request takes a permit first (`tryAcquire`); the permit reports exactly one outcome:
 * `success`, `failure`, or `release` (neither: the caller cancelled). Results of permits taken before
 * the last state change update the window but cannot move the state (a late failure from before an
 * opening does not extend it, a late success cannot close a half-open breaker).
 *
 * A half-open probe also expires on its own: one not settled within `probeTimeoutMs` (its consumer
 * stopped pulling a stream and never called `return()`, say) counts as a failed probe at its deadline,
 * read from the breaker's clock, so no forgotten permit can hold the breaker half-open.
 */
import { defaultBreakerProbeTimeoutMs } from "./defaults.js";

export type BreakerState = "closed" | "open" | "half_open";

/** Why the breaker last opened. */
export type BreakerTrip = "consecutive_failures" | "failure_ratio" | "slow_first_token" | "probe_failed";

export interface CircuitBreakerOptions {
    consecutiveFailures: number;
    failureRatio: number;
    minimumRequests: number;
    windowMs: number;
    openMs: number;
    maxOpenMs: number;
    halfOpenProbes: number;
    halfOpenSuccesses: number;
    /** A probe not settled this long after it was let through counts as failed. Defaults to 300000 ms. */
    probeTimeoutMs?: number | undefined;
    slowRatio: number;
    minimumLatencySamples: number;
    /** Monotonic milliseconds. */
    now: () => number;
    onTransition?: (from: BreakerState, to: BreakerState, trip: BreakerTrip | null) => void;
}

export interface BreakerSnapshot {
    state: BreakerState;
    /** Why it last opened (kept while half-open); null when closed. */
    trip: BreakerTrip | null;
    /** When an open breaker lets probes through (monotonic ms); null unless open. */
    halfOpenAt: number | null;
    consecutiveFailures: number;
    windowRequests: number;
    windowFailures: number;
    windowLatencySamples: number;
    windowSlowSamples: number;
    /** Times opened since the last close (drives the open period's growth). */
    reopenCount: number;
}

export interface BreakerPermit {
    /** A first content event arrived after `ttftMs`; `slow` when that exceeded the target's budget. */
    firstToken(slow: boolean): void;
    success(): void;
    failure(): void;
    /** No outcome (the caller cancelled): frees a half-open probe slot. */
    release(): void;
}

const bucketCount = 10;

export class CircuitBreaker {
    readonly #o: CircuitBreakerOptions;
    #state: BreakerState = "closed";
    #trip: BreakerTrip | null = null;
    #halfOpenAt = 0;
    #reopenCount = 0;
    #consecutiveFailures = 0;
    /** Deadlines of the current generation's unsettled probes. */
    readonly #probes = new Set<{ deadline: number }>();
    #probeSuccesses = 0;
    /** Bumped on every state change; permits from an older generation cannot move the state. */
    #generation = 0;
    /** Permits taken and not yet settled: requests this process has in flight to the target. */
    #inFlight = 0;
    readonly #bucketMs: number;
    readonly #bucketStart = new Float64Array(bucketCount).fill(-Infinity);
    readonly #requests = new Uint32Array(bucketCount);
    readonly #failures = new Uint32Array(bucketCount);
    readonly #samples = new Uint32Array(bucketCount);
    readonly #slow = new Uint32Array(bucketCount);

    constructor(options: CircuitBreakerOptions) {
        this.#o = options;
        this.#bucketMs = options.windowMs / bucketCount;
    }

    get state(): BreakerState {
        this.#refresh(this.#o.now());
        return this.#state;
    }

    /** A permit to send one request, or undefined while open (or while half-open probes are all out). */
    tryAcquire(): BreakerPermit | undefined {
        const now = this.#o.now();
        this.#refresh(now);
        if (this.#state === "open") return undefined;
        if (this.#state === "half_open") {
            if (this.#probes.size >= this.#o.halfOpenProbes) return undefined;
            const probe = { deadline: now + (this.#o.probeTimeoutMs ?? defaultBreakerProbeTimeoutMs) };
            this.#probes.add(probe);
            return this.#permit(probe);
        }
        return this.#permit(undefined);
    }

    /** Requests in flight to the target (permits taken, not yet settled): the least-loaded order's measure. */
    get inFlight(): number {
        return this.#inFlight;
    }

    snapshot(): BreakerSnapshot {
        const now = this.#o.now();
        this.#refresh(now);
        let windowRequests = 0;
        let windowFailures = 0;
        let windowLatencySamples = 0;
        let windowSlowSamples = 0;
        for (let i = 0; i < bucketCount; i++) {
            if (!this.#inWindow(i, now)) continue;
            windowRequests += this.#requests[i]!;
            windowFailures += this.#failures[i]!;
            windowLatencySamples += this.#samples[i]!;
            windowSlowSamples += this.#slow[i]!;
        }
        return {
            state: this.#state,
            trip: this.#trip,
            halfOpenAt: this.#state === "open" ? this.#halfOpenAt : null,
            consecutiveFailures: this.#consecutiveFailures,
            windowRequests,
            windowFailures,
            windowLatencySamples,
            windowSlowSamples,
            reopenCount: this.#reopenCount,
        };
    }

    #permit(probe: { deadline: number } | undefined): BreakerPermit {
        const generation = this.#generation;
        this.#inFlight++;
        let settled = false;
        let slowProbe = false;
        const settle = (): boolean => {
            if (settled) return false;
            settled = true;
            this.#inFlight--;
            // A probe past its deadline is counted as failed here, before its own outcome (which then
            // belongs to an older generation and cannot move the state).
            this.#refresh(this.#o.now());
            if (probe) this.#probes.delete(probe);
            return true;
        };
        return {
            firstToken: (slow) => {
                if (settled) return;
                this.#recordLatency(slow);
                if (probe) slowProbe = slow;
                else if (slow && generation === this.#generation) this.#evaluate();
            },
            success: () => {
                if (!settle()) return;
                this.#recordOutcome(false);
                if (generation !== this.#generation) return;
                if (probe) {
                    // A probe that answered but took too long to start is no proof of recovery.
                    if (slowProbe) this.#open("slow_first_token");
                    else if (++this.#probeSuccesses >= this.#o.halfOpenSuccesses) this.#close();
                    return;
                }
                this.#consecutiveFailures = 0;
            },
            failure: () => {
                if (!settle()) return;
                this.#recordOutcome(true);
                if (generation !== this.#generation) return;
                if (probe) {
                    this.#open("probe_failed");
                    return;
                }
                this.#consecutiveFailures++;
                this.#evaluate();
            },
            release: () => {
                settle();
            },
        };
    }

    #bucket(now: number): number {
        const i = Math.floor(now / this.#bucketMs) % bucketCount;
        const start = Math.floor(now / this.#bucketMs) * this.#bucketMs;
        if (this.#bucketStart[i] !== start) {
            this.#bucketStart[i] = start;
            this.#requests[i] = 0;
            this.#failures[i] = 0;
            this.#samples[i] = 0;
            this.#slow[i] = 0;
        }
        return i;
    }

    #inWindow(i: number, now: number): boolean {
        return now - this.#bucketStart[i]! < this.#o.windowMs;
    }

    #recordOutcome(failed: boolean): void {
        const i = this.#bucket(this.#o.now());
        this.#requests[i]!++;
        if (failed) this.#failures[i]!++;
    }

    #recordLatency(slow: boolean): void {
        const i = this.#bucket(this.#o.now());
        this.#samples[i]!++;
        if (slow) this.#slow[i]!++;
    }

    /** Closed only: should it open? */
    #evaluate(): void {
        if (this.#state !== "closed") return;
        if (this.#consecutiveFailures >= this.#o.consecutiveFailures) {
            this.#open("consecutive_failures");
            return;
        }
        const s = this.snapshot();
        if (
            s.windowRequests >= this.#o.minimumRequests &&
            s.windowFailures / s.windowRequests >= this.#o.failureRatio
        ) {
            this.#open("failure_ratio");
        } else if (
            s.windowLatencySamples >= this.#o.minimumLatencySamples &&
            s.windowSlowSamples / s.windowLatencySamples >= this.#o.slowRatio
        ) {
            this.#open("slow_first_token");
        }
    }

    #refresh(now: number): void {
        if (this.#state === "half_open") {
            let expired = Infinity;
            for (const probe of this.#probes) expired = Math.min(expired, probe.deadline);
            if (expired <= now) this.#open("probe_failed", expired);
        }
        if (this.#state === "open" && now >= this.#halfOpenAt) this.#transition("half_open", this.#trip);
    }

    /** Opens from `at` (now, or an expired probe's deadline). */
    #open(trip: BreakerTrip, at = this.#o.now()): void {
        const period = Math.min(this.#o.openMs * 2 ** this.#reopenCount, this.#o.maxOpenMs);
        this.#reopenCount++;
        this.#halfOpenAt = at + period;
        this.#transition("open", trip);
    }

    #close(): void {
        this.#reopenCount = 0;
        this.#consecutiveFailures = 0;
        // The window held the outage; starting clean keeps old failures from re-tripping at once.
        this.#bucketStart.fill(-Infinity);
        this.#transition("closed", null);
    }

    #transition(to: BreakerState, trip: BreakerTrip | null): void {
        const from = this.#state;
        this.#state = to;
        this.#trip = trip;
        this.#generation++;
        this.#probes.clear();
        this.#probeSuccesses = 0;
        this.#o.onTransition?.(from, to, trip);
    }
}

/**
 * Model-version regressions, per target (provider/model). Hosted aliases move to new snapshots without
 * notice; the version each answer reports (`model_version`) tells when. The quality signal is the
 * cascade's verdict on the target's answers (router/cascade/): per reported version, the share of its
 * last `windowAnswers` checked answers that failed a check (and escalated).
 *
 * The first version of a target with `minAnswers` checked answers is its baseline. When the version the
 * target reports now has `minAnswers` of its own and its failure rate exceeds the baseline's by more
 * than `threshold`, the target is shifted: it keeps `shiftedShare` of its traffic as first choice within
 * its tier, and the rest starts on the tier's next target. It returns when the rate comes back within
 * the threshold (its share of traffic keeps the evidence coming) or when the target reports another
 * version. Only targets of tiers with a cascade produce the signal.
 */
export interface VersionWatchOptions {
    /** Checked answers a version needs before its failure rate counts. */
    minAnswers: number;
    /** Failure-rate increase over the baseline (absolute, 0..1) that counts as a regression. */
    threshold: number;
    /** Checked answers kept per version (the most recent). */
    windowAnswers: number;
    /** Share of a shifted target's requests it still gets first, in [0, 1). */
    shiftedShare: number;
    /** In [0, 1): draws which requests the shifted target keeps. */
    random: () => number;
    /** A target was shifted (`shifted: true`) or returned (`false`). */
    onChange?: (change: VersionShift & { shifted: boolean }) => void;
}

/** Why a target's traffic is shifted, as the routing record and `router.versionShifts()` show it. */
export interface VersionShift {
    /** `provider/model`. */
    target: string;
    /** The version it reports now, and its failure rate over its window. */
    version: string;
    failure_rate: number;
    /** The version it is compared with (the first with enough answers), and that version's failure rate. */
    baseline_version: string;
    baseline_failure_rate: number;
}

/** The last checked answers of one version: a ring of pass/fail. */
class Outcomes {
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

    get rate(): number {
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

interface TargetState {
    /** Per version, in the order first seen. */
    versions: Map<string, Outcomes>;
    /** The version reported last. */
    current: string;
    baseline: { version: string; rate: number } | undefined;
    shift: VersionShift | undefined;
}

export class VersionWatch {
    readonly #o: VersionWatchOptions;
    readonly #targets = new Map<string, TargetState>();

    constructor(options: VersionWatchOptions) {
        this.#o = options;
    }

    /** A checked answer of `target` (`provider/model`) that reported `version`; `failed` when a check failed. */
    observe(target: string, version: string | null, failed: boolean): void {
        if (version === null) return;
        let state = this.#targets.get(target);
        if (!state) {
            state = { versions: new Map(), current: version, baseline: undefined, shift: undefined };
            this.#targets.set(target, state);
        }
        let outcomes = state.versions.get(version);
        if (!outcomes) {
            outcomes = new Outcomes(this.#o.windowAnswers);
            state.versions.set(version, outcomes);
        }
        state.current = version;
        outcomes.push(failed);
        if (!state.baseline && outcomes.count >= this.#o.minAnswers)
            state.baseline = { version, rate: outcomes.rate };
        if (state.baseline?.version === version) state.baseline.rate = outcomes.rate;
        this.#evaluate(target, state, outcomes);
    }

    /** The target's shift, when it is shifted now. */
    shiftOf(target: string): VersionShift | undefined {
        return this.#targets.get(target)?.shift;
    }

    /** Whether this request should start elsewhere than `target` (a shifted target keeps `shiftedShare`). */
    demotes(target: string): VersionShift | undefined {
        const shift = this.shiftOf(target);
        if (!shift || this.#o.random() < this.#o.shiftedShare) return undefined;
        return shift;
    }

    /** Every shifted target. */
    shifts(): VersionShift[] {
        return [...this.#targets.values()].flatMap((s) => (s.shift ? [s.shift] : []));
    }

    #evaluate(target: string, state: TargetState, outcomes: Outcomes): void {
        const { baseline } = state;
        const regressed =
            baseline !== undefined &&
            baseline.version !== state.current &&
            outcomes.count >= this.#o.minAnswers &&
            outcomes.rate - baseline.rate > this.#o.threshold;
        const was = state.shift;
        if (regressed) {
            state.shift = {
                target,
                version: state.current,
                failure_rate: round(outcomes.rate),
                baseline_version: baseline.version,
                baseline_failure_rate: round(baseline.rate),
            };
            if (!was || was.version !== state.current) this.#o.onChange?.({ ...state.shift, shifted: true });
        } else if (was && (was.version !== state.current || outcomes.count >= this.#o.minAnswers)) {
            state.shift = undefined;
            this.#o.onChange?.({
                ...was,
                failure_rate: was.version === state.current ? round(outcomes.rate) : was.failure_rate,
                shifted: false,
            });
        }
    }
}

function round(rate: number): number {
    return Math.round(rate * 1000) / 1000;
}

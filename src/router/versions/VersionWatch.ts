/**
 * Model-version regressions, per target (provider/model) and task signature (the feedback signature,
 * router/feedback/feedbackSignature.ts). Hosted aliases move to new snapshots without notice; the version
 * each answer reports (`model_version`) tells when. A new snapshot often regresses on some tasks only, so
 * each (target, signature) cell keeps, per reported version, its last `windowAnswers` samples of four
 * signals:
 * - `error`: the share of attempts that failed on the provider's side (the breaker's failure codes, or a
 *   timeout); an attempt that failed before answering counts against the version the target reported last;
 * - `escalation`: the share of checked answers that failed their tier's cascade check;
 * - `feedback`: the share of rated answers rated other than `accepted` (`router.feedback`);
 * - `ttft`: the median time to first token of streamed answers (ms).
 *
 * Per cell and signal, the first version with `minAnswers` samples is the baseline. When the version the
 * target reports now has `minAnswers` samples of a signal and is worse than the baseline by more than
 * `threshold` (rates, absolute) or `ttftRatio` (TTFT, as a ratio), that cell is shifted: for requests of
 * that signature only, the target keeps `shiftedShare` as first choice within its tier and the rest start
 * on the tier's next target; its other signatures are untouched. The cell returns when no signal is
 * regressed any more (its share of traffic keeps the evidence coming), when the target reports another
 * version, or when an operator clears it (`clear`: the current version becomes the cell's baseline).
 */
import { InvalidArgumentError } from "../../errors/ServiceError.js";
import { OutcomeRing, versionSignals, VersionStats, type VersionSignal } from "./VersionStats.js";

export type { VersionSignal } from "./VersionStats.js";

export interface VersionWatchOptions {
    /** Samples of a signal a version needs before it counts. */
    minAnswers: number;
    /** Rate increase over the baseline (absolute, 0..1) that counts as a regression. */
    threshold: number;
    /** TTFT median over the baseline's, as a ratio, that counts as a regression; null leaves TTFT out. */
    ttftRatio: number | null;
    /** Samples kept per version and signal (the most recent). */
    windowAnswers: number;
    /** Share of a shifted cell's requests the target still gets first, in [0, 1). */
    shiftedShare: number;
    /** (target, signature) cells kept; the least recently observed is dropped beyond it. */
    maxSignatures: number;
    /** Answered requests that can still be rated (`feedback`); the oldest is dropped beyond it. */
    maxPendingRequests: number;
    /** The configured targets (`provider/model`): what `clear` accepts. */
    targets: ReadonlySet<string>;
    /** In [0, 1): draws which requests the shifted target keeps. */
    random: () => number;
    /** A cell was shifted (`change: "shifted"`), returned by itself (`returned`) or by an operator (`cleared`). */
    onChange?: (change: VersionShift & { change: "shifted" | "returned" | "cleared" }) => void;
}

/** Why a target's traffic of one signature is shifted, as the routing record and `router.versionShifts()` show it. */
export interface VersionShift {
    /** `provider/model`. */
    target: string;
    /** The task signature whose traffic is shifted (e.g. `edit|m`); the target's other signatures are not. */
    signature: string;
    /** The version the target reports now. */
    version: string;
    /** The signal that regressed: `error`, `escalation`, `feedback` or `ttft`. */
    signal: VersionSignal;
    /** That signal for `version` over its window: a rate (0..1), or the TTFT median in ms. */
    value: number;
    /** The version compared with (the first with enough samples of the signal), and its value. */
    baseline_version: string;
    baseline_value: number;
}

interface Cell {
    target: string;
    signature: string;
    versions: Map<string, VersionStats>;
    /** Per signal, the baseline version's name. */
    baselines: Partial<Record<VersionSignal, string>>;
    shift: VersionShift | undefined;
}

/** Versions kept per (target, signature): a model id changes a few times a year, not per answer. */
export const maxVersionsPerCell = 16;

export class VersionWatch {
    readonly #o: VersionWatchOptions;
    /** Keyed `target\u0000signature`, least recently observed first. */
    readonly #cells = new Map<string, Cell>();
    /** The version each target reported last (any signature). */
    readonly #current = new Map<string, string>();
    /** Answered requests that may still be rated: what answered them. */
    readonly #pending = new Map<string, { target: string; signature: string; version: string }>();

    constructor(options: VersionWatchOptions) {
        this.#o = options;
    }

    /**
     * One sample of `signal` for an answer of `target` on `signature`: `failed` for the rate signals, the
     * TTFT in ms for `ttft`. `version` null: the version the target reported last (ignored if none yet).
     */
    observe(
        target: string,
        signature: string,
        version: string | null,
        signal: VersionSignal,
        sample: boolean | number,
    ): void {
        if (version !== null) this.#current.set(target, version);
        const v = version ?? this.#current.get(target);
        if (v === undefined) return;
        const cell = this.#cell(target, signature);
        let stats = cell.versions.get(v);
        if (stats) {
            // Least recently observed first, for the cap below.
            cell.versions.delete(v);
            cell.versions.set(v, stats);
        } else {
            stats = new VersionStats(this.#o.windowAnswers);
            cell.versions.set(v, stats);
            this.#capVersions(cell, v);
        }
        const ring = stats.signals[signal];
        if (ring instanceof OutcomeRing) ring.push(sample === true);
        else ring.push(Number(sample));
        if (cell.baselines[signal] === undefined && ring.count >= this.#o.minAnswers)
            cell.baselines[signal] = v;
        this.#evaluate(cell);
    }

    /** The versions tracked for `target` on `signature`, least recently observed first. */
    versions(target: string, signature: string): string[] {
        return [...(this.#cells.get(cellKey(target, signature))?.versions.keys() ?? [])];
    }

    /** Remembers what answered a request, so a later rating counts against that version. */
    register(requestId: string, target: string, signature: string, version: string | null): void {
        if (version === null) return;
        this.#pending.set(requestId, { target, signature, version });
        if (this.#pending.size > this.#o.maxPendingRequests)
            this.#pending.delete(this.#pending.keys().next().value!);
    }

    /** A rating of a registered request: anything but `accepted` counts as a failure. Once per request. */
    feedback(requestId: string, accepted: boolean): void {
        const answered = this.#pending.get(requestId);
        if (!answered) return;
        this.#pending.delete(requestId);
        this.observe(answered.target, answered.signature, answered.version, "feedback", !accepted);
    }

    /** Whether this request of `signature` should start elsewhere than `target` (a shifted cell keeps `shiftedShare`). */
    demotes(target: string, signature: string): VersionShift | undefined {
        const cell = this.#cells.get(cellKey(target, signature));
        if (!cell?.shift) return undefined;
        // The target moved to another version since (seen on another signature): this shift is stale.
        const shift = cell.shift.version === this.#current.get(target) ? cell.shift : this.#evaluate(cell);
        if (!shift) return undefined;
        return this.#o.random() < this.#o.shiftedShare ? undefined : shift;
    }

    /** Every shifted cell. */
    shifts(): VersionShift[] {
        return [...this.#cells.values()].flatMap((c) => (c.shift ? [c.shift] : []));
    }

    /**
     * An operator's call that the target's current version is fine: its shifted cells (of `signature`
     * only, when given) return, and the current version becomes their baseline, so the same evidence
     * does not shift them again. Returns the shifts cleared; throws E_INVALID_ARGUMENT for a target not configured.
     */
    clear(target: string, signature?: string): VersionShift[] {
        if (!this.#o.targets.has(target))
            throw new InvalidArgumentError(
                `unknown target ${JSON.stringify(target)}; use a configured provider/model (${[...this.#o.targets].join(", ")})`,
            );
        const cleared: VersionShift[] = [];
        for (const cell of this.#cells.values()) {
            if (cell.target !== target || (signature !== undefined && cell.signature !== signature)) continue;
            const shift = cell.shift;
            if (!shift) continue;
            for (const signal of versionSignals) cell.baselines[signal] = shift.version;
            cell.shift = undefined;
            cleared.push(shift);
            this.#o.onChange?.({ ...shift, change: "cleared" });
        }
        return cleared;
    }

    #cell(target: string, signature: string): Cell {
        const key = cellKey(target, signature);
        let cell = this.#cells.get(key);
        if (cell) this.#cells.delete(key);
        else cell = { target, signature, versions: new Map(), baselines: {}, shift: undefined };
        this.#cells.set(key, cell);
        if (this.#cells.size > this.#o.maxSignatures) this.#cells.delete(this.#cells.keys().next().value!);
        return cell;
    }

    /**
     * Keeps at most `maxVersionsPerCell` versions in a cell: the version is whatever model id the upstream
     * reports, and one that reports a new id per answer (a misconfigured proxy) must not grow memory
     * without end. The least recently observed go first; the baselines and `keep` (the one just seen) stay.
     */
    #capVersions(cell: Cell, keep: string): void {
        if (cell.versions.size <= maxVersionsPerCell) return;
        const baselines = new Set(Object.values(cell.baselines));
        for (const version of cell.versions.keys()) {
            if (cell.versions.size <= maxVersionsPerCell) return;
            if (version !== keep && !baselines.has(version)) cell.versions.delete(version);
        }
    }

    /** The first regressed signal of the cell's current version, as a shift. */
    #regression(cell: Cell, version: string): VersionShift | undefined {
        const stats = cell.versions.get(version);
        if (!stats) return undefined;
        for (const signal of versionSignals) {
            const baselineVersion = cell.baselines[signal];
            if (baselineVersion === undefined || baselineVersion === version) continue;
            const ring = stats.signals[signal];
            const baseline = cell.versions.get(baselineVersion)?.signals[signal];
            if (!baseline || ring.count < this.#o.minAnswers) continue;
            const regressed =
                signal === "ttft"
                    ? this.#o.ttftRatio !== null && ring.value > baseline.value * this.#o.ttftRatio
                    : ring.value - baseline.value > this.#o.threshold;
            if (regressed) {
                return {
                    target: cell.target,
                    signature: cell.signature,
                    version,
                    signal,
                    value: round(ring.value),
                    baseline_version: baselineVersion,
                    baseline_value: round(baseline.value),
                };
            }
        }
        return undefined;
    }

    /** Re-derives the cell's shift from its signals (reporting a change) and returns it. */
    #evaluate(cell: Cell): VersionShift | undefined {
        const current = this.#current.get(cell.target);
        const was = cell.shift;
        const now = current === undefined ? undefined : this.#regression(cell, current);
        cell.shift = now;
        if (now && (!was || was.version !== now.version || was.signal !== now.signal))
            this.#o.onChange?.({ ...now, change: "shifted" });
        else if (!now && was) {
            const value = cell.versions.get(was.version)?.signals[was.signal].value;
            this.#o.onChange?.({
                ...was,
                value: was.version === current && value !== undefined ? round(value) : was.value,
                change: "returned",
            });
        }
        return now;
    }
}

function cellKey(target: string, signature: string): string {
    return `${target}\u0000${signature}`;
}

function round(value: number): number {
    return Math.round(value * 1000) / 1000;
}

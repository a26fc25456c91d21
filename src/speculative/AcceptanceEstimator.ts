/**
 * Online estimates of per-token acceptance α, per drafter and task signature, as Beta posteriors
 * updated from every verification step:
 *
 *   a step that drafted k tokens and accepted n of them is n successes, plus one failure if n < k
 *   (under the i.i.d. model the first rejection ends the step; later positions are never observed).
 *
 * Counts decay geometrically (`decay` per update), so the estimate follows drift and the posterior
 * never becomes certain: Thompson sampling from it keeps exploring, but less and less as evidence
 * accumulates up to the cap 1/(1 − decay). Unseen (drafter, signature) pairs fall back to the
 * drafter's pooled counts, then to the prior.
 *
 * Acceptance is also counted per draft position, because it is not i.i.d. (a copy drafter's draft
 * keeps matching or breaks at once): position i is observed in every step that accepted i − 1 tokens
 * and drafted at least i; it succeeded if the step accepted i. Its conditional acceptance
 * p_i = P(position i accepted | i − 1 accepted) is a Beta posterior shrunk with `positionPriorWeight`
 * pseudo-observations toward the estimate of the position before it (p_1 toward the scalar α), so a
 * position with little evidence reads as its neighbour, and, for a signature with counts of its own,
 * toward what the drafter's other signatures saw at that position (their counts scaled down to at most
 * `otherSignaturesWeight` observations). Shrinking toward α instead read a copy drafter's long positions,
 * which fixed k = 2 steps seldom reach and whose few counts decay away, as its scalar α, which its many
 * failed first positions hold low: n-gram p₃ 0.44–0.73 beside p₂, p₄ ≈ 0.9 on the agent trace (session
 * 12), which held AUTO at k = 2 inside runs where k = 8 kept everything. Without the
 * latter a signature's rarely reached positions were Beta(2α, 2(1 − α)): Thompson samples near 1 at
 * every long position, so AUTO kept trying k = 7–8 with the bundled draft model on a 2-vCPU CPU where
 * it measured below OFF (session 10: the draft chosen for 6 of 12 requests of the quick bench's
 * completion set, AUTO at 0.90 of fixed n-gram k = 2).
 *
 * A step's first position is counted apart when the drafter's previous step of the request kept its whole
 * draft (`afterFull`: p_1^c, speedup.ts "RunAcceptance"), as counts under the signature `…|after-full`;
 * its estimate shrinks toward the first position's (p_1^f) with `positionPriorWeight` observations, so
 * without such steps the split changes nothing.
 *
 * Classes: a drafter's steps of one kind (a lookup's proposals after a long match: isLongMatch.ts) are
 * also counted per position apart (`recordClass`, and `observeClass` for positions resolved past the
 * step), and `classPositions` reads them around the estimate the step would get without its class.
 */
import type { RunAcceptance } from "./speedup.js";

/** A run estimate (speedup.ts) and the observations behind its p_1^c (0: it is p_1^f). */
export interface RunEstimate extends RunAcceptance {
    continuingWeight: number;
}

export interface BetaCounts {
    successes: number;
    failures: number;
}

export interface AcceptanceEstimatorOptions {
    /** Per-update decay of old evidence. Defaults to 0.995 (≈ 200 observations of memory). */
    decay?: number;
    /** Prior pseudo-counts. Defaults to Beta(1, 1) (uniform). */
    prior?: BetaCounts;
}

export const defaultAcceptanceDecay = 0.995;
/** Pseudo-observations of the scalar α behind each position's estimate. */
export const positionPriorWeight = 2;
/** Most observations a drafter's other signatures lend a signature's position estimate. */
export const otherSignaturesWeight = 8;
/** Observations of the estimate without the class behind a class's position estimates (`classPositions`). */
export const classPriorWeight = 2;
/** Positions counted (the schema's largest draft length). */
export const maxPositions = 64;

/** Per-position [successes, failures], index 0 = draft position 1. */
export interface PositionCounts {
    successes: number[];
    failures: number[];
}
const pooled = "*";
/** Signature suffix of the first-position counts of steps right after a fully accepted one. */
const afterFullSuffix = "|after-full";

export class AcceptanceEstimator {
    readonly #counts = new Map<string, BetaCounts>();
    readonly #positions = new Map<string, PositionCounts>();
    /** Number of recorded steps (for change detection). */
    updates = 0;
    readonly decay: number;
    readonly prior: BetaCounts;

    constructor(options: AcceptanceEstimatorOptions = {}) {
        this.decay = options.decay ?? defaultAcceptanceDecay;
        this.prior = options.prior ?? { successes: 1, failures: 1 };
    }

    /**
     * Records one verification step; `afterFull`: the drafter's previous step of the request kept its
     * whole draft (its first position is then counted as p_1^c, not p_1^f).
     */
    record(drafter: string, signature: string, drafted: number, accepted: number, afterFull = false): void {
        if (drafted <= 0) return;
        this.updates++;
        const failures = accepted < drafted ? 1 : 0;
        if (afterFull) {
            for (const key of [
                keyOf(drafter, signature + afterFullSuffix),
                keyOf(drafter, pooled + afterFullSuffix),
            ]) {
                const c = this.#counts.get(key) ?? { successes: 0, failures: 0 };
                c.successes = c.successes * this.decay + (accepted > 0 ? 1 : 0);
                c.failures = c.failures * this.decay + (accepted > 0 ? 0 : 1);
                this.#counts.set(key, c);
            }
        }
        for (const key of [keyOf(drafter, signature), keyOf(drafter, pooled)]) {
            const c = this.#counts.get(key) ?? { successes: 0, failures: 0 };
            c.successes = c.successes * this.decay + accepted;
            c.failures = c.failures * this.decay + failures;
            this.#counts.set(key, c);
            this.#countPositions(key, drafted, accepted, afterFull ? 1 : 0);
        }
    }

    /**
     * One step's positions under `key`, after the old counts decay: positions `from` … up to the first
     * rejected one (the rest were never verified), kept where below `accepted`.
     */
    #countPositions(key: string, drafted: number, accepted: number, from: number): void {
        const observed = Math.min(maxPositions, accepted < drafted ? accepted + 1 : accepted);
        const pos = this.#positionsAt(key, observed);
        for (let i = 0; i < pos.successes.length; i++) {
            pos.successes[i]! *= this.decay;
            pos.failures[i]! *= this.decay;
        }
        for (let i = from; i < observed; i++) {
            if (i < accepted) pos.successes[i]!++;
            else pos.failures[i]!++;
        }
    }

    /** The position counts under `key`, made or grown to at least `length` positions (zeros). */
    #positionsAt(key: string, length: number): PositionCounts {
        let pos = this.#positions.get(key);
        if (!pos) this.#positions.set(key, (pos = { successes: [], failures: [] }));
        while (pos.successes.length < length) {
            pos.successes.push(0);
            pos.failures.push(0);
        }
        return pos;
    }

    /**
     * Records one step of a class of `drafter`'s steps (e.g. lookups whose match was long): per-position
     * counts only, under the signature and pooled, decaying like `record`'s. The step is also recorded
     * with `record` as any other (the drafter's estimate covers all its steps).
     */
    recordClass(drafter: string, cls: string, signature: string, drafted: number, accepted: number): void {
        if (drafted <= 0) return;
        this.updates++;
        for (const key of [keyOf(classKey(drafter, cls), signature), keyOf(classKey(drafter, cls), pooled)])
            this.#countPositions(key, drafted, accepted, 0);
    }

    /**
     * One more position of a class step's draft resolved past the step (its proposal's tail, matched
     * against the tokens committed next: DraftTail.ts): `index` (0 = the first drafted token) kept or not.
     * Positions the step drafted are counted by `recordClass`; without these, a class held at a short k
     * by its prior never saw its longer positions.
     */
    observeClass(drafter: string, cls: string, signature: string, index: number, kept: boolean): void {
        if (index < 0 || index >= maxPositions) return;
        this.updates++;
        for (const key of [keyOf(classKey(drafter, cls), signature), keyOf(classKey(drafter, cls), pooled)]) {
            const pos = this.#positionsAt(key, index + 1);
            if (kept) pos.successes[index]!++;
            else pos.failures[index]!++;
        }
    }

    /**
     * Posterior means of p_1..p_k for a class of `drafter`'s steps (`recordClass`): each position's class
     * counts (the signature's, else the pooled ones) plus `classPriorWeight` observations at `prior[i]`,
     * the estimate the step would get without its class, so a class with little evidence reads as that.
     */
    classPositions(drafter: string, cls: string, signature: string, prior: readonly number[]): number[] {
        const pos =
            this.#positions.get(keyOf(classKey(drafter, cls), signature)) ??
            this.#positions.get(keyOf(classKey(drafter, cls), pooled));
        if (!pos) return prior.slice();
        return prior.map((p, i) => {
            const s = pos.successes[i] ?? 0;
            const f = pos.failures[i] ?? 0;
            return (s + classPriorWeight * p) / (s + f + classPriorWeight);
        });
    }

    /**
     * Posterior mean of p_i for positions 1..k (index 0 = position 1): the position's counts plus
     * `positionPriorWeight` pseudo-observations at the position before it (position 1: at the scalar α),
     * or that estimate itself where nothing was seen.
     */
    positionMeans(drafter: string, signature: string, k: number): number[] {
        return this.#positionsOf(drafter, signature, k, this.mean(drafter, signature), (s, f) => s / (s + f));
    }

    /** One Thompson sample of p_1..p_k: α sampled first, then each position around the one before it. */
    samplePositions(drafter: string, signature: string, k: number, random: () => number): number[] {
        const alpha = Math.min(1 - 1e-9, Math.max(1e-9, this.sample(drafter, signature, random)));
        return this.#positionsOf(drafter, signature, k, alpha, (s, f) => sampleBeta(s, f, random));
    }

    /** Posterior means of the run estimate: `positionMeans` and p_1^c around its p_1^f. */
    runMeans(drafter: string, signature: string, k: number): RunEstimate {
        const positions = this.positionMeans(drafter, signature, k);
        const first = positions[0] ?? this.mean(drafter, signature);
        const { c, weight } = this.#continuing(drafter, signature, first);
        const continuingFirst = c.successes / (c.successes + c.failures);
        return { positions, continuingFirst, continuingWeight: weight };
    }

    /** One Thompson sample of the run estimate: `samplePositions`, then p_1^c around its p_1^f. */
    sampleRun(drafter: string, signature: string, k: number, random: () => number): RunEstimate {
        const positions = this.samplePositions(drafter, signature, k, random);
        const first = Math.min(
            1 - 1e-9,
            Math.max(1e-9, positions[0] ?? this.sample(drafter, signature, random)),
        );
        const { c, weight } = this.#continuing(drafter, signature, first);
        const continuingFirst = sampleBeta(c.successes, c.failures, random);
        return { positions, continuingFirst, continuingWeight: weight };
    }

    /**
     * p_1^c's posterior counts, the signature's own (else the pooled ones) plus p_1^f as a prior, and the
     * observations behind them.
     */
    #continuing(drafter: string, signature: string, first: number): { c: BetaCounts; weight: number } {
        const own =
            this.#counts.get(keyOf(drafter, signature + afterFullSuffix)) ??
            this.#counts.get(keyOf(drafter, pooled + afterFullSuffix));
        const s = own?.successes ?? 0;
        const f = own?.failures ?? 0;
        const c = {
            successes: s + positionPriorWeight * first,
            failures: f + positionPriorWeight * (1 - first),
        };
        return { c, weight: s + f };
    }

    #positionsOf(
        drafter: string,
        signature: string,
        k: number,
        alpha: number,
        estimate: (successes: number, failures: number) => number,
    ): number[] {
        const all = this.#positions.get(keyOf(drafter, pooled));
        const own = signature === pooled ? undefined : this.#positions.get(keyOf(drafter, signature));
        const pos = own ?? all;
        const out: number[] = [];
        // Each position is shrunk toward the one before it (the first toward α): see the class comment.
        let center = alpha;
        for (let i = 0; i < k; i++) {
            const s = pos?.successes[i] ?? 0;
            const f = pos?.failures[i] ?? 0;
            // The other signatures' counts: the pooled ones less this signature's (both decay alike per
            // own update; the pooled ones also on others', so the difference is clamped at 0).
            let otherS = 0;
            let otherF = 0;
            if (own && all) {
                otherS = Math.max(0, (all.successes[i] ?? 0) - s);
                otherF = Math.max(0, (all.failures[i] ?? 0) - f);
                const scale = Math.min(1, otherSignaturesWeight / Math.max(otherS + otherF, 1e-9));
                otherS *= scale;
                otherF *= scale;
            }
            const successes = s + otherS + positionPriorWeight * center;
            const failures = f + otherF + positionPriorWeight * (1 - center);
            out.push(estimate(successes, failures));
            // The next position's prior is this one's posterior mean, also when sampling: centred on a
            // sample, sparse positions would compound one draw's luck along the draft.
            center = Math.min(1 - 1e-9, Math.max(1e-9, successes / (successes + failures)));
        }
        return out;
    }

    /** Posterior counts (prior included) for a drafter and signature. */
    posterior(drafter: string, signature: string): BetaCounts {
        const c = this.#counts.get(keyOf(drafter, signature)) ?? this.#counts.get(keyOf(drafter, pooled));
        return {
            successes: (c?.successes ?? 0) + this.prior.successes,
            failures: (c?.failures ?? 0) + this.prior.failures,
        };
    }

    mean(drafter: string, signature: string): number {
        const p = this.posterior(drafter, signature);
        return p.successes / (p.successes + p.failures);
    }

    /** One Thompson sample of α. */
    sample(drafter: string, signature: string, random: () => number): number {
        const p = this.posterior(drafter, signature);
        return sampleBeta(p.successes, p.failures, random);
    }

    /** Evidence behind the estimate (decayed observation count). */
    evidence(drafter: string, signature: string): number {
        const p = this.posterior(drafter, signature);
        return p.successes + p.failures - this.prior.successes - this.prior.failures;
    }

    toJSON(): Record<string, BetaCounts> {
        return Object.fromEntries(this.#counts);
    }

    positionsJSON(): Record<string, PositionCounts> {
        return Object.fromEntries(this.#positions);
    }

    loadPositions(state: Record<string, PositionCounts>): void {
        for (const [key, c] of Object.entries(state)) {
            const valid = (xs: number[]) => xs.every((x) => Number.isFinite(x) && x >= 0);
            if (
                c.successes.length === c.failures.length &&
                c.successes.length <= maxPositions &&
                valid(c.successes) &&
                valid(c.failures)
            )
                this.#positions.set(key, { successes: [...c.successes], failures: [...c.failures] });
        }
    }

    load(state: Record<string, BetaCounts>): void {
        for (const [key, c] of Object.entries(state)) {
            if (
                Number.isFinite(c.successes) &&
                Number.isFinite(c.failures) &&
                c.successes >= 0 &&
                c.failures >= 0
            ) {
                this.#counts.set(key, { successes: c.successes, failures: c.failures });
            }
        }
    }
}

function classKey(drafter: string, cls: string): string {
    return `${drafter}#${cls}`;
}

function keyOf(drafter: string, signature: string): string {
    return `${drafter}|${signature}`;
}

/** Beta(a, b) sample from two Gamma samples (Marsaglia–Tsang), a, b > 0. */
export function sampleBeta(a: number, b: number, random: () => number): number {
    const x = sampleGamma(a, random);
    const y = sampleGamma(b, random);
    return x / (x + y);
}

function sampleGamma(shape: number, random: () => number): number {
    if (shape < 1) return sampleGamma(shape + 1, random) * random() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
        let x: number;
        let v: number;
        do {
            x = normal(random);
            v = 1 + c * x;
        } while (v <= 0);
        v = v * v * v;
        const u = random();
        if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
}

function normal(random: () => number): number {
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Measured costs that drive drafter choice and draft length, learned online. All times in milliseconds.
 *
 *  - Target pass time as a measured curve T_verify(n) over the tokens verified, not a line: on CPUs a
 *    pass over n tokens costs a step function of n that depends on the quantization's kernels (one
 *    276 M target measured 1 : 2.75 : 2.74 : 4.32 : 5.76 at n = 1, 2, 3, 5, 9 in Q8_0 and
 *    1 : 1.97 : 2.02 : 2.35 : 3.48 in BF16). Each measured n keeps a weighted mean with forgetting
 *    (`pointForgetting`), seeded at warm-up with a few timed passes and refined by every verification.
 *    n is the pass's tokens in total: a pass shared by several requests (one native batch) is a point
 *    at the batch's token count, so under constant load the curve keeps learning where the load is.
 *    Between measured n the curve is interpolated linearly; past the largest measured n it is extended
 *    with the mean per-token slope of the measured range; below the smallest, or with nothing measured,
 *    it follows the prior's shape (9 tokens cost 2× one) scaled to the nearest measurement. The curve
 *    returned is non-decreasing in n (a running maximum): a longer pass is never predicted cheaper.
 *  - Per drafter, milliseconds per drafting call (a model drafter's includes its first evaluation) and
 *    per further drafted token, and coverage (EMA).
 *  - Per drafter, the step's work outside the drafting call and the target pass (EMA of a step's wall
 *    time minus both): KV truncation after a partial acceptance, a model drafter erasing its rejected
 *    tokens, choosing tokens at each verified position. Plain steps have their own (key ""). What a
 *    drafting step costs beyond a plain one, `stepOverheadMs`, is part of the drafter's price. Measured
 *    small on a 2-vCPU Xeon with the bundled pair (plain 0.05 ms, n-gram 0.11, draft model 0.07 a step):
 *    the draft model's mispredicted speedup there came from the draft cost itself (recordDraft below).
 *  - Staleness: a length the traffic stopped verifying (AUTO chose plain decoding, so only one-token
 *    passes follow) keeps whatever it last measured, seed included. `staleAfterPasses` passes of other
 *    lengths later its point is stale: `sampleLength` names it (AUTO then verifies a free drafter's proposal
 *    of that length once, SpeculationController "exploration"), and the next observation of a stale
 *    point counts as much as all its old ones (its weight is cut to `staleWeight` first), so a wrong seed
 *    or an old load's figure is halved toward the present by each sample instead of by one in twenty.
 */
import type { SpecStep } from "./types.js";

export interface VerifyPoint {
    /** Tokens in the pass. */
    tokens: number;
    /** Decayed number of observations. */
    weight: number;
    /** Decayed sum of their milliseconds. */
    msSum: number;
}

export interface CostModelState {
    verify: VerifyPoint[];
    drafters: Record<string, { msPerToken: number; msPerCall: number; coverage: number }>;
    /** Step overheads by drafter ("" = plain steps); absent in states saved before they were measured. */
    overheads?: Record<string, number>;
}

/** Weight of old observations of one pass length per new one (≈ 20 observations of memory). */
export const pointForgetting = 0.95;
/** Verify passes of other lengths after which a length's point is stale (see above). */
export const staleAfterPasses = 2000;
/** The old observations' weight when a stale point is observed again. */
export const staleWeight = 1;
/** Fewest passes between two samples `sampleLength` asks for (at most one extra long pass per this many). */
export const sampleEveryPasses = 500;
/** EMA weight of a new drafter observation. */
const emaWeight = 0.1;
/**
 * Step overheads measured before a drafter's is used (`stepOverheadMs`). A drafter's first drafting step
 * runs code the engine has not run yet: on the bundled pair (2-vCPU EPYC) AUTO's first n-gram step
 * measured 0.60 ms outside its pass and drafting where later ones take ~0.1, and as the EMA's starting
 * value that one sample priced every n-gram step 0.54 ms dearer than a plain one (a third of a pass), so
 * AUTO seldom drafted with it again and the estimate never came down.
 */
export const minOverheadSamples = 3;

export class CostModel {
    /** Measured pass lengths, by tokens. */
    readonly #points = new Map<number, VerifyPoint>();
    /** The curve as returned by verifyMs, by tokens (cleared by every measurement). */
    #cache: number[] = [0];
    /** The measured points' means, sorted by tokens (cleared with the cache). */
    #sorted: MeanPoint[] | undefined;
    readonly #drafters = new Map<string, { msPerToken: number; msPerCall: number; coverage: number }>();
    /**
     * A step's milliseconds outside drafting and the target pass, by drafter ("" = plain): the mean of the
     * first 1 / emaWeight samples, an EMA after (`n` samples so far).
     */
    readonly #overheads = new Map<string, { ms: number; n: number }>();
    /** Number of recorded measurements (for change detection). */
    updates = 0;
    /** Verify passes recorded, and the count at each length's last one (not persisted: loaded ones are stale). */
    #passes = 0;
    readonly #lastPass = new Map<number, number>();
    /** `#passes` when `sampleLength` last named a length. */
    #lastSampleAsked = -Infinity;

    /** `priorSingleMs`: assumed cost of a one-token pass until measured. */
    constructor(readonly priorSingleMs = 10) {}

    /**
     * Records one target pass over `tokens` tokens that took `ms`, as `weight` of an observation (in
     * (0, 1]): each of the B requests whose passes made up one shared batch records it with weight 1/B,
     * so that the batch counts, and ages the point, as one pass.
     */
    recordVerify(tokens: number, ms: number, weight = 1): void {
        if (!Number.isInteger(tokens) || tokens < 1 || !Number.isFinite(ms) || ms < 0) return;
        if (!(weight > 0 && weight <= 1)) return;
        this.updates++;
        const p = this.#points.get(tokens);
        if (p && this.#stale(tokens) && p.weight > staleWeight) {
            p.msSum *= staleWeight / p.weight;
            p.weight = staleWeight;
        }
        this.#lastPass.set(tokens, ++this.#passes);
        if (p) {
            const kept = pointForgetting ** weight;
            p.weight = p.weight * kept + weight;
            p.msSum = p.msSum * kept + weight * ms;
        } else this.#points.set(tokens, { tokens, weight, msSum: weight * ms });
        this.#cache = [0];
        this.#sorted = undefined;
    }

    /** Predicted milliseconds of a target pass over n tokens (never below a small positive floor). */
    verifyMs(tokens: number): number {
        // A fractional length (a mean draft length + 1) reads the curve at its whole part.
        const n = Math.floor(tokens);
        const cache = this.#cache;
        let m = cache.length;
        if (n < m) return Math.max(cache[Math.max(0, n)]!, 0.01);
        // Running maximum over 1..n of the raw curve, extending what is cached (cache[0] = 0). Called
        // per candidate k for every request's step, and every pass's record clears it: the measured
        // points are sorted once per clearing and each length found by binary search.
        const sorted = (this.#sorted ??= sortedMeans(this.#points));
        let ms = cache[m - 1]!;
        for (; m <= n; m++) {
            ms = Math.max(ms, rawCurve(sorted, m, this.priorSingleMs));
            cache.push(ms);
        }
        return Math.max(ms, 0.01);
    }

    /**
     * A pass length in [max(2, minTokens), maxTokens] to measure now, or undefined: the shortest whose
     * point is stale (or was never measured while others were), shortest first because the curve is a
     * running maximum (a stale point too high lifts every longer length to it), and only if no sample was
     * asked for in the last `sampleEveryPasses` passes. An answer counts as asked, so concurrent requests
     * do not all explore at once.
     */
    sampleLength(maxTokens: number, minTokens = 2): number | undefined {
        if (this.#passes - this.#lastSampleAsked < sampleEveryPasses) return undefined;
        for (let n = Math.max(2, minTokens); n <= maxTokens; n++) {
            if (!this.#stale(n)) continue;
            this.#lastSampleAsked = this.#passes;
            return n;
        }
        return undefined;
    }

    #stale(tokens: number): boolean {
        return this.#passes - (this.#lastPass.get(tokens) ?? 0) >= staleAfterPasses;
    }

    /** The measured pass lengths with their mean milliseconds, by tokens (for reports). */
    curve(): { tokens: number; ms: number; weight: number }[] {
        return [...this.#points.values()]
            .sort((a, b) => a.tokens - b.tokens)
            .map((p) => ({ tokens: p.tokens, ms: p.msSum / p.weight, weight: p.weight }));
    }

    /**
     * Records what one decoding step measured: its drafting call (`perCall`: a lookup drafter, priced per
     * call), its target pass, and, for a step alone in its pass, its work outside both.
     */
    recordStep(step: SpecStep, perCall: boolean): void {
        if (step.drafter !== undefined && step.draftMs !== undefined)
            this.recordDraft(step.drafter, step.drafted, step.draftMs, perCall);
        // A shared pass is one point at the batch's tokens; each of its requests records a share of it.
        if (step.verifyMs !== undefined)
            this.recordVerify(step.passTokens, step.verifyMs, 1 / step.passRequests);
        // A step alone: what it cost beyond drafting and its pass (a shared pass's wait for the batch is
        // the batch's, not the drafter's).
        if (
            step.stepMs !== undefined &&
            step.draftMs !== undefined &&
            step.verifyMs !== undefined &&
            step.passRequests === 1
        )
            this.recordOverhead(
                step.drafted > 0 ? step.drafter! : "",
                step.stepMs - step.draftMs - step.verifyMs,
            );
    }

    /**
     * Records one drafting call: `tokens` drafted in `ms`. Lookup drafters (`perCall`) cost per call.
     * A model drafter evaluates once before its first drafted token (catching up with the history) and
     * once more per further token, so k tokens cost msPerCall + (k − 1) · msPerToken: a call that drafted
     * nothing (stopped by the confidence threshold) or one token teaches msPerCall, longer ones
     * msPerToken with msPerCall subtracted. (Counting msPerCall + k · msPerToken charged every proposing
     * call one evaluation too many: the bundled draft model at k = 1 measured 1.19–1.24× its prediction.)
     */
    recordDraft(drafter: string, tokens: number, ms: number, perCall: boolean): void {
        this.updates++;
        let d = this.#drafters.get(drafter);
        if (!d) {
            // Until told apart, every evaluation of a model drafter costs the same.
            const each = perCall ? 0 : ms / Math.max(1, tokens);
            d = { msPerToken: each, msPerCall: perCall ? ms : each, coverage: 1 };
            this.#drafters.set(drafter, d);
        } else if (perCall || tokens <= 1) d.msPerCall += emaWeight * (ms - d.msPerCall);
        else d.msPerToken += emaWeight * (Math.max(0, ms - d.msPerCall) / (tokens - 1) - d.msPerToken);
        d.coverage += emaWeight * ((tokens > 0 ? 1 : 0) - d.coverage);
    }

    /**
     * Sets a model drafter's costs as measured at warm-up (seedDraftCost.ts): a call drafting one token,
     * and each further token; live drafting steps refine them (`recordDraft`).
     */
    seedDraft(drafter: string, msPerCall: number, msPerToken: number): void {
        if (!Number.isFinite(msPerCall) || !Number.isFinite(msPerToken)) return;
        this.updates++;
        this.#drafters.set(drafter, { msPerToken, msPerCall, coverage: 1 });
    }

    /**
     * Records the milliseconds of one step spent outside its drafting call and its target pass, for the
     * drafter whose draft it verified (`""` for a step that verified no drafted token).
     */
    recordOverhead(drafter: string, ms: number): void {
        if (!Number.isFinite(ms)) return;
        this.updates++;
        const clamped = Math.max(0, ms);
        const o = this.#overheads.get(drafter);
        if (!o) this.#overheads.set(drafter, { ms: clamped, n: 1 });
        else o.ms += Math.max(emaWeight, 1 / ++o.n) * (clamped - o.ms);
    }

    /**
     * What a step verifying this drafter's draft costs beyond a plain step, outside drafting and the
     * pass (never negative; 0 until both are measured `minOverheadSamples` times).
     */
    stepOverheadMs(drafter: string): number {
        const own = this.#overheads.get(drafter);
        const plain = this.#overheads.get("");
        if (!own || !plain || own.n < minOverheadSamples || plain.n < minOverheadSamples) return 0;
        return Math.max(0, own.ms - plain.ms);
    }

    drafter(drafter: string): { msPerToken: number; msPerCall: number; coverage: number } | undefined {
        return this.#drafters.get(drafter);
    }

    toJSON(): CostModelState {
        return {
            verify: this.curve().map((p) => ({ ...this.#points.get(p.tokens)! })),
            drafters: Object.fromEntries(this.#drafters),
            overheads: Object.fromEntries([...this.#overheads].map(([id, o]) => [id, o.ms])),
        };
    }

    load(state: CostModelState): void {
        for (const p of state.verify) {
            if (Number.isInteger(p.tokens) && p.tokens >= 1 && p.weight > 0 && Number.isFinite(p.msSum))
                this.#points.set(p.tokens, { ...p });
        }
        this.#cache = [0];
        this.#sorted = undefined;
        for (const [id, d] of Object.entries(state.drafters)) {
            if ([d.msPerToken, d.msPerCall, d.coverage].every(Number.isFinite))
                this.#drafters.set(id, { ...d });
        }
        // A saved overhead stands for a measured run: an EMA from the start.
        for (const [id, ms] of Object.entries(state.overheads ?? {}))
            if (Number.isFinite(ms) && ms >= 0) this.#overheads.set(id, { ms, n: 1 / emaWeight });
    }
}

/** A measured pass length and its mean milliseconds. */
interface MeanPoint {
    tokens: number;
    ms: number;
}

function sortedMeans(points: ReadonlyMap<number, VerifyPoint>): MeanPoint[] {
    const sorted: MeanPoint[] = [];
    for (const p of points.values()) sorted.push({ tokens: p.tokens, ms: p.msSum / p.weight });
    return sorted.sort((a, b) => a.tokens - b.tokens);
}

/** The prior's shape: 9 tokens cost 2× one. */
function prior(singleMs: number, n: number): number {
    return singleMs * (1 + (n - 1) / 8);
}

/** The curve before the running maximum at n: measured, interpolated, extended or prior-shaped. */
function rawCurve(sorted: readonly MeanPoint[], n: number, priorSingleMs: number): number {
    if (sorted.length === 0) return prior(priorSingleMs, n);
    // The first point at or above n.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]!.tokens < n) lo = mid + 1;
        else hi = mid;
    }
    const above = sorted[lo];
    const below = above?.tokens === n ? above : sorted[lo - 1];
    if (below && above) {
        if (below === above) return below.ms;
        const t = (n - below.tokens) / (above.tokens - below.tokens);
        return below.ms + t * (above.ms - below.ms);
    }
    if (above) return (above.ms * prior(priorSingleMs, n)) / prior(priorSingleMs, above.tokens);
    // Past the largest measured n: the mean slope of the measured range, or the prior's shape.
    const first = sorted[0]!;
    const last = below!;
    if (first !== last) {
        const slope = Math.max(0, (last.ms - first.ms) / (last.tokens - first.tokens));
        return last.ms + slope * (n - last.tokens);
    }
    return (last.ms * prior(priorSingleMs, n)) / prior(priorSingleMs, last.tokens);
}

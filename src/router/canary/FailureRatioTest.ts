/**
 * The canary's sequential test: Wald's sequential probability ratio test on where the failures come from.
 *
 * Terms: a request is in one of two arms, the incumbent or the candidate; `share` is the candidate's
 * share of the requests served so far; r_c and r_i are the arms' failure rates. Given that a request
 * failed, the chance it was the candidate's is
 *
 *   P(candidate | failed) = share·r_c / (share·r_c + (1 − share)·r_i) = share·θ / (share·θ + 1 − share)
 *
 * with θ = r_c / r_i, so each failure is one Bernoulli observation about θ alone (successes carry
 * none; the unknown base rate drops out). The test compares H0: θ = 1 (the candidate fails no more
 * often) with H1: θ = `worseRatio`:
 *
 *   p0 = share,  p1 = share·θ1 / (share·θ1 + 1 − share)
 *   log-likelihood ratio += log(p1 / p0) for a candidate failure, log((1 − p1) / (1 − p0)) for an incumbent one
 *
 * and stops when it crosses log((1 − β) / α) (H1: roll back) or log(β / (1 − α)) (H0: promote), which
 * bounds the chance of a false rollback by about α and of promoting a θ1-times-worse candidate by about
 * β, at whatever failure the test stops (Wald 1945). The same conditioning on failures is the
 * multinomial count test Netflix runs on canaries (Lindon, Sanden, Shirikian 2022, "Rapid Regression
 * Detection in Software Deployments through Sequential Testing").
 *
 * Pure: no clock, no I/O (test/unit/router/canary/FailureRatioTest.test.ts).
 */
export interface FailureRatioTestOptions {
    /** θ1: the failure-rate ratio (candidate / incumbent) that should be rolled back; > 1. */
    worseRatio: number;
    /** Bound on the chance of a false rollback (θ = 1); in (0, 0.5]. */
    alpha: number;
    /** Bound on the chance of promoting a θ1-times-worse candidate; in (0, 0.5]. */
    beta: number;
    /** The ratio so far, when a saved test resumes (CanaryStore.ts). Defaults to 0 (no evidence). */
    logLikelihoodRatio?: number;
}

/** What the evidence says so far: roll back, promote, or keep collecting. */
export type FailureRatioVerdict = "rollback" | "promote" | "continue";

export class FailureRatioTest {
    readonly #worseRatio: number;
    /** log((1 − β) / α): at or above it, H1 (roll back). */
    readonly rollbackBound: number;
    /** log(β / (1 − α)): at or below it, H0 (promote). */
    readonly promoteBound: number;
    #llr = 0;

    constructor(options: FailureRatioTestOptions) {
        const { worseRatio, alpha, beta } = options;
        if (!(worseRatio > 1)) throw new RangeError(`worseRatio must be > 1, got ${worseRatio}`);
        if (!(alpha > 0 && alpha <= 0.5 && beta > 0 && beta <= 0.5))
            throw new RangeError(`alpha and beta must be in (0, 0.5], got ${alpha} and ${beta}`);
        this.#worseRatio = worseRatio;
        this.rollbackBound = Math.log((1 - beta) / alpha);
        this.promoteBound = Math.log(beta / (1 - alpha));
        const resumed = options.logLikelihoodRatio ?? 0;
        if (!Number.isFinite(resumed))
            throw new RangeError(`logLikelihoodRatio must be finite, got ${resumed}`);
        this.#llr = resumed;
    }

    /** The log-likelihood ratio of H1 (worse) over H0 (no worse) so far. */
    get logLikelihoodRatio(): number {
        return this.#llr;
    }

    /**
     * One failed request, from the candidate arm or not; `share` is the candidate's share of the requests
     * served so far, in (0, 1) (a share of 0 or 1 says nothing about θ and leaves the ratio as it is).
     */
    failure(fromCandidate: boolean, share: number): void {
        if (!(share > 0 && share < 1)) return;
        const p0 = share;
        const p1 = (share * this.#worseRatio) / (share * this.#worseRatio + 1 - share);
        this.#llr += fromCandidate ? Math.log(p1 / p0) : Math.log((1 - p1) / (1 - p0));
    }

    verdict(): FailureRatioVerdict {
        if (this.#llr >= this.rollbackBound) return "rollback";
        if (this.#llr <= this.promoteBound) return "promote";
        return "continue";
    }
}

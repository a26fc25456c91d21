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
 */
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
const pooled = "*";

export class AcceptanceEstimator {
    readonly #counts = new Map<string, BetaCounts>();
    /** Number of recorded steps (for change detection). */
    updates = 0;
    readonly decay: number;
    readonly prior: BetaCounts;

    constructor(options: AcceptanceEstimatorOptions = {}) {
        this.decay = options.decay ?? defaultAcceptanceDecay;
        this.prior = options.prior ?? { successes: 1, failures: 1 };
    }

    /** Records one verification step. */
    record(drafter: string, signature: string, drafted: number, accepted: number): void {
        if (drafted <= 0) return;
        this.updates++;
        const failures = accepted < drafted ? 1 : 0;
        for (const key of [keyOf(drafter, signature), keyOf(drafter, pooled)]) {
            const c = this.#counts.get(key) ?? { successes: 0, failures: 0 };
            c.successes = c.successes * this.decay + accepted;
            c.failures = c.failures * this.decay + failures;
            this.#counts.set(key, c);
        }
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

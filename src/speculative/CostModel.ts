/**
 * Measured costs that drive drafter choice and draft length, learned online:
 *  - target pass time as a linear function of the tokens verified, T_verify(n) = a + b·n, fitted by
 *    least squares with exponential forgetting (starts from a prior: 9 tokens cost 2× one, the low end of what CPUs measure);
 *  - per drafter, milliseconds per drafted token and per drafting call (EMA).
 * All times in milliseconds.
 */
export interface CostModelState {
    verify: { s0: number; s1: number; s2: number; sy: number; sxy: number };
    drafters: Record<string, { msPerToken: number; msPerCall: number; coverage: number }>;
}

/** Weight of old observations per update (≈ 100 observations of memory). */
const forgetting = 0.99;
/** EMA weight of a new drafter observation. */
const emaWeight = 0.1;

export class CostModel {
    #v: CostModelState["verify"];
    readonly #drafters = new Map<string, { msPerToken: number; msPerCall: number; coverage: number }>();
    /** Number of recorded measurements (for change detection). */
    updates = 0;

    /** `priorSingleMs`: assumed cost of a one-token pass until measured. */
    constructor(priorSingleMs = 10) {
        // Two pseudo-observations of weight 2: n = 1 → prior, n = 9 → 2 × prior.
        this.#v = { s0: 0, s1: 0, s2: 0, sy: 0, sxy: 0 };
        this.#addVerify(1, priorSingleMs, 2);
        this.#addVerify(9, 2 * priorSingleMs, 2);
    }

    recordVerify(tokens: number, ms: number): void {
        this.updates++;
        const v = this.#v;
        v.s0 *= forgetting;
        v.s1 *= forgetting;
        v.s2 *= forgetting;
        v.sy *= forgetting;
        v.sxy *= forgetting;
        this.#addVerify(tokens, ms, 1);
    }

    /** Predicted milliseconds of a target pass over n tokens (never below a small positive floor). */
    verifyMs(n: number): number {
        const { s0, s1, s2, sy, sxy } = this.#v;
        const det = s0 * s2 - s1 * s1;
        if (det <= 1e-9) return Math.max(sy / Math.max(s0, 1e-9), 0.01);
        const b = Math.max(0, (s0 * sxy - s1 * sy) / det);
        const a = (sy - b * s1) / s0;
        return Math.max(a + b * n, 0.01);
    }

    /**
     * Records one drafting call: `tokens` drafted in `ms`. Lookup drafters (`perCall`) cost per call;
     * model drafters cost per token plus a per-call part, learned from calls that drafted nothing
     * (e.g. stopped at once by the confidence threshold) and subtracted from the others.
     */
    recordDraft(drafter: string, tokens: number, ms: number, perCall: boolean): void {
        this.updates++;
        let d = this.#drafters.get(drafter);
        if (!d) {
            d = {
                msPerToken: perCall || tokens === 0 ? 0 : ms / tokens,
                msPerCall: perCall || tokens === 0 ? ms : 0,
                coverage: 1,
            };
            this.#drafters.set(drafter, d);
        } else if (perCall || tokens === 0) d.msPerCall += emaWeight * (ms - d.msPerCall);
        else d.msPerToken += emaWeight * (Math.max(0, ms - d.msPerCall) / tokens - d.msPerToken);
        d.coverage += emaWeight * ((tokens > 0 ? 1 : 0) - d.coverage);
    }

    drafter(drafter: string): { msPerToken: number; msPerCall: number; coverage: number } | undefined {
        return this.#drafters.get(drafter);
    }

    toJSON(): CostModelState {
        return { verify: { ...this.#v }, drafters: Object.fromEntries(this.#drafters) };
    }

    load(state: CostModelState): void {
        const v = state.verify;
        if ([v.s0, v.s1, v.s2, v.sy, v.sxy].every(Number.isFinite) && v.s0 > 0) this.#v = { ...v };
        for (const [id, d] of Object.entries(state.drafters)) {
            if ([d.msPerToken, d.msPerCall, d.coverage].every(Number.isFinite))
                this.#drafters.set(id, { ...d });
        }
    }

    #addVerify(n: number, ms: number, w: number): void {
        const v = this.#v;
        v.s0 += w;
        v.s1 += w * n;
        v.s2 += w * n * n;
        v.sy += w * ms;
        v.sxy += w * n * ms;
    }
}

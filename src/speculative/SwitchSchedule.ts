/**
 * When AUTO judges a switch of drafters after a step (SpeculationController): at once after a step the
 * current drafter drafted; after a plain pass (plain decoding, or a current drafter that proposed
 * nothing: a lookup without a match, a model draft below its confidence) every `plainRecheckSteps` such
 * steps, and at once after one that resolved a free drafter's counterfactual proposal kept whole (a run
 * starting: where switching pays most and soonest).
 *
 * Why not every step: judging every plain step cost AUTO ~28 µs a step in the engine, against ~6 µs for a
 * fixed mode's bookkeeping (bundled pair, 2-vCPU EPYC, where a plain pass is ~0.8 ms: ~3 % of AUTO's
 * throughput where it chose plain decoding; the same code in a hot loop takes ~4 µs, between steps the
 * target's pass evicts it from the caches). Every 4 steps a judgement still averaged ~11 µs a step
 * (session 12): each judgement that keeps things as they are doubles the interval, up to
 * `plainRecheckMaxSteps`, and a drafting step, a switch to a drafter or a kept counterfactual resets it.
 * A current suffix drafter without a match was judged every step until session 23: ~85 µs a step on the
 * agent trace's "continue" turns, 17 % below OFF there. From plain decoding AUTO only switches to a free
 * drafter it has scored, whose runs the kept-counterfactual trigger catches at once; the periodic
 * judgement is for slower drift (partial keeps, the curve), which can wait 32 tokens.
 */
export const plainRecheckSteps = 4;
export const plainRecheckMaxSteps = 32;

export class SwitchSchedule {
    /** The interval between judgements after plain passes, and the plain passes until the next. */
    #every = plainRecheckSteps;
    #until = plainRecheckSteps;

    /** A step the current drafter drafted (judged at once), or a switch to a drafter: plain passes are judged often again. */
    drafted(): void {
        this.#every = this.#until = plainRecheckSteps;
    }

    /** Whether `plainDue(false)` would answer true (changes nothing). */
    dueNext(): boolean {
        return this.#until <= 1;
    }

    /** After a plain pass: whether to judge now; `keptCounterfactual`: a free drafter's proposal was kept whole. */
    plainDue(keptCounterfactual: boolean): boolean {
        if (!keptCounterfactual && --this.#until > 0) return false;
        this.#every = keptCounterfactual
            ? plainRecheckSteps
            : Math.min(plainRecheckMaxSteps, this.#every * 2);
        this.#until = this.#every;
        return true;
    }
}

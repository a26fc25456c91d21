/**
 * The tail past k (SpeculationController): a free drafter drafting k < maxK tokens is also asked for
 * maxK, and when its k tokens are kept the rest of that proposal is matched against the tokens the target
 * commits next, for this request's positions k + 1 … maxK. A step observes only the positions it drafted,
 * so without this a drafter held at a small k by a low prior never learns that this request's text keeps
 * its longer positions. One tail at a time.
 *
 * k = 0 too: a current free drafter's proposal that AUTO declined to draft (a plain pass) is a tail from
 * position 0, as a counterfactual proposal would be scored, so the drafter stays current while its
 * estimate catches up with a run this request starts (SpeculationController.next).
 */
import type { RequestEvidence } from "./RequestEvidence.js";
import type { SpecStep, Token } from "./types.js";

export class DraftTail {
    /** This step's longer proposal (offered by `next`, consumed by `score`), and whether its match was long. */
    #long: { tokens: readonly Token[]; longMatch: boolean; declined: boolean } | undefined;
    /** A kept draft's proposal past its k, being matched against the committed tokens. */
    #tail:
        | {
              drafter: string;
              tokens: readonly Token[];
              matched: number;
              longMatch: boolean;
              declined: boolean;
              /** A declined proposal right after one of the drafter's kept whole: its first position is p_1^c. */
              afterFull: boolean;
          }
        | undefined;

    constructor(
        readonly evidence: RequestEvidence,
        /** Told each position a long-match proposal's tail resolves (long matches' estimate: isLongMatch.ts). */
        readonly onLongMatch?: (drafter: string, index: number, kept: boolean) => void,
    ) {}

    /** A tail is being matched (no new one starts meanwhile). */
    get pending(): boolean {
        return this.#tail !== undefined;
    }

    /**
     * This step's drafter proposed `tokens` when asked for maxK; `longMatch`: its match was long;
     * `declined`: the step drafted none of it (k = 0, a plain pass), so the whole proposal is the tail,
     * and when it resolves it decides whether the drafter's next proposal continues a run of its own
     * (RequestEvidence.continues), as a counterfactual proposal would.
     */
    offer(tokens: readonly Token[], longMatch = false, declined = false): void {
        this.#long = { tokens, longMatch, declined };
    }

    /**
     * After a step: starts a tail when `drafter` (the current drafter, if it drafted this step) kept its
     * whole draft and the offered proposal goes on past it, then matches the pending tail against the
     * committed tokens. A tail of a drafter other than `current` is dropped.
     */
    score(step: SpecStep, drafter: string | undefined, current: string | undefined): void {
        const long = this.#long;
        this.#long = undefined;
        const { committed, drafted } = step;
        let from = 0;
        if (
            long &&
            drafter !== undefined &&
            step.accepted === drafted &&
            long.tokens.length > drafted &&
            long.tokens.slice(0, drafted).every((t, i) => t === committed[i])
        ) {
            this.#tail = {
                drafter,
                tokens: long.tokens,
                matched: drafted,
                longMatch: long.longMatch,
                declined: long.declined && drafted === 0,
                afterFull: long.declined && drafted === 0 && this.evidence.continues(drafter),
            };
            from = drafted;
        }
        const tail = this.#tail;
        if (!tail) return;
        if (tail.drafter !== current) {
            this.#tail = undefined; // switched away: its positions are the old drafter's
            return;
        }
        for (let i = from; i < committed.length; i++) {
            const kept = tail.tokens[tail.matched] === committed[i];
            this.evidence.observe(tail.drafter, tail.matched, kept, tail.afterFull);
            if (tail.longMatch) this.onLongMatch?.(tail.drafter, tail.matched, kept);
            tail.matched++;
            if (!kept || tail.matched === tail.tokens.length) {
                // On a drafting step the step's own draft decides the run (SpeculationController.record).
                if (tail.declined && drafted === 0) this.evidence.setContinues(tail.drafter, kept);
                this.#tail = undefined;
                return;
            }
        }
    }
}

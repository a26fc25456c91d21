/**
 * The tail past k (SpeculationController): a free drafter drafting k < maxK tokens is also asked for
 * maxK, and when its k tokens are kept the rest of that proposal is matched against the tokens the target
 * commits next, for this request's positions k + 1 … maxK. A step observes only the positions it drafted,
 * so without this a drafter held at a small k by a low prior never learns that this request's text keeps
 * its longer positions. One tail at a time.
 */
import type { RequestEvidence } from "./RequestEvidence.js";
import type { SpecStep, Token } from "./types.js";

export class DraftTail {
    /** This step's longer proposal (offered by `next`, consumed by `score`). */
    #long: readonly Token[] | undefined;
    /** A kept draft's proposal past its k, being matched against the committed tokens. */
    #tail: { drafter: string; tokens: readonly Token[]; matched: number } | undefined;

    constructor(readonly evidence: RequestEvidence) {}

    /** A tail is being matched (no new one starts meanwhile). */
    get pending(): boolean {
        return this.#tail !== undefined;
    }

    /** This step's drafter proposed `tokens` when asked for maxK. */
    offer(tokens: readonly Token[]): void {
        this.#long = tokens;
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
            drafted > 0 &&
            step.accepted === drafted &&
            long.length > drafted &&
            long.slice(0, drafted).every((t, i) => t === committed[i])
        ) {
            this.#tail = { drafter, tokens: long, matched: drafted };
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
            this.evidence.observe(tail.drafter, tail.matched, kept);
            tail.matched++;
            if (!kept || tail.matched === tail.tokens.length) {
                this.#tail = undefined;
                return;
            }
        }
    }
}

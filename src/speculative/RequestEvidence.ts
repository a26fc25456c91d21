/**
 * One request's own evidence about each drafter: per draft position, how many drafted tokens the target
 * kept of how many it saw there. The controller feeds it from three sources, all about this request:
 *
 *  - the steps the drafter actually drafted;
 *  - counterfactual steps of a free (lookup) drafter while another one drafted (its proposal against
 *    what the target committed);
 *  - a replay over the prompt's last tokens at the start (`replay`): a free drafter proposes at each
 *    point of the prompt's tail, as if the prompt were being generated, and is scored against the
 *    prompt's own next tokens. A retried request or a resent file shows up here before the first
 *    token: the suffix drafter reproduces the tail exactly, where an engine-wide prior (all requests of
 *    the signature) cannot tell this request from the others.
 *
 * A drafter's proposals after a long match (isLongMatch.ts) are also counted under `longMatchKey(drafter)`,
 * the request's side of long matches' estimate.
 *
 * It also counts how often each drafter had anything to propose (its coverage: a lookup drafter without
 * a match proposes nothing, and the step is a plain pass).
 *
 * `positions` and `coverage` blend a drafter's counts with the engine-wide estimate (which carries
 * `requestPriorWeight` observations), which is what AUTO's choices read. Pure bookkeeping, no timing.
 */
import { positionPriorWeight, type RunEstimate } from "./AcceptanceEstimator.js";
import { isLongMatch, longMatchKey } from "./isLongMatch.js";
import type { Acceptance, RunAcceptance } from "./speedup.js";
import type { DraftProposer, Token } from "./types.js";

/** Weight (in observations) of the engine-wide estimate in a request's running per-position acceptance. */
export const requestPriorWeight = 3;
/**
 * Prompt tokens a free drafter is replayed over at the start: ~11 steps of a drafter that reproduces them
 * at k = 8, enough to outweigh the engine-wide estimate (3 observations) where this request differs.
 */
export const replayTokens = 96;

export class RequestEvidence {
    /** Per drafter id: [accepted, observed] per draft position. */
    readonly #counts = new Map<string, number[][]>();
    /** Per drafter id: [kept, observed] first positions of drafts right after a fully kept one (p_1^c). */
    readonly #continuing = new Map<string, [number, number]>();
    /** Drafters whose next proposal follows one of theirs that was kept whole (their run goes on). */
    readonly #runs = new Set<string>();
    /** Per drafter id: [calls with a proposal, calls]. */
    readonly #calls = new Map<string, [number, number]>();

    /** Calls scored for `drafter` (with or without a proposal). */
    calls(drafter: string): number {
        return this.#calls.get(drafter)?.[1] ?? 0;
    }

    /**
     * One scored draft of `proposed` tokens of which the first `matched` agreed with the target (or the
     * prompt); `seen` is how many of the target's tokens it could be compared with (a draft running
     * past them is unobserved there, not rejected); `afterFull`: the drafter's previous draft was kept
     * whole (its first position counts as p_1^c).
     */
    record(drafter: string, proposed: number, matched: number, seen = Infinity, afterFull = false): void {
        this.call(drafter, proposed > 0);
        if (proposed <= 0) return;
        const observed = matched < proposed && matched < seen ? matched + 1 : matched;
        for (let i = 0; i < observed; i++) this.observe(drafter, i, i < matched, afterFull);
    }

    /**
     * One scored call of `drafter`, with or without a proposal; the proposal's positions are recorded
     * with `observe` as the target's tokens resolve them (`record` does both at once).
     */
    call(drafter: string, proposed: boolean): void {
        let calls = this.#calls.get(drafter);
        if (!calls) this.#calls.set(drafter, (calls = [0, 0]));
        calls[1]++;
        if (proposed) calls[0]++;
    }

    /**
     * Draft position `index` (0 = the first drafted token) of `drafter` compared with the target;
     * `afterFull`: that draft came right after one kept whole.
     */
    observe(drafter: string, index: number, kept: boolean, afterFull = false): void {
        if (index === 0 && afterFull) {
            let c = this.#continuing.get(drafter);
            if (!c) this.#continuing.set(drafter, (c = [0, 0]));
            if (kept) c[0]++;
            c[1]++;
            return;
        }
        let counts = this.#counts.get(drafter);
        if (!counts) this.#counts.set(drafter, (counts = []));
        const c = (counts[index] ??= [0, 0]);
        if (kept) c[0]!++;
        c[1]!++;
    }

    /** `prior` (per position) blended with this request's counts for `drafter`. */
    positions(drafter: string, prior: readonly number[]): number[] {
        const counts = this.#counts.get(drafter);
        if (!counts) return prior.slice();
        return prior.map((p, i) => {
            const c = counts[i];
            return c ? (c[0]! + requestPriorWeight * p) / (c[1]! + requestPriorWeight) : p;
        });
    }

    /**
     * `prior` (a run estimate, speedup.ts) blended with this request's counts for `drafter`. p_1^c is
     * this request's p_1^c counts, the engine-wide p_1^c with its observations (at most
     * `requestPriorWeight`), and this request's blended p_1^f as a prior: without any p_1^c evidence it
     * is p_1^f, so a request whose first positions fail does not keep an engine-wide p_1^c.
     */
    run(drafter: string, prior: RunEstimate): RunAcceptance {
        const positions = this.positions(drafter, prior.positions);
        const fresh = positions[0] ?? prior.continuingFirst;
        const [kept, observed] = this.#continuing.get(drafter) ?? [0, 0];
        const engine = Math.min(requestPriorWeight, prior.continuingWeight);
        return {
            positions,
            continuingFirst:
                (kept + engine * prior.continuingFirst + positionPriorWeight * fresh) /
                (observed + engine + positionPriorWeight),
        };
    }

    /** Whether `drafter`'s next proposal follows one of its own that was kept whole. */
    continues(drafter: string): boolean {
        return this.#runs.has(drafter);
    }

    setContinues(drafter: string, continues: boolean): void {
        if (continues) this.#runs.add(drafter);
        else this.#runs.delete(drafter);
    }

    /**
     * The acceptance AUTO decides `drafter`'s next step by: inside a run (`continues`), the positions with
     * p_1^c first, the step's own odds; else the run estimate (speedup.ts), which counts the chance of
     * entering a run.
     */
    now(drafter: string, prior: RunEstimate): Acceptance {
        const run = this.run(drafter, prior);
        if (!this.#runs.has(drafter)) return run;
        const positions = run.positions.slice();
        positions[0] = run.continuingFirst;
        return positions;
    }

    /** `prior` coverage blended with this request's calls of `drafter`. */
    coverage(drafter: string, prior: number): number {
        const calls = this.#calls.get(drafter);
        return calls ? (calls[0] + requestPriorWeight * prior) / (calls[1] + requestPriorWeight) : prior;
    }

    /**
     * Replays a free (lookup, synchronous) drafter over the last `replayTokens` tokens of `prompt`, stepping as
     * speculative decoding would (past the kept tokens and the target's own next token), and records
     * each proposal against the prompt's next tokens. Leaves the drafter begun with the prompt's head and
     * synced up to its last replayed point; its next `propose` with a longer history catches up (every
     * DraftProposer follows the history it is given). Returns false when the drafter answered
     * asynchronously (a model drafter: not free to replay) or the prompt is too short.
     */
    replay(drafter: string, proposer: DraftProposer, prompt: readonly Token[], maxK: number): boolean {
        const start = prompt.length - replayTokens;
        if (start < 1 || maxK <= 0) return false;
        // One history grown in place (proposers read it during the call only): no copy per step.
        const history = prompt.slice(0, start);
        proposer.begin(history);
        let afterFull = false;
        for (let j = start; j < prompt.length;) {
            while (history.length < j) history.push(prompt[history.length]!);
            const proposal = proposer.propose(history, Math.min(maxK, prompt.length - j));
            if (proposal instanceof Promise) {
                proposal.catch(() => {}); // never awaited: a drafter that is not free is not replayed
                return false;
            }
            const { tokens } = proposal;
            if (tokens.length === 0) {
                this.record(drafter, 0, 0);
                afterFull = false;
                j++;
                continue;
            }
            let matched = 0;
            while (matched < tokens.length && tokens[matched] === prompt[j + matched]) matched++;
            this.record(drafter, tokens.length, matched, Infinity, afterFull);
            if (isLongMatch(proposal)) this.record(longMatchKey(drafter), tokens.length, matched);
            afterFull = matched === tokens.length;
            j += matched + 1;
        }
        this.setContinues(drafter, afterFull);
        return true;
    }
}

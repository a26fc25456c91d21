/**
 * One request's counterfactual scoring of the free (lookup) drafters not in use: each proposes at a step
 * as if it drafted, and its proposal is matched against the tokens the target commits, over as many steps
 * as that takes (a plain step commits one token, which would otherwise observe only a proposal's first
 * position). The request's evidence takes each position as a committed token resolves it; the engine-wide
 * estimate takes the proposal once resolved (a mismatch, or all of it matched). Used by
 * SpeculationController, which owns the request's evidence and the drafters.
 */
import type { ControllerDrafter } from "./controllerTypes.js";
import type { RequestEvidence } from "./RequestEvidence.js";
import type { SpeculationPolicy } from "./SpeculationPolicy.js";
import { isLongMatch, recordLongMatch } from "./isLongMatch.js";
import type { Token } from "./types.js";

/** A proposal being matched: its tokens, how many matched so far, and whether it continued a run. */
export interface PendingProposal {
    tokens: readonly Token[];
    matched: number;
    afterFull: boolean;
    /** Its match was long (isLongMatch.ts): resolved, it also counts for long matches' estimate. */
    longMatch: boolean;
}

export class Counterfactuals {
    readonly #pending = new Map<ControllerDrafter, PendingProposal>();
    /** Free drafters whose proposal was made by the last `propose` (exploration candidates). */
    readonly fresh: ControllerDrafter[] = [];

    constructor(
        readonly policy: SpeculationPolicy,
        readonly evidence: RequestEvidence,
        readonly signature: string,
    ) {}

    /**
     * Each free drafter other than `current` whose last proposal is resolved proposes up to `maxTokens`
     * for `history` (begun first, recorded in `begun`). `maxTokens` ≤ 0: nothing proposes.
     */
    propose(
        drafters: readonly ControllerDrafter[],
        current: ControllerDrafter | undefined,
        history: readonly Token[],
        maxTokens: number,
        begun: Set<ControllerDrafter>,
    ): void {
        this.fresh.length = 0;
        if (maxTokens <= 0) return;
        for (const lookup of drafters) {
            if (!lookup.candidate.costPerCall || lookup === current) continue;
            if (this.#pending.has(lookup)) continue; // its last proposal is still being matched
            if (!begun.has(lookup)) {
                begun.add(lookup);
                lookup.proposer.begin(history);
            }
            const proposal = lookup.proposer.propose(history, maxTokens);
            if (proposal instanceof Promise) continue; // only synchronous (free) drafters are scored this way
            const { id } = lookup.candidate;
            const { tokens } = proposal;
            this.policy.costs.recordDraft(
                id,
                tokens.length,
                this.policy.costs.drafter(id)?.msPerCall ?? 0,
                true,
            );
            this.evidence.call(id, tokens.length > 0);
            const afterFull = this.evidence.continues(id);
            if (tokens.length > 0) {
                this.#pending.set(lookup, {
                    tokens,
                    matched: 0,
                    afterFull,
                    longMatch: isLongMatch(proposal),
                });
                this.fresh.push(lookup);
            } else this.evidence.setContinues(id, false);
        }
    }

    /**
     * Under plain decoding: a fresh proposal whose pass length the cost model wants measured, to verify for
     * real (its first k tokens, then scored as its own step, not as a counterfactual). Only one that
     * continues its drafter's run (its last proposal was kept whole): those are mostly kept, so the sample
     * costs little (a fresh proposal outside a run is mostly rejected: a long pass for about one token),
     * and runs are where the long lengths decide whether drafting pays.
     */
    sample(limitK: number): { lookup: ControllerDrafter; k: number } | undefined {
        for (const lookup of this.fresh) {
            const proposal = this.#pending.get(lookup)!;
            if (!proposal.afterFull) continue;
            const n = this.policy.costs.sampleLength(Math.min(limitK, proposal.tokens.length) + 1);
            if (n === undefined) continue;
            this.#pending.delete(lookup);
            return { lookup, k: n - 1 };
        }
        return undefined;
    }

    /**
     * Under plain decoding (no drafter current), whether scoring `committed` next and then proposing
     * could start a run: a pending proposal that `committed` would resolve kept whole (`score` true), or a
     * free drafter with no proposal pending whose run continues (its next proposal may be sampled).
     * Neither: the scoring switches nothing and the next proposals cannot be sampled. Changes nothing.
     */
    mayStartRun(committed: readonly Token[], drafters: readonly ControllerDrafter[]): boolean {
        for (const cf of this.#pending.values())
            if (cf.matched + continuing(cf, committed) === cf.tokens.length) return true;
        for (const lookup of drafters)
            if (
                lookup.candidate.costPerCall &&
                !this.#pending.has(lookup) &&
                this.evidence.continues(lookup.candidate.id)
            )
                return true;
        return false;
    }

    /**
     * Matches every pending proposal against the step's `committed` tokens; `current`'s is dropped (switched
     * to: its steps are scored as its own now). True when a proposal resolved kept whole.
     */
    score(committed: readonly Token[], current: ControllerDrafter | undefined): boolean {
        let keptWhole = false;
        for (const [lookup, cf] of this.#pending) {
            if (lookup === current) {
                this.#pending.delete(lookup);
                continue;
            }
            const { id } = lookup.candidate;
            const i = continuing(cf, committed);
            for (let j = 0; j < i; j++) this.evidence.observe(id, cf.matched++, true, cf.afterFull);
            // Resolved by a mismatch or by running out of drafted tokens; else more committed tokens decide.
            if (i === committed.length && cf.matched < cf.tokens.length) continue;
            const { matched, tokens } = cf;
            if (matched < tokens.length) this.evidence.observe(id, matched, false, cf.afterFull);
            const observed = matched < tokens.length ? matched + 1 : matched;
            this.policy.acceptance.record(id, this.signature, observed, matched, cf.afterFull);
            if (cf.longMatch)
                recordLongMatch(this.policy.acceptance, this.evidence, id, this.signature, observed, matched);
            this.#pending.delete(lookup);
            // Kept whole and ending with the committed tokens: the next proposal continues its run.
            this.evidence.setContinues(id, matched === tokens.length && i === committed.length);
            if (matched === tokens.length) keptWhole = true;
        }
        return keptWhole;
    }
}

/** How many of `committed`, from its first, go on matching the proposal's tokens past those matched. */
function continuing(cf: PendingProposal, committed: readonly Token[]): number {
    let i = 0;
    while (
        i < committed.length &&
        cf.matched + i < cf.tokens.length &&
        cf.tokens[cf.matched + i] === committed[i]
    )
        i++;
    return i;
}

/**
 * Per-request speculation decisions: which drafter drafts the next step and how many tokens, fed by
 * the outcome of every step. Fixed modes (one drafter, fixed k) and AUTO share it; only AUTO adapts:
 *
 *  - start: the engine-wide policy's choice (Thompson-sampled expected tokens/s, see SpeculationPolicy),
 *    with the request's own evidence blended in: free (lookup) drafters are replayed over the prompt's
 *    tail first (RequestEvidence.replay), so a retried request or a resent file starts on the drafter
 *    that reproduces it;
 *  - every step: k = argmax over k ≤ maxK of expected tokens/s on the measured verify curve under
 *    the request's running per-position acceptance p_i for the current drafter (its own evidence per
 *    position blended with the engine-wide estimate), k = 0 meaning a plain pass; the draft model also
 *    stops early below a confidence threshold tuned from measurements;
 *  - under load: when other sequences' tokens share the target pass, k is the batch's best
 *    (batchDraftLength.ts: shorter as the batch fills, 0 when a draft cannot pay), capped by the k
 *    above; which drafter runs is still judged on a pass alone, so load never switches drafters;
 *  - switch: when the running α makes another drafter (or none) expected faster by a margin, switch;
 *    each alternative is judged on its engine-wide estimate blended with this request's evidence;
 *  - counterfactual scoring: lookup drafters (n-gram, suffix) are free to run, so while another
 *    drafter is in use their proposals are compared with what the target committed and their
 *    estimates (engine-wide and this request's) updated at no cost;
 *  - exploration of the verify curve: under plain decoding only one-token passes are measured, so a
 *    longer pass's point could stay wrong for good (a slow seed, a load that has passed) and keep AUTO
 *    from drafting. When the cost model finds the length of a free drafter's fresh proposal stale
 *    (CostModel.sampleLength: unmeasured for 2,000 passes, at most one sample per 500 passes engine-wide),
 *    that many tokens of the proposal are verified for real once; while a free drafter drafts, a stale
 *    length past its k is drafted to once the same way. Alone in its pass only (a shared pass measures
 *    the batch);
 *  - the tail past k: a free drafter drafting k < maxK tokens is also asked for maxK (free), and when its
 *    k tokens are all kept the rest of that proposal is scored against the tokens the target commits
 *    next, for this request's positions k + 1 … maxK. A step only ever observes the positions it drafted,
 *    so a drafter held at a small k by a low prior never saw its longer positions and stayed there;
 *  - long matches: a free drafter proposes before k is chosen, and a proposal whose match is long
 *    (isLongMatch.ts) is judged on what such proposals kept (their steps and tails, engine-wide), not on
 *    the drafter's estimate, which its short matches' failures hold down;
 *  - a current free drafter's proposal that does not pay is declined (a plain pass) and scored as the tail
 *    past k = 0; the drafter stays, where a forced switch to plain decoding came back only after a margin.
 */
import type { Choice, SpeculationPolicy } from "./SpeculationPolicy.js";
import type {
    ControllerDrafter,
    ControllerStep,
    SpeculationControllerOptions,
    SpeculationSummary,
} from "./controllerTypes.js";
import { Counterfactuals } from "./Counterfactuals.js";
import { DraftTail } from "./DraftTail.js";
import { longMatchClass, longMatchKey } from "./isLongMatch.js";
import { learnFromStep } from "./learnFromStep.js";
import { proposeFree, type FreeProposal } from "./proposeFree.js";
import { SwitchSchedule } from "./SwitchSchedule.js";
import { RequestEvidence, requestPriorWeight } from "./RequestEvidence.js";
import type { Acceptance, RunAcceptance } from "./speedup.js";
import type { SpecStep, Token } from "./types.js";

/** Steps of evidence before a switch is considered, and the margin another option needs. */
const switchAfterSteps = 3;
const switchMargin = 1.15;

export class SpeculationController {
    #current: ControllerDrafter | undefined;
    #reqAccepted = 0;
    #reqFailures = 0;
    /** This request's per-position counts for every drafter it has scored (drafted, counterfactual, replayed). */
    readonly #evidence = new RequestEvidence();
    /**
     * The k of the engine-wide choice, used for the request's first drafting step: the choice came from
     * a Thompson sample, and acting on it is what gathers the evidence the running estimate lacks.
     */
    #chosenK: number | undefined;
    #steps = 0;
    #generated = 0;
    /** A counterfactual proposal was kept whole, or a step explored, since the last step (SwitchSchedule). */
    #keptCounterfactual = false;
    /** When a switch is judged after plain passes. */
    readonly #schedule = new SwitchSchedule();
    /** The free drafters not in use, scored against the committed tokens (Counterfactuals.ts). */
    readonly #counterfactuals: Counterfactuals;
    /** The drafter whose proposal for the coming step had a long match (recorded as such). */
    #longMatch: ControllerDrafter | undefined;
    /** Tokens the current free drafter proposed for this step when drafting them did not pay (next); 0: none. */
    #declined = 0;
    /** The current free drafter's proposal past its k (DraftTail.ts). */
    readonly #tail = new DraftTail(this.#evidence, (id, index, kept) => {
        this.policy.acceptance.observeClass(id, longMatchClass, this.options.signature, index, kept);
        this.#evidence.observe(longMatchKey(id), index, kept);
    });
    /** Drafters whose `begin` ran for this request. */
    readonly #begun = new Set<ControllerDrafter>();
    readonly summary: SpeculationSummary;

    constructor(
        readonly policy: SpeculationPolicy,
        readonly options: SpeculationControllerOptions,
    ) {
        this.#counterfactuals = new Counterfactuals(policy, this.#evidence, options.signature);
        this.summary = {
            chosen: "none",
            reason: "",
            switches: [],
            draftLengths: [],
            explorations: 0,
            predictedSpeedup: 1,
        };
        const only = options.drafters[0];
        this.#start(
            options.adaptive
                ? this.#choose()
                : {
                      drafter: only?.candidate.id,
                      k: only ? options.maxK : 0,
                      expectedTokensPerSecond: 0,
                      predictedSpeedup: 1,
                      reason: only ? "fixed by request" : "speculation off",
                  },
        );
    }

    #choose(evidence?: RequestEvidence): Choice {
        const { drafters, signature, maxK } = this.options;
        const candidates = drafters.map((d) => d.candidate);
        return this.policy.choose(candidates, signature, maxK, true, evidence);
    }

    #start(choice: Choice): void {
        this.#current = this.options.drafters.find((d) => d.candidate.id === choice.drafter);
        this.#chosenK = this.options.adaptive && this.#current ? choice.k : undefined;
        this.summary.chosen = choice.drafter ?? "none";
        this.summary.reason = choice.reason;
        this.summary.predictedSpeedup = choice.predictedSpeedup;
    }

    get current(): ControllerDrafter | undefined {
        return this.#current;
    }

    /**
     * The request starts: in AUTO the free (lookup) drafters are replayed over the prompt's tail and,
     * when any was, the start is chosen again with this evidence; then the starting drafter and
     * the free drafters, which AUTO scores counterfactually, begin with the prompt. A drafter switched to
     * later begins with the history at that point, before its first proposal.
     */
    begin(prompt: readonly Token[]): void {
        if (this.options.adaptive && this.#replay(prompt)) {
            this.#start(this.#choose(this.#evidence));
            this.summary.reason += " (with the prompt replayed)";
        }
        for (const d of this.options.drafters)
            if (d === this.#current || (this.options.adaptive && d.candidate.costPerCall))
                this.#begin(d, prompt);
    }

    /** Replays the free drafters over the prompt's tail; true when any was replayed. */
    #replay(prompt: readonly Token[]): boolean {
        let scored = false;
        for (const d of this.options.drafters) {
            if (!d.candidate.costPerCall || this.#begun.has(d)) continue;
            if (!this.#evidence.replay(d.candidate.id, d.proposer, prompt, this.options.maxK)) continue;
            this.#begun.add(d);
            scored = true;
        }
        return scored;
    }

    /** The request ended with `history` committed: releases every drafter that began. */
    async release(history: readonly Token[]): Promise<void> {
        const begun = [...this.#begun];
        this.#begun.clear();
        for (const d of begun) await d.proposer.release(history);
    }

    /** Running α of the current drafter for this request. */
    runningAlpha(): number {
        const id = this.#current?.candidate.id;
        if (id === undefined) return 0;
        const prior = this.policy.acceptance.mean(id, this.options.signature);
        return (
            (this.#reqAccepted + requestPriorWeight * prior) /
            (this.#reqAccepted + this.#reqFailures + requestPriorWeight)
        );
    }

    /** What a drafter's next step is decided by: its run estimate, or inside a run its p_1^c positions. */
    #now(id: string): Acceptance {
        const prior = this.policy.acceptance.runMeans(id, this.options.signature, this.options.maxK);
        return this.#evidence.now(id, prior);
    }

    /**
     * A drafter's expected k and tokens/s on the engine-wide estimates blended with this request's; for a
     * proposal in hand whose match is long (`longMatch`), on the long matches' estimate around that
     * (AcceptanceEstimator.classPositions), with nothing to cover (it proposed).
     */
    #evaluate(
        d: ControllerDrafter,
        otherTokens = 0,
        longMatch = false,
    ): { k: number; tokensPerSecond: number } {
        const { id } = d.candidate;
        const { signature, maxK } = this.options;
        if (longMatch) {
            const now = this.#now(id);
            const positions = Array.isArray(now) ? now : (now as RunAcceptance).positions;
            const engine = this.policy.acceptance.classPositions(id, longMatchClass, signature, positions);
            const p = this.#evidence.positions(longMatchKey(id), engine);
            return this.policy.evaluate(d.candidate, p, maxK, otherTokens, 1);
        }
        const coverage = this.#evidence.coverage(id, this.policy.coverage(id));
        return this.policy.evaluate(d.candidate, this.#now(id), maxK, otherTokens, coverage);
    }

    /**
     * The next step's drafter and draft length (k = 0: plain pass), given the largest k that fits and,
     * in AUTO, `otherTokens`: the other sequences' tokens expected in the same target pass.
     */
    next(history: readonly Token[], limitK: number, otherTokens = 0): ControllerStep | undefined {
        this.#prepareCounterfactual(history, limitK);
        this.#longMatch = undefined;
        let current = this.#current;
        if (!current || limitK <= 0) {
            const explore = current === undefined && otherTokens === 0 ? this.#explore(limitK) : undefined;
            if (explore) return explore;
            this.#count(0);
            return undefined;
        }
        const { adaptive, maxK } = this.options;
        const longest = Math.min(limitK, maxK);
        // A free drafter proposes first (it costs nothing): its match length decides the step's acceptance
        // estimate (long matches), and the proposal serves the step and the tail past k.
        let long =
            adaptive && current.candidate.costPerCall
                ? this.#proposeFree(current, history, longest)
                : undefined;
        if (long?.tokens.length === 0) {
            // Nothing to draft (no match): a plain pass, still the drafter's step (its coverage).
            this.#count(0);
            return {
                drafter: current,
                k: 0,
                minConfidence: 0,
                proposal: { tokens: long.tokens, ms: long.ms },
            };
        }
        let k = maxK;
        if (long?.longMatch) {
            k = this.#evaluate(current, 0, true).k;
            this.#chosenK = undefined;
        } else if (adaptive && this.#chosenK !== undefined) {
            k = this.#chosenK;
            this.#chosenK = undefined;
        } else if (adaptive) {
            k = this.#evaluate(current).k;
            if (k === 0 && !long) {
                // The current drafter no longer pays for itself at all: move to the best alternative.
                this.#maybeSwitch(1, true);
                if (this.#current !== current) long = undefined; // the old drafter's proposal
                current = this.#current;
                if (!current) {
                    this.#count(0);
                    return undefined;
                }
                k = this.#evaluate(current).k;
            }
        }
        if (k === 0 && long) {
            // A free drafter's proposal that does not pay: a plain pass, and the drafter stays (keeping it
            // costs nothing); its proposal is scored as the tail past k = 0, so a run it starts raises its
            // estimate at once instead of after a switch away and back.
            this.#count(0);
            this.#declined = long.tokens.length;
            if (!this.#tail.pending) this.#tail.offer(long.tokens, long.longMatch, true);
            return { drafter: current, k: 0, minConfidence: 0, proposal: { tokens: [], ms: long.ms } };
        }
        // Which drafter is judged on a pass alone (above); how long its draft is, on the shared pass.
        // Load alone never switches drafters: a plain step under load keeps the drafter for when it eases.
        if (adaptive && otherTokens > 0 && k > 0)
            k = Math.min(k, this.#evaluate(current, otherTokens, long?.longMatch).k);
        // A free drafter's longer draft costs nothing to propose: a stale longer length is sampled (a
        // curve too high past k would otherwise keep k where it is; see exploration above).
        if (adaptive && otherTokens === 0 && current.candidate.costPerCall && k > 0) {
            const n = this.policy.costs.sampleLength(longest + 1, k + 2);
            if (n !== undefined) {
                k = n - 1;
                this.summary.explorations++;
            }
        }
        k = Math.min(limitK, k);
        if (k <= 0) {
            this.#count(0);
            return undefined;
        }
        this.#count(k);
        this.#begin(current, history);
        const minConfidence = adaptive
            ? this.policy.confidenceThreshold(current.candidate, this.options.minConfidence)
            : this.options.minConfidence;
        if (!long && adaptive && current.candidate.costPerCall && k < longest)
            long = this.#proposeFree(current, history, longest);
        if (!long) return { drafter: current, k, minConfidence };
        // A lookup's k-token proposal is its longer one cut at k (the match does not depend on the length
        // asked): one lookup serves the step and the tail.
        if (long.longMatch) this.#longMatch = current;
        if (long.tokens.length > k && !this.#tail.pending) this.#tail.offer(long.tokens, long.longMatch);
        return {
            drafter: current,
            k,
            minConfidence,
            proposal: { tokens: long.tokens.length > k ? long.tokens.slice(0, k) : long.tokens, ms: long.ms },
        };
    }

    /**
     * Whether the step after a plain step under plain decoding that committed `committed`, not recorded
     * yet, is a plain pass whatever `record` learns from it: nothing drafts now, and in AUTO the scoring
     * can start no run (Counterfactuals.mayStartRun: no switch, no sampled proposal) and no periodic
     * judgement is due. Then the engine dispatches that pass first and records while it decodes, calling
     * `nextDispatched` in place of `next` (generate.ts, "Overlap"): the same decisions, in the same order.
     */
    plainAhead(committed: readonly Token[]): boolean {
        if (this.#current !== undefined) return false;
        const { adaptive, drafters } = this.options;
        if (!adaptive) return true;
        if (this.#counterfactuals.mayStartRun(committed, drafters)) return false;
        return this.#steps + 1 < switchAfterSteps || !this.#schedule.dueNext();
    }

    /** `next` for a step whose plain pass is already dispatched (`plainAhead`). */
    nextDispatched(history: readonly Token[], limitK: number): void {
        this.#prepareCounterfactual(history, limitK);
        this.#longMatch = undefined;
        this.#count(0);
    }

    /** A free drafter's timed proposal (proposeFree.ts), the drafter begun first. */
    #proposeFree(
        drafter: ControllerDrafter,
        history: readonly Token[],
        longest: number,
    ): FreeProposal | undefined {
        this.#begin(drafter, history);
        return proposeFree(drafter.proposer, history, longest);
    }

    /** Under plain decoding: a fresh free proposal verified for real to measure a pass length (Counterfactuals.sample). */
    #explore(limitK: number): ControllerStep | undefined {
        const sample = this.#counterfactuals.sample(limitK);
        if (!sample) return undefined;
        this.summary.explorations++;
        this.#count(sample.k);
        return { drafter: sample.lookup, k: sample.k, minConfidence: 0 };
    }

    /**
     * Learns from one step: the engine-wide costs and acceptance (learnFromStep.ts), this request's
     * evidence, and counterfactually the free drafters'; then, in AUTO, may switch drafters.
     */
    record(step: SpecStep): void {
        const { policy, options } = this;
        const drafter = options.drafters.find((d) => d.candidate.id === step.drafter);
        // Whether this step followed one of the drafter's own kept whole (RequestEvidence.continues); its
        // run goes on only after a step of its own that keeps its whole draft (a plain step ends it).
        const running = drafter ?? this.#current;
        const afterFull = running !== undefined && this.#evidence.continues(running.candidate.id);
        learnFromStep(policy, this.#evidence, step, {
            drafter: drafter?.candidate,
            signature: options.signature,
            afterFull,
            longMatch: drafter !== undefined && drafter === this.#longMatch,
            declined: this.#declined,
        });
        // A declined proposal's run is decided by its tail (DraftTail), not by the plain pass.
        if (running && this.#declined === 0)
            this.#evidence.setContinues(
                running.candidate.id,
                drafter !== undefined && step.drafted > 0 && step.accepted === step.drafted,
            );
        if (drafter && step.drafted > 0) {
            // The running α is the current drafter's (an exploring step's drafter is another one).
            if (drafter === this.#current) {
                this.#reqAccepted += step.accepted;
                if (step.accepted < step.drafted) this.#reqFailures++;
            } else this.#keptCounterfactual = true; // explored: the curve moved, judge a switch now
        }
        // Steps where the drafter was asked count even when it proposed nothing (its coverage drops);
        // under plain decoding (AUTO chose none) every step counts.
        if (drafter && this.#declined > 0) this.#evidence.call(drafter.candidate.id, true);
        else if (drafter)
            this.#evidence.record(drafter.candidate.id, step.drafted, step.accepted, Infinity, afterFull);
        this.#declined = 0;
        if (drafter || !this.#current) this.#steps++;
        const current = this.#current?.candidate.id;
        this.#tail.score(step, drafter === this.#current ? current : undefined, current);
        if (this.#counterfactuals.score(step.committed, this.#current)) this.#keptCounterfactual = true;
        this.#generated = step.generated;
        if (options.adaptive && this.#steps >= switchAfterSteps) {
            // A step the current drafter drafted is judged at once; plain passes on a schedule (SwitchSchedule).
            if (this.#current !== undefined && drafter === this.#current && step.drafted > 0) {
                this.#schedule.drafted();
                this.#maybeSwitch(switchMargin);
            } else if (this.#schedule.plainDue(this.#keptCounterfactual)) {
                const before = this.#current;
                this.#maybeSwitch(switchMargin);
                if (this.#current !== undefined && this.#current !== before) this.#schedule.drafted();
            }
        }
        this.#keptCounterfactual = false;
    }

    #count(k: number): void {
        const lengths = this.summary.draftLengths;
        while (lengths.length <= k) lengths.push(0);
        lengths[k]!++;
    }

    /**
     * Switches when another option's expected tokens/s beats the current one's by `margin`. From plain
     * decoding only to a drafter this request has scored (a free one, counterfactually): the others were
     * judged on the same engine-wide estimates when plain decoding was chosen.
     */
    #maybeSwitch(margin: number, force = false): void {
        const current = this.#current;
        const plainTps = 1000 / this.policy.costs.verifyMs(1);
        const currentTps = current ? this.#evaluate(current).tokensPerSecond : plainTps;
        let best: { drafter: ControllerDrafter | undefined; tps: number } = {
            drafter: undefined,
            tps: plainTps,
        };
        for (const d of this.options.drafters) {
            if (d === current || (!current && this.#evidence.calls(d.candidate.id) === 0)) continue;
            const tps = this.#evaluate(d).tokensPerSecond;
            if (tps > best.tps) best = { drafter: d, tps };
        }
        if (best.drafter === current) return;
        if (best.tps > currentTps * margin || (force && best.tps >= currentTps)) {
            const running = current ? `running α ${this.runningAlpha().toFixed(2)}` : "plain decoding";
            this.summary.switches.push({
                atToken: this.#generated,
                from: current?.candidate.id ?? "none",
                to: best.drafter?.candidate.id ?? "none",
                reason: `${running} → ${currentTps.toFixed(1)} tok/s expected vs ${best.tps.toFixed(1)}`,
            });
            this.#current = best.drafter;
            // The drafter switched to keeps its evidence from this request (counterfactual, replayed).
            this.#reqAccepted = 0;
            this.#reqFailures = 0;
            this.#steps = 0;
        }
    }

    #begin(drafter: ControllerDrafter, history: readonly Token[]): void {
        if (this.#begun.has(drafter)) return;
        this.#begun.add(drafter);
        drafter.proposer.begin(history);
    }

    #prepareCounterfactual(history: readonly Token[], limitK: number): void {
        const { adaptive, drafters, maxK } = this.options;
        const longest = adaptive ? Math.min(limitK, maxK) : 0;
        this.#counterfactuals.propose(drafters, this.#current, history, longest, this.#begun);
    }
}

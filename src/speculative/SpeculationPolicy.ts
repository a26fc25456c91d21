/**
 * Engine-wide learning for speculation: acceptance per drafter and task signature, measured costs,
 * and acceptance by draft confidence. `choose` picks the drafter (or none) with the highest expected
 * decoded tokens per second, using a Thompson sample of each drafter's α so that drafters with
 * little evidence still get tried now and then, less as evidence grows (see AcceptanceEstimator).
 */
import { AcceptanceEstimator, type BetaCounts, type PositionCounts } from "./AcceptanceEstimator.js";
import { CostModel, type CostModelState } from "./CostModel.js";
import type { RequestEvidence } from "./RequestEvidence.js";
import { batchDraftLength, sharedVerifyMs } from "./batchDraftLength.js";
import { expectedTokensPerPass, type Acceptance, type RunAcceptance, type StepCosts } from "./speedup.js";

export interface DrafterCandidate {
    id: string;
    /** Model drafters pay per drafted token; lookup drafters pay per call. */
    costPerCall: boolean;
}

export interface Choice {
    /** Drafter id, or undefined for plain decoding. */
    drafter: string | undefined;
    k: number;
    expectedTokensPerSecond: number;
    /** Expected tokens/s over plain decoding's expected tokens/s. */
    predictedSpeedup: number;
    reason: string;
}

export interface PolicyState {
    acceptance: Record<string, BetaCounts>;
    acceptancePositions: Record<string, PositionCounts>;
    confidence: Record<string, number[][]>;
    costs: CostModelState;
}

/** Confidence histogram buckets of width 0.1. */
const buckets = 10;

export class SpeculationPolicy {
    readonly acceptance = new AcceptanceEstimator();
    readonly costs = new CostModel();
    /** Per drafter: [accepted, observed] draft tokens by confidence bucket. */
    readonly #confidence = new Map<string, number[][]>();

    /** Made once: a closure made per call costs a defineProperty under tsx (its keepNames transform). */
    readonly #verifyMs = (n: number): number => this.costs.verifyMs(n);

    /** Bumped by every recorded observation (lets a store skip unchanged saves). */
    #updates = 0;

    constructor(
        readonly random: () => number,
        /**
         * The target's backend decodes a shared batch of mixed lengths as several passes (llama.cpp
         * without unified KV, node-llama-cpp's default): drafting beside others costs a pass of its own
         * (batchDraftLength.ts, "Mixed lengths").
         */
        readonly splitsMixedLengths = true,
    ) {}

    get updates(): number {
        return this.#updates + this.acceptance.updates + this.costs.updates;
    }

    stepCosts(drafter: DrafterCandidate): StepCosts {
        const d = this.costs.drafter(drafter.id);
        // Until measured, assume a model draft step costs a fifth of a target pass, lookup nothing.
        const perToken = d?.msPerToken ?? (drafter.costPerCall ? 0 : this.costs.verifyMs(1) / 5);
        return {
            draftMsPerToken: perToken,
            // k drafted tokens cost msPerCall + (k − 1) · msPerToken (CostModel.recordDraft), written as
            // k · draftMsPerToken + draftMsPerCall; plus the work a drafting step adds outside drafting
            // and the pass (CostModel.stepOverheadMs).
            draftMsPerCall:
                Math.max(0, (d?.msPerCall ?? perToken) - perToken) + this.costs.stepOverheadMs(drafter.id),
            verifyMs: this.#verifyMs,
            splitsMixedLengths: this.splitsMixedLengths,
        };
    }

    /**
     * Expected tokens/s of a drafter at acceptance α (scalar, i.i.d.) or per-position p with its best
     * k ≤ maxK, on the measured verify curve. A drafter that often has
     * nothing to propose (coverage < 1, e.g. lookup without a match) falls back to a plain pass then.
     * With `otherTokens` other sequences' tokens sharing the pass, k and the rate are the batch's
     * (batchDraftLength.ts); 0 is a pass alone. `coverage` (the share of steps with a proposal) defaults
     * to the engine-wide measurement.
     */
    evaluate(
        drafter: DrafterCandidate,
        alpha: Acceptance,
        maxK: number,
        otherTokens = 0,
        coverage = this.coverage(drafter.id),
    ): { k: number; tokensPerSecond: number } {
        const costs = this.stepCosts(drafter);
        const best = batchDraftLength(alpha, maxK, costs, otherTokens);
        if (best.k === 0) return best;
        const plainMs = costs.verifyMs(otherTokens + 1);
        const plainTps = ((otherTokens + 1) * 1000) / plainMs;
        const stepMs = best.k * costs.draftMsPerToken + sharedVerifyMs(costs, otherTokens, best.k);
        const tokens = otherTokens + coverage * expectedTokensPerPass(alpha, best.k) + (1 - coverage);
        // A call that proposed nothing still evaluated once (a model drafter; 0 for a lookup).
        const ms =
            costs.draftMsPerCall +
            (1 - coverage) * costs.draftMsPerToken +
            coverage * stepMs +
            (1 - coverage) * plainMs;
        const tokensPerSecond = (tokens * 1000) / ms;
        // A drafter that rarely proposes anything can cost more than it saves: then do not draft.
        if (tokensPerSecond <= plainTps) return { k: 0, tokensPerSecond: plainTps };
        return { k: best.k, tokensPerSecond };
    }

    /** Engine-wide share of a drafter's calls that proposed anything (1 until measured). */
    coverage(drafter: string): number {
        return this.costs.drafter(drafter)?.coverage ?? 1;
    }

    /**
     * The drafter (or none) with the highest expected tokens/s for a request of `signature`; `evidence`,
     * the request's own (e.g. free drafters replayed over its prompt), is blended into each drafter's
     * engine-wide estimate.
     */
    choose(
        candidates: readonly DrafterCandidate[],
        signature: string,
        maxK: number,
        explore = true,
        evidence?: RequestEvidence,
    ): Choice {
        const plainTps = 1000 / this.costs.verifyMs(1);
        let best: Choice = {
            drafter: undefined,
            k: 0,
            expectedTokensPerSecond: plainTps,
            predictedSpeedup: 1,
            reason: "",
        };
        const scored: string[] = [`none ${plainTps.toFixed(1)}`];
        for (const c of candidates) {
            // Per-position acceptance: the choice of k sees a copy drafter's all-or-nothing drafts.
            // The first position split by the step's start (speedup.ts, RunAcceptance).
            const prior = explore
                ? this.acceptance.sampleRun(c.id, signature, maxK, this.random)
                : this.acceptance.runMeans(c.id, signature, maxK);
            const p = evidence ? evidence.now(c.id, prior) : prior;
            const coverage = evidence ? evidence.coverage(c.id, this.coverage(c.id)) : this.coverage(c.id);
            const { k, tokensPerSecond } = this.evaluate(c, p, maxK, 0, coverage);
            const positions = Array.isArray(p) ? p : (p as RunAcceptance).positions;
            const shown = positions.slice(0, 3).map((x: number) => x.toFixed(2));
            const after = Array.isArray(p)
                ? "inside a run"
                : `p1 after a kept draft ${(p as RunAcceptance).continuingFirst.toFixed(2)}`;
            scored.push(`${c.id} ${tokensPerSecond.toFixed(1)} (p≈[${shown.join(",")}…], ${after}, k=${k})`);
            if (k > 0 && tokensPerSecond > best.expectedTokensPerSecond) {
                best = {
                    drafter: c.id,
                    k,
                    expectedTokensPerSecond: tokensPerSecond,
                    predictedSpeedup: tokensPerSecond / plainTps,
                    reason: "",
                };
            }
        }
        best.reason = `highest expected tok/s for ${signature}: ${scored.join(" vs ")}`;
        return best;
    }

    /** Records which drafted tokens were accepted, by the draft's confidence in them. */
    recordConfidence(drafter: string, confidences: readonly number[], accepted: number): void {
        this.#updates++;
        let h = this.#confidence.get(drafter);
        if (!h) this.#confidence.set(drafter, (h = Array.from({ length: buckets }, () => [0, 0])));
        const observed = Math.min(confidences.length, accepted + 1);
        for (let i = 0; i < observed; i++) {
            const bucket = h[Math.min(buckets - 1, Math.floor(confidences[i]! * buckets))]!;
            if (i < accepted) bucket[0]!++;
            bucket[1]!++;
        }
    }

    /**
     * The confidence below which drafting one more token does not pay: the lowest bucket edge from
     * which every bucket's measured acceptance exceeds the break-even probability (extra draft and
     * verify time over the target pass an accepted token saves). Buckets with little evidence count
     * as paying, so the threshold only rises on evidence. `fallback` applies when nothing is known.
     */
    confidenceThreshold(drafter: DrafterCandidate, fallback: number): number {
        const h = this.#confidence.get(drafter.id);
        if (!h) return fallback;
        const costs = this.stepCosts(drafter);
        const marginal = costs.draftMsPerToken + (costs.verifyMs(9) - costs.verifyMs(1)) / 8;
        const breakEven = Math.min(0.95, marginal / costs.verifyMs(1));
        let threshold = 0;
        for (let b = 0; b < buckets; b++) {
            const [accepted, observed] = h[b]!;
            if (observed! >= 8 && accepted! / observed! < breakEven) threshold = (b + 1) / buckets;
        }
        return threshold;
    }

    toJSON(): PolicyState {
        return {
            acceptance: this.acceptance.toJSON(),
            acceptancePositions: this.acceptance.positionsJSON(),
            confidence: Object.fromEntries(this.#confidence),
            costs: this.costs.toJSON(),
        };
    }

    load(state: PolicyState): void {
        this.acceptance.load(state.acceptance);
        this.acceptance.loadPositions(state.acceptancePositions);
        this.costs.load(state.costs);
        for (const [id, h] of Object.entries(state.confidence)) {
            if (h.length === buckets && h.every((b) => b.length === 2 && b.every(Number.isFinite)))
                this.#confidence.set(id, h);
        }
    }
}

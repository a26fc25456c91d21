/**
 * What the engine-wide estimates learn from one step of a request (SpeculationController.record): the
 * target pass's and the drafter's costs, and for a step that drafted, the drafter's acceptance (with its
 * long-match class and by confidence). The request's own state (its evidence, running α, switches) stays
 * with the controller.
 */
import { recordLongMatch } from "./isLongMatch.js";
import type { RequestEvidence } from "./RequestEvidence.js";
import type { DrafterCandidate, SpeculationPolicy } from "./SpeculationPolicy.js";
import type { SpecStep } from "./types.js";

export interface StepContext {
    /** The step's drafter among the request's (undefined: a plain step under plain decoding). */
    drafter: DrafterCandidate | undefined;
    signature: string;
    /** The step followed one of the drafter's own drafts kept whole (its first position is p_1^c). */
    afterFull: boolean;
    /** The step's proposal had a long match (isLongMatch.ts). */
    longMatch: boolean;
    /** Tokens a current free drafter proposed that AUTO declined to draft (the step is a plain pass); 0: none. */
    declined: number;
}

export function learnFromStep(
    policy: SpeculationPolicy,
    evidence: RequestEvidence,
    step: SpecStep,
    { drafter, signature, afterFull, longMatch, declined }: StepContext,
): void {
    if (drafter && declined > 0 && step.draftMs !== undefined) {
        // A declined proposal is still a call that proposed (the drafter's coverage), timed as such.
        policy.costs.recordDraft(drafter.id, declined, step.draftMs, true);
        policy.costs.recordStep({ ...step, draftMs: undefined }, true);
    } else policy.costs.recordStep(step, drafter?.costPerCall ?? false);
    if (!drafter || step.drafted <= 0) return;
    policy.acceptance.record(drafter.id, signature, step.drafted, step.accepted, afterFull);
    if (longMatch)
        recordLongMatch(policy.acceptance, evidence, drafter.id, signature, step.drafted, step.accepted);
    if (step.confidences) policy.recordConfidence(drafter.id, step.confidences, step.accepted);
}

/**
 * Deciding: request → the tier it goes to first and the plan of targets to try. The policy (rules, the
 * classifier seam, the default tier) chooses; feedback may move an uncertain choice one tier up; the
 * session's pin may hold it higher and put the pinned target first. Nothing is sent and nothing is
 * recorded here; `touch` says whether reading the session's pin counts as using it.
 *
 * A shadow candidate policy (config `shadow.policy`) is decided beside the incumbent on the same features
 * and classifier verdict (the classifier is consulted when either policy's rules leave the request
 * undecided); its decision only travels to the record.
 *
 * A canary (config `canary`, router/canary/) puts each request in an arm by its session: in the candidate
 * arm a candidate policy decides instead of the incumbent, or a candidate target goes first in its tier
 * (only requests decided to that tier take part in a target canary).
 */
import { InvalidArgumentError } from "../errors/ServiceError.js";
import type { ChatRequest } from "../chat/types.js";
import type { Logger } from "../util/logger.js";
import type { BreakerState } from "./CircuitBreaker.js";
import { extractFeatures, type RequestFeatures } from "./features.js";
import type { FeedbackBandit } from "./feedback/FeedbackBandit.js";
import { feedbackSignature } from "./feedback/feedbackSignature.js";
import type { Canary, CanaryArm } from "./canary/Canary.js";
import { buildPlan, demoteFirst, promoteTarget, type ResolvedTarget, type ResolvedTier } from "./plan.js";
import { decideTier, matchRules, type PolicyDecision, type ResolvedPolicy } from "./policy.js";
import type { ClassifierVerdict, RoutingClassifier } from "./RoutingClassifier.js";
import type { SessionAffinity } from "./SessionAffinity.js";
import type { VersionShift, VersionWatch } from "./versions/VersionWatch.js";

/** What the router decided for a request, before anything is sent (see `Router.decide`). */
export interface RouteDecision {
    /** The tier the request goes to first. */
    tier: string;
    routing_reason: string;
    /** The policy's own reason (before session affinity). */
    policy_reason: string;
    /** The classifier's score when it decided, else null. */
    classifier_score: number | null;
    /**
     * A cascade decision: the classifier was unsure between `tier` and this next tier up, so `tier` is
     * tried first and its cascade may escalate here; else null.
     */
    cascade_to: string | null;
    /** The plan: targets in the order they would be tried, with their breaker state. */
    targets: { tier: string; provider: string; model: string; breaker: BreakerState | null }[];
}

/** A decision with everything the request's execution and records need. */
export interface Decided {
    features: RequestFeatures;
    /** The feedback signature (feedback/feedbackSignature.ts). */
    signature: string;
    tier: ResolvedTier;
    reason: string;
    policyReason: string;
    policyTierIndex: number;
    score: number | null;
    /** The tier a cascade decision may escalate to, when the served tier is the decision's first; else null. */
    cascadeTo: string | null;
    plan: ResolvedTarget[];
    /** The version regression that moved the plan's first target behind its tier's next one, else null. */
    versionShift: VersionShift | null;
    /**
     * The shadow candidate policy's decision (forced tiers included) and the incumbent policy's own tier
     * (before feedback and affinity) it is compared with; null without a candidate.
     */
    shadow: { decision: PolicyDecision; incumbentTier: string } | null;
    /** The request's canary arm; null without a canary, or outside a target canary's tier. */
    canary: CanaryArm | null;
}

/** A canary rollout as the Decider applies it: exactly one of a candidate policy or a candidate target. */
export interface DeciderCanary {
    canary: Canary;
    policy?: ResolvedPolicy;
    target?: ResolvedTarget;
}

export interface DeciderOptions {
    policy: ResolvedPolicy;
    /** The shadow candidate policy, decided beside `policy` and never served. Defaults to none. */
    shadow?: ResolvedPolicy;
    tiers: readonly ResolvedTier[];
    classifier: RoutingClassifier | undefined;
    bandit: FeedbackBandit | undefined;
    affinity: SessionAffinity | undefined;
    /** Version regressions: a shifted first target may be moved behind its tier's next target. Defaults to none. */
    versions?: VersionWatch | undefined;
    /** A canary rollout. Defaults to none. */
    canary?: DeciderCanary | undefined;
    logger: Logger;
}

/** A target's requests in flight from this router (its breaker's unsettled permits; 0 without breakers). */
const targetLoad = (target: ResolvedTarget): number => target.breaker?.inFlight ?? 0;

export class Decider {
    readonly #options: DeciderOptions;
    /** The classifier's warm-up (`RoutingClassifier.ready`), as its caller sees it: rejects when it fails. */
    readonly #ready: Promise<void>;
    /** Pending while the classifier warms up; undefined once it has settled either way. */
    #warming: Promise<void> | undefined;
    /** Breaks ties between equally loaded targets of a least-loaded tier (plan.ts leastLoaded). */
    #turn = 0;

    constructor(options: DeciderOptions) {
        this.#options = options;
        const warmUp = options.classifier?.ready?.();
        this.#ready = warmUp ?? Promise.resolve();
        this.#warming = warmUp?.then(
            () => {
                this.#warming = undefined;
            },
            (error: unknown) => {
                this.#warming = undefined;
                options.logger.warn("routing classifier failed to warm up; it abstains (default tier)", {
                    error: error instanceof Error ? error.message : String(error),
                });
            },
        );
    }

    /** Resolves once the classifier (if any) can decide; rejects with its warm-up error. */
    ready(): Promise<void> {
        return this.#ready;
    }

    /**
     * Decides a validated request; a promise only when the classifier answers asynchronously or is still
     * warming up (a request it must decide waits for the warm-up rather than take a cold abstention).
     */
    decide(request: ChatRequest, touch: boolean): Decided | Promise<Decided> {
        const features = extractFeatures(request);
        const forced = this.#forcedTier(request);
        const { classifier, policy, shadow } = this.#options;
        const candidate = this.#options.canary?.policy;
        const undecided =
            !matchRules(features, policy) ||
            (shadow !== undefined && !matchRules(features, shadow)) ||
            (candidate !== undefined && !matchRules(features, candidate));
        if (classifier && forced === undefined && undecided) {
            if (this.#warming)
                return this.#warming.then(() => this.#classify(classifier, request, features, touch));
            return this.#classify(classifier, request, features, touch);
        }
        return this.#decideWith(request, features, forced, undefined, touch);
    }

    #classify(
        classifier: RoutingClassifier,
        request: ChatRequest,
        features: RequestFeatures,
        touch: boolean,
    ): Decided | Promise<Decided> {
        let verdict: ClassifierVerdict | undefined | Promise<ClassifierVerdict | undefined>;
        try {
            verdict = classifier.classify(features, request);
        } catch (error) {
            this.#classifierFailed(error);
        }
        if (verdict instanceof Promise) {
            return verdict.then(
                (v) => this.#decideWith(request, features, undefined, v, touch),
                (error: unknown) => {
                    this.#classifierFailed(error);
                    return this.#decideWith(request, features, undefined, undefined, touch);
                },
            );
        }
        return this.#decideWith(request, features, undefined, verdict, touch);
    }

    /** A decision as `Router.decide` returns it. */
    static describe(d: Decided): RouteDecision {
        return {
            tier: d.tier.name,
            routing_reason: d.reason,
            policy_reason: d.policyReason,
            classifier_score: d.score,
            cascade_to: d.cascadeTo,
            targets: d.plan.map((t) => ({
                tier: t.tier,
                provider: t.provider.id,
                model: t.model,
                breaker: t.breaker?.state ?? null,
            })),
        };
    }

    #forcedTier(request: ChatRequest): string | undefined {
        const tier = request.hints?.tier;
        if (tier === undefined) return undefined;
        const { policy } = this.#options;
        if (!policy.tierIndex.has(tier)) {
            throw new InvalidArgumentError(
                `hints.tier "${tier}" is not a configured tier (tiers: ${policy.tiers.join(", ")})`,
            );
        }
        return tier;
    }

    #classifierFailed(error: unknown): void {
        this.#options.logger.warn("routing classifier failed; using the default tier", {
            error: error instanceof Error ? error.message : String(error),
        });
    }

    #decideWith(
        request: ChatRequest,
        features: RequestFeatures,
        forced: string | undefined,
        verdict: ClassifierVerdict | undefined,
        touch: boolean,
    ): Decided {
        const { affinity, bandit, tiers, canary } = this.#options;
        const session = request.hints?.session_id;
        const policyArm = canary?.policy ? canary.canary.assign(session) : undefined;
        const served = policyArm === "candidate" ? canary!.policy! : this.#options.policy;
        const policy = decideTier(features, served, forced, verdict);
        let policyTierIndex = this.#options.policy.tierIndex.get(policy.tier)!;
        let decisionReason = policy.reason;
        const signature = feedbackSignature(features);
        // Rules and forced tiers are certain; feedback only moves the classifier's or the default's choice.
        const certain = policy.reason === "hint:tier" || policy.reason.startsWith("rule:");
        if (!certain && bandit?.prefersHigher(signature, policyTierIndex) === true) {
            policyTierIndex++;
            decisionReason = `feedback:${signature}`;
        }
        const pin =
            session === undefined || !affinity
                ? undefined
                : touch
                  ? affinity.get(session)
                  : affinity.peek(session);
        let tierIndex = policyTierIndex;
        let reason = decisionReason;
        let pinned: string | undefined;
        if (pin) {
            if (policyTierIndex > pin.tierIndex) reason = `escalation:${decisionReason}`;
            else if (forced === undefined || policyTierIndex === pin.tierIndex) {
                // The pin decides (a forced lower tier is served once; the pin stays where it is).
                tierIndex = pin.tierIndex;
                reason = "affinity";
                if (pin.provider !== null) pinned = `${pin.provider}/${pin.model}`;
            }
        }
        // Only a decision that is served advances the turn (a preview must not move the next session).
        let plan = buildPlan(tiers, tierIndex, pinned, {
            load: targetLoad,
            turn: touch ? this.#turn++ : this.#turn,
        });
        const first = plan[0];
        const versionShift = first ? this.#options.versions?.demotes(first.key, signature) : undefined;
        const demoted = versionShift ? demoteFirst(plan) : plan;
        const shifted = demoted[0] !== first;
        plan = demoted;
        let arm: CanaryArm | null = policyArm ?? null;
        const candidateTarget = canary?.target;
        if (candidateTarget && tierIndex === candidateTarget.tierIndex) {
            arm = canary.canary.assign(session);
            if (arm === "candidate") plan = promoteTarget(plan, candidateTarget);
        }
        return {
            features,
            signature,
            tier: tiers[tierIndex]!,
            reason,
            policyReason: policy.reason,
            policyTierIndex,
            score: policy.score,
            // Feedback or a session pin that moved the tier leaves no cascade decision to record.
            cascadeTo: tiers[tierIndex]!.name === policy.tier ? policy.cascadeTo : null,
            plan,
            versionShift: shifted ? versionShift! : null,
            canary: arm,
            shadow: this.#options.shadow
                ? {
                      decision: decideTier(features, this.#options.shadow, forced, verdict),
                      // The incumbent policy's tier, also for a request a candidate policy decided.
                      incumbentTier:
                          policyArm === "candidate"
                              ? decideTier(features, this.#options.policy, forced, verdict).tier
                              : policy.tier,
                  }
                : null,
        };
    }
}

/**
 * Every side effect of a routed request, in one place: the routing record (log line, `onRecord`,
 * returned to the caller), the metrics, the response cache (lookup and store), the session's pin and
 * the feedback bandit's bookkeeping, and the mirrored call an answered request may start. The execution parts (runPlan, the cascade, stream forwarding)
 * only fill the request's RouteContext and call in here.
 */
import type { CompletionResult } from "../chat/types.js";
import { ErrorCode } from "../errors/codes.js";
import { ServiceError } from "../errors/ServiceError.js";
import type { RouterMetrics } from "../metrics/createRouterMetrics.js";
import type { Canary } from "./canary/Canary.js";
import type { CacheKeys } from "./cacheKey.js";
import { cacheKeys } from "./cacheKey.js";
import { costUsd } from "./cost.js";
import type { Decided } from "./Decider.js";
import { ExecFailure, roundMs, type Answered } from "./executePlan.js";
import type { FeedbackBandit } from "./feedback/FeedbackBandit.js";
import type { Mirror } from "./mirror/Mirror.js";
import type { VersionWatch } from "./versions/VersionWatch.js";
import type { ResolvedTarget, ResolvedTier } from "./plan.js";
import type { ResolvedPolicy } from "./policy.js";
import type { CachedAnswer, ResponseCache } from "./ResponseCache.js";
import { RouteFailedError } from "./RouteFailedError.js";
import type { RouteContext } from "./RouteContext.js";
import type { RoutingLog } from "./RoutingLog.js";
import type { SessionAffinity } from "./SessionAffinity.js";
import type { RoutingRecord, ShadowRecord } from "./types.js";

export interface RouteRecorderOptions {
    policy: ResolvedPolicy;
    /** Every record's `policy_version` (router/policyVersion.ts). */
    policyVersion: string;
    /** The shadow candidate's version and the tiers whose first target prices its predicted cost. */
    shadow?: { policyVersion: string; tiers: readonly ResolvedTier[] };
    /**
     * The canary rollout: each record's outcome is its evidence; a candidate policy's requests carry its
     * version (`candidatePolicyVersion`) as their `policy_version`. Defaults to none.
     */
    canary?: { canary: Canary; candidatePolicyVersion: string | undefined };
    metrics: RouterMetrics;
    log: RoutingLog;
    cache: ResponseCache | undefined;
    affinity: SessionAffinity | undefined;
    bandit: FeedbackBandit | undefined;
    /**
     * Model-version regressions (config `versionShift`): each request's attempts are its error and TTFT
     * samples, and an answered request is registered for its rating. Defaults to none.
     */
    versions?: VersionWatch | undefined;
    /** Codes that count as the provider's failure (the breakers' `failureCodes`): the version's error signal. */
    failureCodes?: ReadonlySet<string>;
    /** Mirroring to a candidate model (config `mirror`): samples answered requests. Defaults to none. */
    mirror?: Mirror | undefined;
    /** Redacts configured secrets and key shapes, also from a failure's cause chain. */
    redact: (text: string) => string;
    /** Monotonic milliseconds. */
    now: () => number;
}

export class RouteRecorder {
    readonly #options: RouteRecorderOptions;

    constructor(options: RouteRecorderOptions) {
        this.#options = options;
    }

    /** Counts a decision (the metric's reason label is its closed-set source, see `reasonLabel`). */
    decided(decided: Decided): void {
        const { metrics } = this.#options;
        metrics.decisions.inc({ tier: decided.tier.name, reason: reasonLabel(decided.reason) });
        if (decided.cascadeTo !== null)
            metrics.cascadeDecisions.inc({ tier: decided.tier.name, cascade_to: decided.cascadeTo });
        if (decided.shadow) {
            const { decision, incumbentTier } = decided.shadow;
            metrics.shadowDecisions.inc({
                incumbent_tier: incumbentTier,
                candidate_tier: decision.tier,
                agrees: String(decision.tier === incumbentTier),
            });
        }
    }

    /** The request's cache keys, or undefined when the cache is off or the request bypasses it. */
    cacheKeys(request: RouteContext["request"], decided: Decided): CacheKeys | undefined {
        if (!this.#options.cache || request.hints?.no_cache === true) return undefined;
        // Fields and content of the caller's own protocol that the normalized request (the key) cannot
        // tell apart: two requests differing only in an image would share a key.
        const native = request.native;
        if (native !== undefined && (native.extras.length > 0 || native.only !== undefined)) return undefined;
        return cacheKeys(request, decided.features.namespace, decided.tier.name, request.max_tokens);
    }

    /** Looks the request up in the cache and notes the result on its context. */
    lookup(ctx: RouteContext): CachedAnswer | undefined {
        const { cache, metrics } = this.#options;
        if (!cache || !ctx.cacheKeys) return undefined;
        const hit = cache.lookup(ctx.cacheKeys);
        metrics.cacheLookups.inc({
            result: !hit ? "miss" : hit.match === "exact" ? "hit_exact" : "hit_near",
        });
        if (!hit) return undefined;
        ctx.cache = "hit";
        ctx.cacheMatch = hit.match;
        return hit.answer;
    }

    retry(target: ResolvedTarget): void {
        this.#options.metrics.retries.inc({ provider: target.provider.id, model: target.model });
    }

    firstToken(target: ResolvedTarget, ttftMs: number): void {
        this.#options.metrics.attemptTimeToFirstToken.observe(
            { provider: target.provider.id, model: target.model },
            ttftMs / 1000,
        );
    }

    /** A cascade rejected the tier's answer: the bandit learns it for the request's feedback signature. */
    rejected(ctx: RouteContext, target: ResolvedTarget): void {
        this.#options.bandit?.record(ctx.decided.signature, target.tierIndex, "rejected");
    }

    /** A request served from the cache. */
    hit(ctx: RouteContext, cached: CachedAnswer): RoutingRecord {
        const routing = this.#record(ctx, {
            tier: cached.tier,
            provider: cached.provider,
            model_used: cached.model,
            cost_usd: 0,
            usage: cached.result.usage,
        });
        const tierIndex = this.#options.policy.tierIndex.get(cached.tier);
        if (tierIndex !== undefined)
            this.#options.bandit?.register(ctx.requestId, ctx.decided.signature, tierIndex);
        this.#emit(routing);
        return routing;
    }

    /** A request answered by a provider: the session's pin, the bandit, the cache, cost and metrics. */
    ok(ctx: RouteContext, answered: Answered<unknown>, result: CompletionResult): RoutingRecord {
        const { affinity, bandit, cache, metrics } = this.#options;
        const { target, planIndex } = answered;
        const { decided, request } = ctx;
        let escalated = false;
        let escalatedFrom: string | null = null;
        const session = request.hints?.session_id;
        // A cascade escalation ratchets the session up to the tier it escalated to.
        const pinTier = ctx.escalatedTo ?? decided.tier;
        if (affinity && session !== undefined) {
            const update = affinity.record(
                session,
                {
                    tier: pinTier.name,
                    tierIndex: pinTier.index,
                    reason: ctx.escalatedTo
                        ? `cascade:${ctx.cascade.findLast((c) => c.failed_check !== null)?.failed_check ?? ""}`
                        : decided.policyReason,
                },
                target.tierIndex === pinTier.index
                    ? { provider: target.provider.id, model: target.model }
                    : undefined,
            );
            escalated = update.escalated;
            escalatedFrom = update.from;
        }
        if (ctx.escalatedTo) {
            escalatedFrom = escalated ? escalatedFrom : ctx.escalatedFrom;
            escalated = true;
        }
        bandit?.register(ctx.requestId, decided.signature, target.tierIndex);
        this.#observeVersions(ctx);
        this.#options.versions?.register(
            ctx.requestId,
            target.key,
            decided.signature,
            answered.attempt.model_version,
        );
        if (cache && ctx.cacheKeys && cacheable(ctx, target, result)) {
            // A provider's own answer body is not kept: a hit is replayed from the normalized answer.
            const { native: _native, ...normalized } = result;
            cache.store(ctx.cacheKeys, {
                result: normalized,
                tier: target.tier,
                provider: target.provider.id,
                model: target.model,
            });
        }
        const cost = costUsd(target.price, result.usage);
        const mirror = this.#options.mirror?.sample(ctx, target.tier, target.key);
        const routing = this.#record(ctx, {
            tier: target.tier,
            provider: target.provider.id,
            // The configured model; a local target configured as "" (the server's target) names what answered.
            model_used: target.model === "" ? result.model : target.model,
            fallback: planIndex > 0,
            cost_usd: cost,
            usage: result.usage,
            escalated,
            escalated_from: escalatedFrom,
            mirror: mirror?.note ?? null,
        });
        if (planIndex > 0) metrics.fallbacks.inc({ from_tier: decided.tier.name, to_tier: target.tier });
        if (escalated) metrics.escalations.inc({ from_tier: escalatedFrom ?? "none", to_tier: pinTier.name });
        if (cost !== null && cost > 0) metrics.cost.inc({ tier: target.tier, model: target.model }, cost);
        this.#emit(routing);
        // After the served record: the mirrored call's record follows it in the log.
        mirror?.send(routing, result);
        return routing;
    }

    /** A request that produced no answer: records it and returns the error to throw to the caller. */
    failure(ctx: RouteContext, error: unknown): ServiceError {
        const failure =
            error instanceof ExecFailure
                ? error
                : error instanceof ServiceError
                  ? new ExecFailure(error.code, error.message, error.retryable, error)
                  : new ExecFailure(
                        ErrorCode.Internal,
                        error instanceof Error ? error.message : String(error),
                        false,
                    );
        this.#observeVersions(ctx);
        const routing = this.#record(ctx, { outcome: "error", error_code: failure.code });
        this.#emit(routing);
        return new RouteFailedError(failure.code, failure.summary, routing, {
            retryable: failure.retryable,
            cause: failure.cause,
            redact: this.#options.redact,
        });
    }

    #record(ctx: RouteContext, fields: Partial<RoutingRecord>): RoutingRecord {
        const { decided, request } = ctx;
        const record: RoutingRecord = {
            request_id: ctx.requestId,
            timestamp: ctx.timestamp,
            tier: null,
            provider: null,
            model_used: null,
            decided_tier: decided.tier.name,
            routing_reason: decided.reason,
            policy_reason: decided.policyReason,
            classifier_score: decided.score,
            cascade_to: decided.cascadeTo,
            policy_version:
                decided.canary === "candidate"
                    ? (this.#options.canary?.candidatePolicyVersion ?? this.#options.policyVersion)
                    : this.#options.policyVersion,
            prompt_version: request.hints?.prompt_version ?? null,
            attempts: ctx.attempts,
            fallback: false,
            cost_usd: null,
            usage: null,
            cache: ctx.cache,
            cache_match: ctx.cacheMatch,
            escalated: false,
            escalated_from: null,
            cascade: ctx.cascade,
            hedge: ctx.hedge,
            version_shift: decided.versionShift,
            session_id: request.hints?.session_id ?? null,
            namespace: decided.features.namespace,
            task_type: decided.features.taskType ?? null,
            tags: decided.features.tags,
            stream: ctx.stream,
            latency_ms: roundMs(this.#options.now() - ctx.startedAt),
            ttft_ms: ctx.ttftMs,
            outcome: "ok",
            error_code: null,
            shadow: null,
            canary: null,
            mirror: null,
            mirrored: null,
            ...fields,
        };
        record.shadow = this.#shadow(ctx, record);
        const canary = this.#options.canary?.canary;
        if (canary && decided.canary !== null) record.canary = canary.observe(decided.canary, record);
        return record;
    }

    /**
     * The attempts as the model versions' error and TTFT samples on the request's signature: an answer
     * passes, a provider-side failure (a breaker failure code, a timeout) fails; cancels, skips and
     * hedge losers say nothing about the version.
     */
    #observeVersions(ctx: RouteContext): void {
        const versions = this.#options.versions;
        if (!versions) return;
        const signature = ctx.decided.signature;
        for (const a of ctx.attempts) {
            const target = `${a.provider}/${a.model}`;
            if (a.outcome === "ok" || a.outcome === "rejected") {
                versions.observe(target, signature, a.model_version, "error", false);
                if (a.ttft_ms !== null)
                    versions.observe(target, signature, a.model_version, "ttft", a.ttft_ms);
            } else if (
                a.outcome === "timeout" ||
                (a.outcome === "error" &&
                    a.error_code !== null &&
                    this.#options.failureCodes?.has(a.error_code))
            ) {
                versions.observe(target, signature, a.model_version, "error", true);
            }
        }
    }

    /** The shadow candidate's decision for the record, with its predicted cost for the served answer. */
    #shadow(ctx: RouteContext, record: RoutingRecord): ShadowRecord | null {
        const shadow = this.#options.shadow;
        const decided = ctx.decided.shadow;
        if (!shadow || !decided) return null;
        const { decision, incumbentTier } = decided;
        const first = shadow.tiers.find((t) => t.name === decision.tier)?.targets[0];
        const priced = record.usage !== null && record.cache !== "hit" && first !== undefined;
        return {
            policy_version: shadow.policyVersion,
            tier: decision.tier,
            reason: decision.reason,
            incumbent_tier: incumbentTier,
            agrees: decision.tier === incumbentTier,
            predicted_cost_usd: priced ? costUsd(first.price, record.usage!) : null,
        };
    }

    #emit(record: RoutingRecord): void {
        const { log, metrics } = this.#options;
        log.write(record);
        metrics.requests.inc({ tier: record.tier ?? "none", outcome: record.outcome });
        metrics.requestDuration.observe({ tier: record.tier ?? "none" }, record.latency_ms / 1000);
        for (const a of record.attempts)
            metrics.attempts.inc({ provider: a.provider, model: a.model, outcome: a.outcome });
        if (record.hedge) {
            metrics.hedges.inc({ outcome: record.hedge.outcome });
            const lost = record.attempts.find((a) => a.outcome === "hedge_lost");
            const cost = record.hedge.lost_cost_usd;
            if (lost && cost !== null && cost > 0)
                metrics.cost.inc({ tier: lost.tier, model: lost.model }, cost);
        }
    }
}

/**
 * Whether a served answer may be stored in the response cache: only a full answer, at or above the
 * decided tier, that passed every cascade check it was given. Degraded answers are served but never
 * cached, so a repeated request gets a fresh try once the cause is gone:
 * - a fallback from a lower tier than decided (the decided tier was down);
 * - a truncated answer (`stop_reason: "max_tokens"`);
 * - an answer that failed its cascade check and was served because nothing above answered;
 * - a stream released unchecked (longer than `streamHoldChars`), which complete() would have checked.
 */
export function cacheable(ctx: RouteContext, target: ResolvedTarget, result: CompletionResult): boolean {
    if (target.tierIndex < ctx.decided.tier.index) return false;
    if (result.stop_reason === "max_tokens") return false;
    // A served answer's cascade record has no escalation; it must have been checked and passed.
    return ctx.cascade.every((c) => c.escalated_to !== null || (c.checked && c.failed_check === null));
}

/**
 * A routing reason as a metrics label: its source, from a closed set. Rule and classifier names come from
 * the config and stay; a feedback reason's feedback signature comes from the request and is dropped, so a
 * caller cannot mint label values (`feedback:completion|s` → `feedback`, `escalation:feedback:…` →
 * `escalation:feedback`).
 */
export function reasonLabel(reason: string): string {
    if (reason.startsWith("escalation:"))
        return `escalation:${reasonLabel(reason.slice("escalation:".length))}`;
    return reason.startsWith("feedback:") ? "feedback" : reason;
}

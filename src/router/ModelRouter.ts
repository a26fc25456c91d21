/**
 * The in-process router: request → decision (policy + classifier seam + session affinity) → response
 * cache → route plan → attempts (executePlan.ts) → routing record (log, metrics, returned). The parts
 * hold the logic; this class wires them per request and owns the per-request deadline and cancel.
 *
 *   complete(): validate → decide → cache lookup → runPlan(unary attempts) → record → cache store
 *   stream():   validate → decide → cache lookup (replayed as events) → runPlan(primed streams)
 *               → forward the committed stream (never retried) → record on message_end → cache store
 *
 * Cascades (router/cascade/): when the answering tier has a `cascade`, its answer is checked before it
 * is served and a failure re-runs the plan from the next tier up (at most `cascade.maxEscalations`
 * times). A stream is checked only if its whole answer fits the tier's `streamHoldChars`: it is held
 * back until then, so nothing reaches the caller before the check (this costs time to first token);
 * a longer answer is released unchecked, and once anything was released it is never escalated.
 *
 * Feedback (router/feedback/): every answered request can be rated once with `feedback(requestId,
 * outcome)`; per task signature the bandit then starts a failing signature one tier higher.
 */
import { randomUUID } from "node:crypto";
import type { Registry } from "prom-client";
import { ErrorCode } from "../errors/codes.js";
import { AbortedError, InvalidArgumentError, ServiceError } from "../errors/ServiceError.js";
import { createRouterMetrics, type RouterMetrics } from "../metrics/metrics.js";
import type { Provider } from "../providers/Provider.js";
import { toAbortedError } from "../util/abort.js";
import type { Logger } from "../util/logger.js";
import { cacheKeys, type CacheKeys } from "./cacheKey.js";
import { CircuitBreaker, type BreakerSnapshot, type BreakerState } from "./CircuitBreaker.js";
import { StreamCollector } from "./collectStream.js";
import type { RouterConfig } from "./config.js";
import { costUsd } from "./cost.js";
import { createRedactor } from "./redact.js";
import {
    abortFailure,
    ExecFailure,
    primeStream,
    recordFailure,
    roundMs,
    runPlan,
    settleFailure,
    unaryAttempt,
    type Answered,
    type ExecEnv,
    type PrimedStream,
    type RequestScope,
} from "./executePlan.js";
import { checkAnswer, type CascadeVerdict } from "./cascade/checkAnswer.js";
import type { CascadeConfig } from "./config.js";
import { extractFeatures, type RequestFeatures } from "./features.js";
import { FeedbackBandit, feedbackOutcomes, type FeedbackOutcome } from "./feedback/FeedbackBandit.js";
import { FeedbackStore } from "./feedback/FeedbackStore.js";
import { taskSignature } from "./feedback/taskSignature.js";
import { buildPlan, resolveTiers, type ResolvedTarget, type ResolvedTier } from "./plan.js";
import { compilePolicy, decideTier, matchRules, type ResolvedPolicy } from "./policy.js";
import { validateChatRequest } from "../chat/chatRequestSchema.js";
import { ResponseCache, type CachedAnswer } from "./ResponseCache.js";
import { RouteFailedError } from "./RouteFailedError.js";
import type { ClassifierVerdict, RoutingClassifier } from "./RoutingClassifier.js";
import { RoutingLog } from "./RoutingLog.js";
import { SessionAffinity, type SessionPin } from "./SessionAffinity.js";
import type { ChatRequest, CompletionResult, ProviderStreamEvent } from "../chat/types.js";
import type {
    AttemptRecord,
    CascadeRecord,
    ChatResponse,
    RouteOptions,
    RouterStreamEvent,
    RoutingRecord,
} from "./types.js";

/** What the router decided for a request, before anything is sent (see `Router.decide`). */
export interface RouteDecision {
    /** The tier the request goes to first. */
    tier: string;
    routing_reason: string;
    /** The policy's own reason (before session affinity). */
    policy_reason: string;
    /** The classifier's score when it decided, else null. */
    classifier_score: number | null;
    /** The plan: targets in the order they would be tried, with their breaker state. */
    targets: { tier: string; provider: string; model: string; breaker: BreakerState | null }[];
}

/** One provider/model's breaker, as the API and the metrics expose it. */
export interface TargetHealth extends BreakerSnapshot {
    provider: string;
    model: string;
}

export interface Router {
    /** Routes one request and returns the whole answer with its routing record. */
    complete(request: ChatRequest, options?: RouteOptions): Promise<ChatResponse>;
    /** Routes one request and streams the answer; the last event (`message_end`) carries the routing record. */
    stream(request: ChatRequest, options?: RouteOptions): AsyncIterable<RouterStreamEvent>;
    /** The decision and plan for a request without sending it (no side effects). */
    decide(request: ChatRequest): RouteDecision | Promise<RouteDecision>;
    /** Every provider/model breaker's state (empty when breakers are disabled). */
    breakers(): TargetHealth[];
    /** A session's live pin. */
    session(sessionId: string): Readonly<SessionPin> | undefined;
    /** Drops cached answers of one namespace (or all); returns how many. */
    clearCache(namespace?: string): number;
    /**
     * Rates an answered request once (`accepted`, `retried`, `tests_failed` or `rejected`): the outcome
     * updates its task signature's tier preferences. Throws E_FEEDBACK_UNKNOWN_REQUEST for an id this
     * router cannot rate (unknown, failed, already rated or evicted), E_INVALID_ARGUMENT for an unknown
     * outcome or when `feedback.enabled` is off.
     */
    feedback(requestId: string, outcome: FeedbackOutcome): FeedbackReceipt;
    /** The registry the router's metrics live in. */
    readonly registry: Registry;
    readonly config: RouterConfig;
    /** Cancels in-flight requests, closes providers and the routing log. */
    close(): Promise<void>;
}

/** What a rating was recorded against. */
export interface FeedbackReceipt {
    /** The request's task signature, e.g. `completion|s`. */
    signature: string;
    /** The tier whose answer was rated. */
    tier: string;
}

export interface ModelRouterDeps {
    config: RouterConfig;
    providers: ReadonlyMap<string, Provider>;
    registry: Registry;
    logger: Logger;
    classifier: RoutingClassifier | undefined;
    onRecord: ((record: RoutingRecord, line: string) => void) | undefined;
    secrets: readonly string[];
    now: () => number;
    sleep: (ms: number, signal: AbortSignal) => Promise<void>;
    random: () => number;
    /** Wall-clock ms for feedback decay (it must survive restarts). Defaults to `Date.now`. */
    wallNow?: () => number;
}

interface Decided {
    features: RequestFeatures;
    /** The feedback task signature (feedback/taskSignature.ts). */
    signature: string;
    tier: ResolvedTier;
    reason: string;
    policyReason: string;
    policyTierIndex: number;
    score: number | null;
    plan: ResolvedTarget[];
}

/** Per-request bookkeeping that ends up in the routing record. */
interface RouteContext {
    requestId: string;
    timestamp: string;
    startedAt: number;
    request: ChatRequest & { max_tokens: number };
    decided: Decided;
    stream: boolean;
    attempts: AttemptRecord[];
    cache: RoutingRecord["cache"];
    cacheMatch: RoutingRecord["cache_match"];
    cacheKeys: CacheKeys | undefined;
    ttftMs: number | null;
    cascade: CascadeRecord[];
    /** Cascade escalations so far. */
    escalations: number;
    /** The tier the first rejected answer came from; null until a cascade escalated. */
    escalatedFrom: string | null;
    /** The highest tier a cascade escalated to; the session's pin moves there. */
    escalatedTo: ResolvedTier | undefined;
}

interface Scope extends RequestScope {
    dispose: () => void;
}

export class ModelRouter implements Router {
    readonly registry: Registry;
    readonly config: RouterConfig;
    readonly #d: ModelRouterDeps;
    readonly #policy: ResolvedPolicy;
    readonly #tiers: ResolvedTier[];
    readonly #breakers = new Map<string, { provider: string; model: string; breaker: CircuitBreaker }>();
    readonly #affinity: SessionAffinity | undefined;
    readonly #cache: ResponseCache | undefined;
    readonly #log: RoutingLog;
    readonly #metrics: RouterMetrics;
    readonly #env: ExecEnv;
    readonly #active = new Set<AbortController>();
    /** Per tier index: its cascade, when it has one. */
    readonly #cascades: readonly (CascadeConfig | undefined)[];
    readonly #confidenceTiers: ReadonlySet<number>;
    readonly #bandit: FeedbackBandit | undefined;
    readonly #feedbackStore: FeedbackStore | undefined;
    #saveTimer: NodeJS.Timeout | undefined;
    #closed = false;

    constructor(deps: ModelRouterDeps) {
        this.#d = deps;
        const { config } = deps;
        this.config = config;
        this.registry = deps.registry;
        this.#metrics = createRouterMetrics(deps.registry, () =>
            [...this.#breakers.values()].map((b) => ({
                provider: b.provider,
                model: b.model,
                state: b.breaker.state,
            })),
        );
        this.#policy = compilePolicy(config);
        this.#tiers = resolveTiers(config, {
            providers: deps.providers,
            breakerFor: (p, m) => this.#breakerFor(p, m),
        });
        const now = deps.now;
        this.#cascades = config.tiers.map((t) => t.cascade);
        this.#confidenceTiers = new Set(
            config.tiers.flatMap((t, i) => (t.cascade?.minMeanLogprob === undefined ? [] : [i])),
        );
        const fb = config.feedback;
        if (fb.enabled) {
            this.#bandit = new FeedbackBandit({
                ...fb,
                tiers: config.tiers.map((t) => t.name),
                now: deps.wallNow ?? Date.now,
            });
            if (fb.statePath !== null) {
                const store = new FeedbackStore(fb.statePath, deps.logger);
                store.load(this.#bandit);
                this.#feedbackStore = store;
                const bandit = this.#bandit;
                this.#saveTimer = setInterval(() => void store.save(bandit), fb.saveIntervalMs);
                this.#saveTimer.unref();
            }
        }
        if (config.affinity.enabled) this.#affinity = new SessionAffinity({ ...config.affinity, now });
        if (config.cache.enabled) this.#cache = new ResponseCache({ ...config.cache, now });
        const redact = createRedactor(deps.secrets);
        this.#log = new RoutingLog({
            path: config.records.path,
            redact,
            onRecord: deps.onRecord,
            onError: (error) => {
                deps.logger.error("routing log write failed", {
                    path: config.records.path,
                    error: error.message,
                });
            },
        });
        const r = config.reliability;
        this.#env = {
            now,
            sleep: deps.sleep,
            random: deps.random,
            fallbackOn: new Set(r.fallbackOn),
            breakerFailureCodes: new Set(config.breaker.failureCodes),
            backoffBaseMs: r.backoffBaseMs,
            backoffMaxMs: r.backoffMaxMs,
            maxRetryAfterMs: r.maxRetryAfterMs,
            redact,
            onRetry: (target) => {
                this.#metrics.retries.inc({ provider: target.provider.id, model: target.model });
            },
        };
    }

    #breakerFor(provider: string, model: string): CircuitBreaker | undefined {
        const b = this.#d.config.breaker;
        if (!b.enabled) return undefined;
        const key = `${provider}/${model}`;
        const existing = this.#breakers.get(key);
        if (existing) return existing.breaker;
        const breaker = new CircuitBreaker({
            ...b,
            now: this.#d.now,
            onTransition: (from, to, trip) => {
                this.#metrics.breakerTransitions.inc({
                    provider,
                    model,
                    state: to,
                    trip: to === "open" ? (trip ?? "none") : "none",
                });
                const fields = { provider, model, from, to, trip };
                if (to === "open") this.#d.logger.warn("circuit breaker opened", fields);
                else this.#d.logger.info("circuit breaker state changed", fields);
            },
        });
        this.#breakers.set(key, { provider, model, breaker });
        return breaker;
    }

    // ---- decision --------------------------------------------------------------------------------

    #forcedTier(request: ChatRequest): string | undefined {
        const tier = request.hints?.tier;
        if (tier === undefined) return undefined;
        if (!this.#policy.tierIndex.has(tier)) {
            throw new InvalidArgumentError(
                `hints.tier "${tier}" is not a configured tier (tiers: ${this.#policy.tiers.join(", ")})`,
            );
        }
        return tier;
    }

    #decide(request: ChatRequest, touch: boolean): Decided | Promise<Decided> {
        const features = extractFeatures(request);
        const forced = this.#forcedTier(request);
        const classifier = this.#d.classifier;
        if (classifier && forced === undefined && !matchRules(features, this.#policy)) {
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
        return this.#decideWith(request, features, forced, undefined, touch);
    }

    #classifierFailed(error: unknown): void {
        this.#d.logger.warn("routing classifier failed; using the default tier", {
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
        const policy = decideTier(features, this.#policy, forced, verdict);
        let policyTierIndex = this.#policy.tierIndex.get(policy.tier)!;
        let decisionReason = policy.reason;
        const signature = taskSignature(features);
        // Rules and forced tiers are certain; feedback only moves the classifier's or the default's choice.
        const certain = policy.reason === "hint:tier" || policy.reason.startsWith("rule:");
        if (!certain && this.#bandit?.prefersHigher(signature, policyTierIndex) === true) {
            policyTierIndex++;
            decisionReason = `feedback:${signature}`;
        }
        const session = request.hints?.session_id;
        const pin =
            session === undefined || !this.#affinity
                ? undefined
                : touch
                  ? this.#affinity.get(session)
                  : this.#affinity.peek(session);
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
        const tier = this.#tiers[tierIndex]!;
        return {
            features,
            signature,
            tier,
            reason,
            policyReason: policy.reason,
            policyTierIndex,
            score: policy.score,
            plan: buildPlan(this.#tiers, tierIndex, pinned),
        };
    }

    decide(input: ChatRequest): RouteDecision | Promise<RouteDecision> {
        const request = validateChatRequest(input);
        const describe = (d: Decided): RouteDecision => ({
            tier: d.tier.name,
            routing_reason: d.reason,
            policy_reason: d.policyReason,
            classifier_score: d.score,
            targets: d.plan.map((t) => ({
                tier: t.tier,
                provider: t.provider.id,
                model: t.model,
                breaker: t.breaker?.state ?? null,
            })),
        });
        const decided = this.#decide(request, false);
        return decided instanceof Promise ? decided.then(describe) : describe(decided);
    }

    // ---- requests --------------------------------------------------------------------------------

    async #begin(input: ChatRequest, stream: boolean): Promise<RouteContext> {
        if (this.#closed)
            throw new ServiceError(ErrorCode.NotReady, "the router is closed", { retryable: false });
        const startedAt = this.#d.now();
        const timestamp = new Date().toISOString();
        const validated = validateChatRequest(input);
        const request = { ...validated, max_tokens: validated.max_tokens ?? this.config.defaults.maxTokens };
        const decided = await this.#decide(request, true);
        this.#metrics.decisions.inc({ tier: decided.tier.name, reason: decided.reason });
        const useCache = this.#cache !== undefined && request.hints?.no_cache !== true;
        return {
            requestId: randomUUID(),
            timestamp,
            startedAt,
            request,
            decided,
            stream,
            attempts: [],
            cache: useCache ? "miss" : "bypass",
            cacheMatch: null,
            cacheKeys: useCache
                ? cacheKeys(request, decided.features.namespace, decided.tier.name, request.max_tokens)
                : undefined,
            ttftMs: null,
            cascade: [],
            escalations: 0,
            escalatedFrom: null,
            escalatedTo: undefined,
        };
    }

    #lookup(ctx: RouteContext): CachedAnswer | undefined {
        if (!this.#cache || !ctx.cacheKeys) return undefined;
        const hit = this.#cache.lookup(ctx.cacheKeys);
        this.#metrics.cacheLookups.inc({
            result: !hit ? "miss" : hit.match === "exact" ? "hit_exact" : "hit_near",
        });
        if (!hit) return undefined;
        ctx.cache = "hit";
        ctx.cacheMatch = hit.match;
        return hit.answer;
    }

    #scope(ctx: RouteContext, options: RouteOptions): Scope {
        const controller = new AbortController();
        const timeoutMs = options.timeoutMs ?? this.config.reliability.requestTimeoutMs;
        const timer = setTimeout(() => {
            controller.abort(new DOMException("deadline exceeded", "TimeoutError"));
        }, timeoutMs);
        timer.unref();
        const caller = options.signal;
        const onCallerAbort = (): void => {
            controller.abort(caller?.reason);
        };
        if (caller?.aborted === true) onCallerAbort();
        else caller?.addEventListener("abort", onCallerAbort, { once: true });
        this.#active.add(controller);
        return {
            request: ctx.request,
            signal: controller.signal,
            deadlineAt: ctx.startedAt + timeoutMs,
            attempts: ctx.attempts,
            confidenceTiers: this.#confidenceTiers,
            dispose: () => {
                clearTimeout(timer);
                caller?.removeEventListener("abort", onCallerAbort);
                this.#active.delete(controller);
            },
        };
    }

    async complete(input: ChatRequest, options: RouteOptions = {}): Promise<ChatResponse> {
        const ctx = await this.#begin(input, false);
        const cached = this.#lookup(ctx);
        if (cached) return { ...cached.result, routing: this.#finishHit(ctx, cached) };
        const scope = this.#scope(ctx, options);
        let answered: Answered<CompletionResult>;
        try {
            let plan = ctx.decided.plan;
            let rejected: Answered<CompletionResult> | undefined;
            for (;;) {
                let next: Answered<CompletionResult>;
                try {
                    next = await runPlan(plan, scope, this.#env, (target, permit) =>
                        unaryAttempt(scope, target, permit, this.#env),
                    );
                } catch (error) {
                    if (!rejected || scope.signal.aborted) throw error;
                    answered = this.#serveRejected(ctx, rejected);
                    break;
                }
                const cascade = this.#cascadeFor(ctx, next.target);
                const escalation =
                    cascade && this.#judge(ctx, next, next.value, await this.#check(cascade, next.value));
                if (!escalation) {
                    answered = next;
                    break;
                }
                rejected = next;
                plan = escalation;
            }
        } catch (error) {
            throw this.#finishFailure(ctx, error);
        } finally {
            scope.dispose();
        }
        const routing = this.#finishOk(ctx, answered, answered.value);
        return { ...answered.value, routing };
    }

    // ---- cascades --------------------------------------------------------------------------------

    /** The cascade that applies to an answer from `target`, when an escalation is still possible. */
    #cascadeFor(ctx: RouteContext, target: ResolvedTarget): CascadeConfig | undefined {
        const cascade = this.#cascades[target.tierIndex];
        if (!cascade || ctx.escalations >= this.config.cascade.maxEscalations) return undefined;
        return target.tierIndex + 1 < this.#tiers.length ? cascade : undefined;
    }

    async #check(cascade: CascadeConfig, result: CompletionResult): Promise<CascadeVerdict> {
        try {
            return await checkAnswer(cascade, result);
        } catch (error) {
            // A checker that cannot run (e.g. the TypeScript compiler failed to load) is no evidence.
            this.#d.logger.warn("cascade check failed to run; serving the answer", {
                error: error instanceof Error ? error.message : String(error),
            });
            return { passed: true };
        }
    }

    /**
     * Records a cascade verdict. On a failure: the attempt becomes `rejected`, the bandit learns it, and
     * the plan to escalate to is returned (only tiers above the rejected one: falling back to it, or
     * below, would serve what was just rejected).
     */
    #judge(
        ctx: RouteContext,
        answered: Answered<unknown>,
        result: CompletionResult | undefined,
        verdict: CascadeVerdict,
    ): ResolvedTarget[] | undefined {
        const { target, attempt } = answered;
        const record: CascadeRecord = {
            tier: target.tier,
            provider: target.provider.id,
            model: target.model,
            checked: true,
            failed_check: verdict.passed ? null : verdict.check,
            detail: verdict.passed ? null : this.#env.redact(verdict.detail),
            stop_reason: result?.stop_reason ?? null,
            acceptance_rate: result?.signals?.acceptance_rate ?? null,
            mean_logprob: result?.signals?.mean_logprob ?? null,
            escalated_to: null,
        };
        ctx.cascade.push(record);
        if (verdict.passed) return undefined;
        const up = this.#tiers[target.tierIndex + 1]!;
        record.escalated_to = up.name;
        if (attempt.outcome === "ok") {
            attempt.outcome = "rejected";
            attempt.message = `${verdict.check}: ${record.detail ?? ""}`;
        }
        ctx.escalations++;
        ctx.escalatedFrom ??= target.tier;
        ctx.escalatedTo = up;
        this.#bandit?.record(ctx.decided.signature, target.tierIndex, "rejected");
        return buildPlan(this.#tiers, up.index).filter((t) => t.tierIndex > target.tierIndex);
    }

    /** The escalation found no answer: the rejected one is served after all (better than none). */
    #serveRejected<T>(ctx: RouteContext, rejected: Answered<T>): Answered<T> {
        rejected.attempt.outcome = "ok";
        const record = ctx.cascade.findLast((c) => c.escalated_to !== null);
        if (record) {
            record.detail = `${record.detail ?? ""}; the escalation found no answer, so this one was served`;
            record.escalated_to = null;
        }
        return rejected;
    }

    /**
     * stream(): reads a primed stream into its head until it ends (`complete`), its text outgrows
     * `limitChars` (`released`: it will be forwarded unchecked), or it fails.
     */
    async #hold(
        primed: PrimedStream,
        limitChars: number,
    ): Promise<{ kind: "complete" | "released" } | { kind: "error"; error: unknown }> {
        let chars = 0;
        for (const event of primed.head) chars += eventChars(event);
        if (primed.head.at(-1)?.type === "message_end") return { kind: "complete" };
        for (;;) {
            if (chars > limitChars) return { kind: "released" };
            let next: IteratorResult<ProviderStreamEvent>;
            try {
                next = await primed.iterator.next();
            } catch (error) {
                return { kind: "error", error };
            }
            if (next.done === true) {
                return {
                    kind: "error",
                    error: new ServiceError(ErrorCode.ProviderStream, "stream ended without message_end", {
                        retryable: true,
                    }),
                };
            }
            primed.head.push(next.value);
            if (next.value.type === "message_end") return { kind: "complete" };
            chars += eventChars(next.value);
        }
    }

    async *stream(input: ChatRequest, options: RouteOptions = {}): AsyncGenerator<RouterStreamEvent> {
        const ctx = await this.#begin(input, true);
        const cached = this.#lookup(ctx);
        if (cached) {
            yield* this.#replay(ctx, cached);
            return;
        }
        const scope = this.#scope(ctx, options);
        let answered: Answered<PrimedStream>;
        try {
            answered = await this.#primeWithCascade(ctx, scope);
        } catch (error) {
            scope.dispose();
            throw this.#finishFailure(ctx, error);
        }
        const { value: primed, target, attempt } = answered;
        const collector = new StreamCollector();
        let finished = false;
        ctx.ttftMs = roundMs(this.#d.now() - ctx.startedAt);
        const settleAttempt = (): void => {
            attempt.latency_ms = roundMs(this.#d.now() - primed.startedAt);
        };
        const tagged = { tier: target.tier, provider: target.provider.id };
        try {
            // Every stream starts with message_start, even from a provider that forgot to send one.
            if (primed.head[0]?.type !== "message_start")
                yield { type: "message_start", model: target.model, ...tagged };
            let headIndex = 0;
            for (;;) {
                let event: ProviderStreamEvent;
                if (headIndex < primed.head.length) event = primed.head[headIndex++]!;
                else {
                    const next = await primed.iterator.next();
                    if (next.done === true)
                        throw new ServiceError(
                            ErrorCode.ProviderStream,
                            `${target.key}: stream ended without message_end`,
                            { retryable: true },
                        );
                    event = next.value;
                }
                collector.push(event);
                if (event.type === "message_end") {
                    settleAttempt();
                    primed.permit?.success();
                    finished = true;
                    const routing = this.#finishOk(ctx, answered, collector.result()!);
                    yield { ...event, routing };
                    return;
                }
                yield event.type === "message_start" ? { ...event, ...tagged } : event;
            }
        } catch (thrown) {
            if (finished) throw thrown;
            finished = true;
            settleAttempt();
            if (scope.signal.aborted) {
                attempt.outcome = "cancelled";
                attempt.error_code = toAbortedError(scope.signal).code;
                primed.permit?.release();
                throw this.#finishFailure(ctx, abortFailure(scope));
            }
            const error = primed.mapError(thrown);
            recordFailure(attempt, error, this.#env);
            settleFailure(primed.permit, error, this.#env);
            throw this.#finishFailure(
                ctx,
                new ExecFailure(
                    error.code,
                    "the stream failed after output reached the caller (not retried)",
                    error.retryable,
                    error,
                ),
            );
        } finally {
            primed.dispose();
            scope.dispose();
            if (!finished) {
                // The caller stopped reading: cancel the provider's request and record it.
                settleAttempt();
                attempt.outcome = "cancelled";
                attempt.error_code = ErrorCode.Cancelled;
                primed.permit?.release();
                primed.cancel();
                await primed.iterator.return?.().catch(() => undefined);
                this.#finishFailure(
                    ctx,
                    new ExecFailure(ErrorCode.Cancelled, "the caller stopped reading the stream", false),
                );
            }
        }
    }

    /**
     * Primes a stream; when the answering tier has a cascade, holds the answer back (nothing has reached
     * the caller yet) and checks it, escalating like complete() does. The returned stream is the one to
     * forward: checked and passed, released unchecked (longer than the hold bound), or without cascade.
     */
    async #primeWithCascade(ctx: RouteContext, scope: Scope): Promise<Answered<PrimedStream>> {
        let plan = ctx.decided.plan;
        let rejected: Answered<PrimedStream> | undefined;
        for (;;) {
            let next: Answered<PrimedStream>;
            try {
                next = await runPlan(plan, scope, this.#env, (target, permit, record) =>
                    primeStream(scope, target, permit, record, this.#env, (t, ttftMs) => {
                        this.#metrics.attemptTimeToFirstToken.observe(
                            { provider: t.provider.id, model: t.model },
                            ttftMs / 1000,
                        );
                    }),
                );
            } catch (error) {
                if (!rejected || scope.signal.aborted) throw error;
                return this.#serveRejected(ctx, rejected);
            }
            const cascade = this.#cascadeFor(ctx, next.target);
            if (!cascade || cascade.streamHoldChars === 0) return next;
            const primed = next.value;
            const held = await this.#hold(primed, cascade.streamHoldChars);
            if (held.kind === "released") {
                ctx.cascade.push({
                    tier: next.target.tier,
                    provider: next.target.provider.id,
                    model: next.target.model,
                    checked: false,
                    failed_check: null,
                    detail: `longer than streamHoldChars (${cascade.streamHoldChars}): released unchecked`,
                    stop_reason: null,
                    acceptance_rate: null,
                    mean_logprob: null,
                    escalated_to: null,
                });
                return next;
            }
            let escalation: ResolvedTarget[] | undefined;
            next.attempt.latency_ms = roundMs(this.#d.now() - primed.startedAt);
            if (held.kind === "error") {
                // Nothing was released: a broken held stream is a failed attempt that may still escalate.
                if (scope.signal.aborted) {
                    next.attempt.outcome = "cancelled";
                    next.attempt.error_code = toAbortedError(scope.signal).code;
                    primed.permit?.release();
                    primed.dispose();
                    throw abortFailure(scope);
                }
                const error = primed.mapError(held.error);
                recordFailure(next.attempt, error, this.#env);
                settleFailure(primed.permit, error, this.#env);
                primed.dispose();
                escalation = this.#judge(ctx, next, undefined, {
                    passed: false,
                    check: "stream_error",
                    detail: error.message,
                });
                plan = escalation!;
                continue;
            }
            const collector = new StreamCollector();
            for (const event of primed.head) collector.push(event);
            const result = collector.result()!;
            escalation = this.#judge(ctx, next, result, await this.#check(cascade, result));
            if (!escalation) return next;
            // The target answered; the answer was not good enough. Its permit is settled as a success
            // now, and the held events stay in `head` in case it is served after all.
            primed.permit?.success();
            primed.permit = undefined;
            primed.dispose();
            rejected = next;
            plan = escalation;
        }
    }

    /** A cached answer as a stream: the same events a provider stream would give. */
    *#replay(ctx: RouteContext, cached: CachedAnswer): Generator<RouterStreamEvent> {
        ctx.ttftMs = roundMs(this.#d.now() - ctx.startedAt);
        yield {
            type: "message_start",
            model: cached.result.model,
            tier: cached.tier,
            provider: cached.provider,
        };
        const { result } = cached;
        for (const [index, part] of result.content.entries()) {
            if (part.type === "text") yield { type: "text_delta", index, text: part.text };
        }
        const routing = this.#finishHit(ctx, cached);
        yield {
            type: "message_end",
            stop_reason: result.stop_reason,
            stop_sequence: result.stop_sequence,
            usage: result.usage,
            routing,
        };
    }

    // ---- records ---------------------------------------------------------------------------------

    #record(ctx: RouteContext, fields: Partial<RoutingRecord>): RoutingRecord {
        const { decided, request } = ctx;
        return {
            request_id: ctx.requestId,
            timestamp: ctx.timestamp,
            tier: null,
            provider: null,
            model_used: null,
            decided_tier: decided.tier.name,
            routing_reason: decided.reason,
            policy_reason: decided.policyReason,
            classifier_score: decided.score,
            attempts: ctx.attempts,
            fallback: false,
            cost_usd: null,
            usage: null,
            cache: ctx.cache,
            cache_match: ctx.cacheMatch,
            escalated: false,
            escalated_from: null,
            cascade: ctx.cascade,
            session_id: request.hints?.session_id ?? null,
            namespace: decided.features.namespace,
            task_type: decided.features.taskType ?? null,
            tags: decided.features.tags,
            stream: ctx.stream,
            latency_ms: roundMs(this.#d.now() - ctx.startedAt),
            ttft_ms: ctx.ttftMs,
            outcome: "ok",
            error_code: null,
            ...fields,
        };
    }

    #emit(record: RoutingRecord): void {
        this.#log.write(record);
        const m = this.#metrics;
        m.requests.inc({ tier: record.tier ?? "none", outcome: record.outcome });
        m.requestDuration.observe({ tier: record.tier ?? "none" }, record.latency_ms / 1000);
        for (const a of record.attempts)
            m.attempts.inc({ provider: a.provider, model: a.model, outcome: a.outcome });
    }

    #finishHit(ctx: RouteContext, cached: CachedAnswer): RoutingRecord {
        const routing = this.#record(ctx, {
            tier: cached.tier,
            provider: cached.provider,
            model_used: cached.model,
            cost_usd: 0,
            usage: cached.result.usage,
        });
        const tierIndex = this.#policy.tierIndex.get(cached.tier);
        if (tierIndex !== undefined) this.#bandit?.register(ctx.requestId, ctx.decided.signature, tierIndex);
        this.#emit(routing);
        return routing;
    }

    #finishOk(ctx: RouteContext, answered: Answered<unknown>, result: CompletionResult): RoutingRecord {
        const { target, planIndex } = answered;
        const { decided, request } = ctx;
        let escalated = false;
        let escalatedFrom: string | null = null;
        const session = request.hints?.session_id;
        // A cascade escalation ratchets the session up to the tier it escalated to.
        const pinTier = ctx.escalatedTo ?? decided.tier;
        if (this.#affinity && session !== undefined) {
            const update = this.#affinity.record(
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
        this.#bandit?.register(ctx.requestId, decided.signature, target.tierIndex);
        if (this.#cache && ctx.cacheKeys && cacheable(ctx, target, result)) {
            this.#cache.store(ctx.cacheKeys, {
                result,
                tier: target.tier,
                provider: target.provider.id,
                model: target.model,
            });
        }
        const cost = costUsd(target.price, result.usage);
        const routing = this.#record(ctx, {
            tier: target.tier,
            provider: target.provider.id,
            model_used: target.model,
            fallback: planIndex > 0,
            cost_usd: cost,
            usage: result.usage,
            escalated,
            escalated_from: escalatedFrom,
        });
        const m = this.#metrics;
        if (planIndex > 0) m.fallbacks.inc({ from_tier: decided.tier.name, to_tier: target.tier });
        if (escalated) m.escalations.inc({ from_tier: escalatedFrom ?? "none", to_tier: pinTier.name });
        if (cost !== null && cost > 0) m.cost.inc({ tier: target.tier, model: target.model }, cost);
        this.#emit(routing);
        return routing;
    }

    #finishFailure(ctx: RouteContext, error: unknown): ServiceError {
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
        const routing = this.#record(ctx, { outcome: "error", error_code: failure.code });
        this.#emit(routing);
        return new RouteFailedError(failure.code, failure.summary, routing, {
            retryable: failure.retryable,
            cause: failure.cause,
        });
    }

    // ---- inspection and shutdown -----------------------------------------------------------------

    breakers(): TargetHealth[] {
        return [...this.#breakers.values()].map((b) => ({
            provider: b.provider,
            model: b.model,
            ...b.breaker.snapshot(),
        }));
    }

    session(sessionId: string): Readonly<SessionPin> | undefined {
        return this.#affinity?.peek(sessionId);
    }

    clearCache(namespace?: string): number {
        return this.#cache?.clear(namespace) ?? 0;
    }

    feedback(requestId: string, outcome: FeedbackOutcome): FeedbackReceipt {
        if (!this.#bandit)
            throw new InvalidArgumentError(
                "feedback is disabled (feedback.enabled: false in the router config)",
            );
        if (!feedbackOutcomes.includes(outcome)) {
            throw new InvalidArgumentError(
                `unknown feedback outcome ${JSON.stringify(outcome)}; use ${feedbackOutcomes.join(", ")}`,
            );
        }
        return this.#bandit.rate(requestId, outcome);
    }

    async close(): Promise<void> {
        if (this.#closed) return;
        this.#closed = true;
        clearInterval(this.#saveTimer);
        if (this.#bandit) await this.#feedbackStore?.save(this.#bandit);
        const reason = new AbortedError(ErrorCode.Cancelled, "the router is closing");
        for (const controller of this.#active) controller.abort(reason);
        for (const provider of new Set(this.#d.providers.values())) provider.close();
        await this.#log.close();
    }
}

/** Characters an event adds to a held answer (text and tool-call arguments). */
function eventChars(event: ProviderStreamEvent): number {
    if (event.type === "text_delta") return event.text.length;
    if (event.type === "tool_call_delta") return event.arguments_delta.length;
    return 0;
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
function cacheable(ctx: RouteContext, target: ResolvedTarget, result: CompletionResult): boolean {
    if (target.tierIndex < ctx.decided.tier.index) return false;
    if (result.stop_reason === "max_tokens") return false;
    // A served answer's cascade record has no escalation; it must have been checked and passed.
    return ctx.cascade.every((c) => c.escalated_to !== null || (c.checked && c.failed_check === null));
}

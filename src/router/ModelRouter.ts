/**
 * The in-process router: request → decision (policy + classifier seam + session affinity) → response
 * cache → route plan → attempts (executePlan.ts) → routing record (log, metrics, returned). The parts
 * hold the logic; this class wires them per request and owns the per-request deadline and cancel.
 *
 *   complete(): validate → decide → cache lookup → runPlan(unary attempts) → record → cache store
 *   stream():   validate → decide → cache lookup (replayed as events) → runPlan(primed streams)
 *               → forward the committed stream (never retried) → record on message_end → cache store
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
import { extractFeatures, type RequestFeatures } from "./features.js";
import { buildPlan, resolveTiers, type ResolvedTarget, type ResolvedTier } from "./plan.js";
import { compilePolicy, decideTier, matchRules, type ResolvedPolicy } from "./policy.js";
import { validateRequest } from "./requestSchema.js";
import { ResponseCache, type CachedAnswer } from "./ResponseCache.js";
import { RouteFailedError } from "./RouteFailedError.js";
import type { ClassifierVerdict, RoutingClassifier } from "./RoutingClassifier.js";
import { RoutingLog } from "./RoutingLog.js";
import { SessionAffinity, type SessionPin } from "./SessionAffinity.js";
import type {
    AttemptRecord,
    ChatRequest,
    ChatResponse,
    CompletionResult,
    ProviderStreamEvent,
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
    /** The registry the router's metrics live in. */
    readonly registry: Registry;
    readonly config: RouterConfig;
    /** Cancels in-flight requests, closes providers and the routing log. */
    close(): Promise<void>;
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
}

interface Decided {
    features: RequestFeatures;
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
        const policyTierIndex = this.#policy.tierIndex.get(policy.tier)!;
        const session = request.hints?.session_id;
        const pin =
            session === undefined || !this.#affinity
                ? undefined
                : touch
                  ? this.#affinity.get(session)
                  : this.#affinity.peek(session);
        let tierIndex = policyTierIndex;
        let reason = policy.reason;
        let pinned: string | undefined;
        if (pin) {
            if (policyTierIndex > pin.tierIndex) reason = `escalation:${policy.reason}`;
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
            tier,
            reason,
            policyReason: policy.reason,
            policyTierIndex,
            score: policy.score,
            plan: buildPlan(this.#tiers, tierIndex, pinned),
        };
    }

    decide(input: ChatRequest): RouteDecision | Promise<RouteDecision> {
        const request = validateRequest(input);
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
        const validated = validateRequest(input);
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
            answered = await runPlan(ctx.decided.plan, scope, this.#env, (target, permit) =>
                unaryAttempt(scope, target, permit, this.#env),
            );
        } catch (error) {
            throw this.#finishFailure(ctx, error);
        } finally {
            scope.dispose();
        }
        const routing = this.#finishOk(ctx, answered, answered.value);
        return { ...answered.value, routing };
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
            answered = await runPlan(ctx.decided.plan, scope, this.#env, (target, permit, record) =>
                primeStream(scope, target, permit, record, this.#env, (t, ttftMs) => {
                    this.#metrics.attemptTimeToFirstToken.observe(
                        { provider: t.provider.id, model: t.model },
                        ttftMs / 1000,
                    );
                }),
            );
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
            attempts: ctx.attempts,
            fallback: false,
            cost_usd: null,
            usage: null,
            cache: ctx.cache,
            cache_match: ctx.cacheMatch,
            escalated: false,
            escalated_from: null,
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
        this.#emit(routing);
        return routing;
    }

    #finishOk(ctx: RouteContext, answered: Answered<unknown>, result: CompletionResult): RoutingRecord {
        const { target, planIndex } = answered;
        const { decided, request } = ctx;
        let escalated = false;
        let escalatedFrom: string | null = null;
        const session = request.hints?.session_id;
        if (this.#affinity && session !== undefined) {
            const update = this.#affinity.record(
                session,
                { tier: decided.tier.name, tierIndex: decided.tier.index, reason: decided.policyReason },
                target.tierIndex === decided.tier.index
                    ? { provider: target.provider.id, model: target.model }
                    : undefined,
            );
            escalated = update.escalated;
            escalatedFrom = update.from;
        }
        // An answer from a lower tier than decided (a degraded fallback) is served but not cached.
        if (this.#cache && ctx.cacheKeys && target.tierIndex >= decided.tier.index) {
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
        if (escalated) m.escalations.inc({ from_tier: escalatedFrom ?? "none", to_tier: decided.tier.name });
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

    async close(): Promise<void> {
        if (this.#closed) return;
        this.#closed = true;
        const reason = new AbortedError(ErrorCode.Cancelled, "the router is closing");
        for (const controller of this.#active) controller.abort(reason);
        for (const provider of new Set(this.#d.providers.values())) provider.close();
        await this.#log.close();
    }
}

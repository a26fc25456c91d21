/**
 * The in-process router, as wiring: each job is a part, and this class builds them from the config and
 * runs them per request, owning only the request's scope (its deadline and cancel).
 *
 *   complete(): validate → decide (Decider) → cache lookup → cascade runner over unary attempts
 *               (CascadeRunner → runPlan) → record (RouteRecorder: log, metrics, cache, pin, bandit)
 *   stream():   validate → decide → cache lookup (replayed as events) → cascade runner over primed
 *               streams, the first attempt hedged when slow (Hedger, hedge/raceHedge), the hold step as
 *               its inspector (holdStream) → forward the committed stream (forwardStream; never retried)
 *               → record on message_end
 *
 * Breakers (BreakerRegistry) are per provider/model; attempts and permits are settled only by the plan
 * executor's settle functions (executePlan.ts). Feedback (router/feedback/): every answered request can
 * be rated once with `feedback(requestId, outcome)`; per feedback signature the bandit then starts a failing
 * signature one tier higher. Canary (router/canary/): a share of the sessions is served by a candidate
 * policy or target until a sequential test promotes it or rolls it back. Mirror (router/mirror/): a
 * sampled share of the answered requests is sent again to a candidate model, recorded, never returned.
 */
import { randomUUID } from "node:crypto";
import type { Registry } from "prom-client";
import { validateChatRequest } from "../chat/chatRequestSchema.js";
import type { ChatRequest, CompletionResult } from "../chat/types.js";
import { ErrorCode } from "../errors/codes.js";
import { AbortedError, InvalidArgumentError, ServiceError } from "../errors/ServiceError.js";
import { createRouterMetrics } from "../metrics/createRouterMetrics.js";
import type { Provider } from "../providers/Provider.js";
import { linkedSignal, timeoutReason, type LinkedSignal } from "../util/abort.js";
import type { Logger } from "../util/logger.js";
import { BreakerRegistry, type TargetHealth } from "./BreakerRegistry.js";
import type { Canary, CanaryStatus } from "./canary/Canary.js";
import { buildCanary } from "./canary/buildCanary.js";
import { CascadeRunner } from "./cascade/CascadeRunner.js";
import type { RouterConfig } from "./config.js";
import { createRedactor } from "./redact.js";
import { Decider, type RouteDecision } from "./Decider.js";
import { unaryAttempt, type Answered, type ExecEnv, type RequestScope } from "./executePlan.js";
import { primeStream, type PrimedStream } from "./primeStream.js";
import { feedbackOutcomes, type FeedbackBandit, type FeedbackOutcome } from "./feedback/FeedbackBandit.js";
import { buildFeedback } from "./feedback/buildFeedback.js";
import { forwardStream, replayCached } from "./forwardStream.js";
import { Hedger } from "./hedge/Hedger.js";
import type { VersionShift, VersionWatch } from "./versions/VersionWatch.js";
import { buildVersionWatch } from "./versions/buildVersionWatch.js";
import { buildMirror } from "./mirror/buildMirror.js";
import type { Mirror } from "./mirror/Mirror.js";
import { holdStream } from "./holdStream.js";
import { countInputTokens, type TokenCount } from "./countInputTokens.js";
import { resolveTiers, type ResolvedTier } from "./plan.js";
import { compilePolicy } from "./policy.js";
import { policyVersion } from "./policyVersion.js";
import { ResponseCache } from "./ResponseCache.js";
import type { RouteContext } from "./RouteContext.js";
import { RouteRecorder } from "./RouteRecorder.js";
import type { RoutingClassifier } from "./RoutingClassifier.js";
import { RoutingLog } from "./RoutingLog.js";
import { SessionAffinity, type SessionPin } from "./SessionAffinity.js";
import type { ChatResponse, RouteOptions, RouterStreamEvent, RoutingRecord } from "./types.js";

export type { RouteDecision } from "./Decider.js";
export type { TargetHealth } from "./BreakerRegistry.js";

export interface Router {
    /**
     * Resolves once the router can decide as configured: the learned classifier (if any) has loaded.
     * Requests need not wait for it: one the classifier must decide waits for the warm-up instead of
     * being routed by a cold classifier's abstention; rule-matched and forced ones go at once. Rejects
     * with the warm-up's error (the classifier then abstains, so the default tier applies).
     */
    ready(): Promise<void>;
    /** Routes one request and returns the whole answer with its routing record. */
    complete(request: ChatRequest, options?: RouteOptions): Promise<ChatResponse>;
    /** Routes one request and streams the answer; the last event (`message_end`) carries the routing record. */
    stream(request: ChatRequest, options?: RouteOptions): AsyncIterable<RouterStreamEvent>;
    /** The decision and plan for a request without sending it (no side effects). */
    decide(request: ChatRequest): RouteDecision | Promise<RouteDecision>;
    /**
     * The request's input tokens, counted by the target that would answer it first (router/countInputTokens.ts),
     * or estimated when it cannot count (`exact: false`). Nothing is generated; no routing side effects.
     */
    countTokens(request: ChatRequest, options?: Pick<RouteOptions, "signal">): Promise<TokenCount>;
    /** Every provider/model breaker's state (empty when breakers are disabled). */
    breakers(): TargetHealth[];
    /**
     * The (target, task signature) pairs whose traffic is shifted behind the tier's next target for a
     * model-version regression (config `versionShift`).
     */
    versionShifts(): VersionShift[];
    /**
     * An operator's all-clear for `target`'s (`provider/model`) current version: its shifted signatures
     * (only `signature`, when given) return, and that version becomes their baseline. Returns the shifts
     * cleared (none when nothing was shifted). Throws E_INVALID_ARGUMENT for a target no tier names, or
     * when `versionShift.enabled` is off.
     */
    clearVersionShift(target: string, signature?: string): VersionShift[];
    /** The canary rollout's arms, test and decision (config `canary`); null without one. */
    canaryStatus(): CanaryStatus | null;
    /** A session's live pin. */
    session(sessionId: string): Readonly<SessionPin> | undefined;
    /** Drops cached answers of one namespace (or all); returns how many. */
    clearCache(namespace?: string): number;
    /**
     * Rates an answered request once (`accepted`, `retried`, `tests_failed` or `rejected`): the outcome
     * updates its feedback signature's tier preferences. Throws E_FEEDBACK_UNKNOWN_REQUEST for an id this
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
    /** The request's feedback signature, e.g. `completion|s`. */
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
    /** Monotonic milliseconds: attempt timing, deadlines, breakers, cache and affinity TTLs. */
    now: () => number;
    /** The backoff sleep; rejects when the signal aborts. */
    sleep: (ms: number, signal: AbortSignal) => Promise<void>;
    /** Random source of the backoff jitter, in [0, 1). */
    random: () => number;
    /** Wall-clock ms: feedback decay (it must survive restarts) and the mirror's daily spend cap. Defaults to `Date.now`. */
    wallClock?: () => number;
}

interface Scope extends RequestScope {
    dispose: () => void;
}

export class ModelRouter implements Router {
    readonly registry: Registry;
    readonly config: RouterConfig;
    readonly #deps: ModelRouterDeps;
    readonly #tiers: ResolvedTier[];
    readonly #breakers: BreakerRegistry;
    readonly #decider: Decider;
    readonly #recorder: RouteRecorder;
    readonly #cascade: CascadeRunner;
    readonly #hedger: Hedger;
    readonly #versions: VersionWatch | undefined;
    readonly #canary: Canary | undefined;
    readonly #mirror: Mirror | undefined;
    readonly #closeCanary: (() => Promise<void>) | undefined;
    readonly #affinity: SessionAffinity | undefined;
    readonly #cache: ResponseCache | undefined;
    readonly #log: RoutingLog;
    /** The execution context every attempt runs in (clock, sleep, backoff, breaker codes, redaction). */
    readonly #execution: ExecEnv;
    /** One per request in flight: close() aborts them. */
    readonly #active = new Set<LinkedSignal>();
    /** Tier indexes whose cascade checks the confidence signal: their providers are asked for it. */
    readonly #confidenceTiers: ReadonlySet<number>;
    readonly #bandit: FeedbackBandit | undefined;
    readonly #closeFeedback: (() => Promise<void>) | undefined;
    #closed = false;

    constructor(deps: ModelRouterDeps) {
        this.#deps = deps;
        const { config, now, logger } = deps;
        this.config = config;
        this.registry = deps.registry;
        this.#breakers = new BreakerRegistry({ config: config.breaker, now, metrics: () => metrics, logger });
        const metrics = createRouterMetrics(deps.registry, () => this.#breakers.states());
        const policy = compilePolicy(config);
        const shadow = config.shadow
            ? compilePolicy({ tiers: config.tiers, policy: config.shadow.policy, cascade: config.cascade })
            : undefined;
        this.#tiers = resolveTiers(config, {
            providers: deps.providers,
            breakerFor: (p, m) => this.#breakers.breakerFor(p, m),
        });
        this.#confidenceTiers = new Set(
            config.tiers.flatMap((t, i) => (t.cascade?.minMeanLogprob === undefined ? [] : [i])),
        );
        const feedback = buildFeedback(config, { logger, wallClock: deps.wallClock ?? Date.now });
        this.#bandit = feedback?.bandit;
        this.#closeFeedback = feedback?.close;
        this.#hedger = new Hedger({ config: config.hedging, now });
        this.#versions = buildVersionWatch(config, { metrics, logger, random: deps.random });
        if (config.affinity.enabled) this.#affinity = new SessionAffinity({ ...config.affinity, now });
        if (config.cache.enabled) this.#cache = new ResponseCache({ ...config.cache, now });
        const canary = buildCanary(config, {
            providers: deps.providers,
            breakerFor: (p, m) => this.#breakers.breakerFor(p, m),
            metrics,
            logger,
            random: deps.random,
            classifierVersion: deps.classifier?.version,
        });
        this.#canary = canary?.decider.canary;
        this.#closeCanary = canary?.close;
        const redact = createRedactor(deps.secrets);
        this.#log = RoutingLog.logged(config.records.path, logger, {
            redact,
            onRecord: deps.onRecord,
            dropped: metrics.recordsDropped,
        });
        this.#mirror = buildMirror(config, {
            ...deps,
            metrics,
            write: (record) => {
                this.#log.write(record);
            },
            redact,
            wallClock: deps.wallClock ?? Date.now,
        });
        this.#decider = new Decider({
            policy,
            shadow,
            tiers: this.#tiers,
            classifier: deps.classifier,
            bandit: this.#bandit,
            affinity: this.#affinity,
            versions: this.#versions,
            canary: canary?.decider,
            logger,
        });
        this.#recorder = new RouteRecorder({
            policy,
            policyVersion: policyVersion(config, config.policy, deps.classifier?.version),
            shadow: config.shadow
                ? {
                      policyVersion: policyVersion(config, config.shadow.policy, deps.classifier?.version),
                      tiers: this.#tiers,
                  }
                : undefined,
            canary: canary && {
                canary: canary.decider.canary,
                candidatePolicyVersion: canary.candidatePolicyVersion,
            },
            metrics,
            log: this.#log,
            cache: this.#cache,
            affinity: this.#affinity,
            bandit: this.#bandit,
            mirror: this.#mirror,
            versions: this.#versions,
            failureCodes: new Set(config.breaker.failureCodes),
            redact,
            now,
        });
        const r = config.reliability;
        this.#execution = {
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
                this.#recorder.retry(target);
            },
        };
        this.#cascade = new CascadeRunner({
            tiers: this.#tiers,
            cascades: config.tiers.map((t) => t.cascade),
            maxEscalations: config.cascade.maxEscalations,
            env: this.#execution,
            recorder: this.#recorder,
            versions: this.#versions,
            logger,
        });
    }

    ready(): Promise<void> {
        return this.#decider.ready();
    }

    decide(input: ChatRequest): RouteDecision | Promise<RouteDecision> {
        const decided = this.#decider.decide(validateChatRequest(input), false);
        return decided instanceof Promise
            ? decided.then((d) => Decider.describe(d))
            : Decider.describe(decided);
    }

    async countTokens(input: ChatRequest, options: Pick<RouteOptions, "signal"> = {}): Promise<TokenCount> {
        const request = validateChatRequest(input);
        const decided = await this.#decider.decide(request, false);
        const signal = options.signal ?? new AbortController().signal;
        return countInputTokens(decided.plan, request, decided.features.contextTokens, signal);
    }

    async complete(input: ChatRequest, options: RouteOptions = {}): Promise<ChatResponse> {
        const ctx = await this.#begin(input, false);
        const cached = this.#recorder.lookup(ctx);
        if (cached) return { ...cached.result, routing: this.#recorder.hit(ctx, cached) };
        const scope = this.#scope(ctx, options);
        let answered: Answered<CompletionResult>;
        try {
            answered = await this.#cascade.run(
                ctx,
                scope,
                (target, permit, record, s) => unaryAttempt(s, target, permit, record, this.#execution),
                (next) => Promise.resolve({ kind: "answer", result: next.value }),
            );
        } catch (error) {
            throw this.#recorder.failure(ctx, error);
        } finally {
            scope.dispose();
        }
        const routing = this.#recorder.ok(ctx, answered, answered.value);
        return { ...answered.value, routing };
    }

    async *stream(input: ChatRequest, options: RouteOptions = {}): AsyncGenerator<RouterStreamEvent> {
        const ctx = await this.#begin(input, true);
        const cached = this.#recorder.lookup(ctx);
        if (cached) {
            yield* replayCached(ctx, cached, this.#execution, this.#recorder);
            return;
        }
        const scope = this.#scope(ctx, options);
        let answered: Answered<PrimedStream>;
        try {
            answered = await this.#cascade.run(
                ctx,
                scope,
                (target, permit, record, s) =>
                    primeStream(s, target, permit, record, this.#execution, (t, ttftMs) => {
                        this.#recorder.firstToken(t, ttftMs);
                        this.#hedger.observe(t, ttftMs);
                    }),
                holdStream(scope, this.#execution),
                this.#hedger.forStream(ctx),
            );
        } catch (error) {
            scope.dispose();
            throw this.#recorder.failure(ctx, error);
        }
        yield* forwardStream(ctx, scope, answered, this.#execution, this.#recorder, scope.dispose);
    }

    async #begin(input: ChatRequest, stream: boolean): Promise<RouteContext> {
        if (this.#closed)
            throw new ServiceError(ErrorCode.NotReady, "the router is closed", { retryable: false });
        const startedAt = this.#deps.now();
        const timestamp = new Date().toISOString();
        const validated = validateChatRequest(input);
        const request = { ...validated, max_tokens: validated.max_tokens ?? this.config.defaults.maxTokens };
        const decided = await this.#decider.decide(request, true);
        this.#recorder.decided(decided);
        const keys = this.#recorder.cacheKeys(request, decided);
        return {
            requestId: randomUUID(),
            timestamp,
            startedAt,
            request,
            decided,
            stream,
            attempts: [],
            cache: keys ? "miss" : "bypass",
            cacheMatch: null,
            cacheKeys: keys,
            ttftMs: null,
            cascade: [],
            hedge: null,
            escalations: 0,
            escalatedFrom: null,
            escalatedTo: undefined,
        };
    }

    /** The request's scope: one signal for the caller's cancel, the total deadline and the router closing. */
    #scope(ctx: RouteContext, options: RouteOptions): Scope {
        const timeoutMs = options.timeoutMs ?? this.config.reliability.requestTimeoutMs;
        // One linked signal rather than AbortSignal.any + AbortSignal.timeout: see util/abort.ts.
        const linked = linkedSignal(options.signal ? [options.signal] : [], {
            ms: timeoutMs,
            reason: timeoutReason,
        });
        this.#active.add(linked);
        return {
            request: ctx.request,
            signal: linked.signal,
            deadlineAt: ctx.startedAt + timeoutMs,
            attempts: ctx.attempts,
            confidenceTiers: this.#confidenceTiers,
            dispose: () => {
                linked.dispose();
                this.#active.delete(linked);
            },
        };
    }

    breakers(): TargetHealth[] {
        return this.#breakers.snapshots();
    }

    versionShifts(): VersionShift[] {
        return this.#versions?.shifts() ?? [];
    }

    clearVersionShift(target: string, signature?: string): VersionShift[] {
        if (!this.#versions)
            throw new InvalidArgumentError(
                "version shifts are disabled (versionShift.enabled: false in the router config)",
            );
        return this.#versions.clear(target, signature);
    }

    canaryStatus(): CanaryStatus | null {
        return this.#canary?.status() ?? null;
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
        const receipt = this.#bandit.rate(requestId, outcome);
        this.#versions?.feedback(requestId, outcome === "accepted");
        return receipt;
    }

    async close(): Promise<void> {
        if (this.#closed) return;
        this.#closed = true;
        await this.#closeFeedback?.();
        await this.#closeCanary?.();
        const reason = new AbortedError(ErrorCode.Cancelled, "the router is closing");
        for (const controller of this.#active) controller.abort(reason);
        await this.#mirror?.close();
        for (const provider of new Set(this.#deps.providers.values())) provider.close();
        await this.#log.close();
    }
}

/**
 * Runs a route plan: tries targets in order, retries retryable failures on the same target with backoff
 * and jitter (at least the provider's Retry-After), falls back to the next target on retryable codes and
 * on the configured `fallbackOn` codes, and stays inside the request's total deadline: each attempt gets
 * min(its own timeout, what is left). Breakers are consulted before every attempt and told every
 * outcome. A stream attempt (primeStream.ts) ends, for this loop, at its first content event (commit);
 * after that the router forwards the rest and never retries.
 *
 * The loop records every attempt (skips included) into `scope.attempts`; the router turns them into the
 * routing record. Attempt records and breaker permits are written only here: the settle functions below
 * serve the parts that end an attempt after the loop returned it. Failures leave as ExecFailure, which
 * the router wraps into RouteFailedError.
 */
import { ErrorCode } from "../errors/codes.js";
import { isServiceError, ServiceError } from "../errors/ServiceError.js";
import type { ProviderRequest } from "../providers/Provider.js";
import { ProviderError } from "../providers/ProviderError.js";
import { linkedSignal, toAbortedError } from "../util/abort.js";
import { retryDelayMs } from "./backoff.js";
import type { BreakerPermit } from "./CircuitBreaker.js";
import { fallsBack, type ResolvedTarget } from "./plan.js";
import type { ChatRequest, CompletionResult } from "../chat/types.js";
import type { HedgeRunner, ScopedAttempt } from "./hedge/raceHedge.js";
import type { PrimedStream } from "./primeStream.js";
import type { AttemptRecord } from "./types.js";

export interface ExecEnv {
    /** Monotonic milliseconds. */
    now: () => number;
    /** Resolves after `ms`; rejects when `signal` aborts. */
    sleep: (ms: number, signal: AbortSignal) => Promise<void>;
    random: () => number;
    fallbackOn: ReadonlySet<ErrorCode>;
    breakerFailureCodes: ReadonlySet<ErrorCode>;
    backoffBaseMs: number;
    backoffMaxMs: number;
    maxRetryAfterMs: number;
    redact: (text: string) => string;
    onRetry?: (target: ResolvedTarget) => void;
}

/** One request's execution state. */
export interface RequestScope {
    request: ChatRequest & { max_tokens: number };
    /** Fires on the caller's cancel and on the total deadline. */
    signal: AbortSignal;
    /** Monotonic ms by which everything must be done. */
    deadlineAt: number;
    attempts: AttemptRecord[];
    /** Tier indexes whose cascade checks the confidence signal: their providers are asked for it. */
    confidenceTiers?: ReadonlySet<number>;
}

/** Why a plan produced no answer (the router adds the routing record). */
export class ExecFailure extends Error {
    override readonly name = "ExecFailure";
    constructor(
        readonly code: ErrorCode,
        readonly summary: string,
        readonly retryable: boolean,
        override readonly cause?: ServiceError,
    ) {
        super(summary);
    }
}

export interface Answered<T> {
    value: T;
    target: ResolvedTarget;
    /** The successful attempt's record (streams update it when the stream ends). */
    attempt: AttemptRecord;
    /** The target's position in the plan (0 = first choice). */
    planIndex: number;
}

/** The attempt's own timeout fired (as opposed to the caller's cancel or the total deadline). */
export class AttemptTimeout extends Error {
    override readonly name = "AttemptTimeout";
    constructor(
        readonly kind: "attempt" | "first_token",
        readonly ms: number,
    ) {
        super(
            `${kind === "first_token" ? "no first token" : "attempt timed out"} within ${Math.round(ms)} ms`,
        );
    }
}

/**
 * A timeout reason, built before the attempt so a signal's reason can be compared with it. It
 * is built without a stack trace: one is made per attempt and almost never thrown, and capturing the
 * stack cost ~20 µs each (its stack would only name this function).
 */
export function attemptTimeout(kind: AttemptTimeout["kind"], ms: number): AttemptTimeout {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        return new AttemptTimeout(kind, ms);
    } finally {
        Error.stackTraceLimit = limit;
    }
}

export function providerRequest(scope: RequestScope, target: ResolvedTarget): ProviderRequest {
    return scope.confidenceTiers?.has(target.tierIndex) === true
        ? { ...scope.request, model: target.model, confidence: true }
        : { ...scope.request, model: target.model };
}

/** Milliseconds rounded to 0.01 for records (sub-ms resolution without float noise). */
export function roundMs(ms: number): number {
    return Math.round(ms * 100) / 100;
}

/** Read through a call: TypeScript narrows `signal.aborted` across awaits as if it could not change. */
function isAborted(signal: AbortSignal): boolean {
    return signal.aborted;
}

export function newAttempt(target: ResolvedTarget): AttemptRecord {
    return {
        tier: target.tier,
        provider: target.provider.id,
        model: target.model,
        outcome: "ok",
        latency_ms: 0,
        ttft_ms: null,
        error_code: null,
        retry_after_ms: null,
        message: null,
        model_version: null,
    };
}

export function abortFailure(scope: RequestScope, cause?: ServiceError): ExecFailure {
    const aborted = toAbortedError(scope.signal);
    const summary =
        aborted.code === ErrorCode.DeadlineExceeded
            ? "the request's deadline passed"
            : "the request was cancelled";
    return new ExecFailure(aborted.code, summary, aborted.retryable, cause ?? aborted);
}

export function asServiceError(error: unknown): ServiceError {
    if (isServiceError(error)) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new ServiceError(ErrorCode.Internal, `unexpected error: ${message}`, {
        retryable: true,
        cause: error,
    });
}

/*
 * Attempt settlement: the only code that writes an attempt's outcome and settles its breaker permit.
 * The loop below uses it, and so do the parts that end an attempt after runPlan returned it (the stream
 * forwarder, the cascade's hold and its verdict).
 */

/**
 * A failed attempt: its error on the record; the permit counts a failure for provider-side codes
 * (`breakerFailureCodes`), and a success for caller-side ones (they prove the target answered).
 */
export function settleFailed(
    record: AttemptRecord,
    permit: BreakerPermit | undefined,
    error: ServiceError,
    env: ExecEnv,
): void {
    record.outcome = error.code === ErrorCode.ProviderTimeout ? "timeout" : "error";
    record.error_code = error.code;
    record.message = env.redact(error.message);
    record.retry_after_ms = error instanceof ProviderError ? (error.retryAfterMs ?? null) : null;
    if (env.breakerFailureCodes.has(error.code)) permit?.failure();
    else permit?.success();
}

/** An attempt the caller's cancel or the deadline ended: no evidence about the target, so the permit is released. */
export function settleCancelled(
    record: AttemptRecord,
    permit: BreakerPermit | undefined,
    code: ErrorCode,
): void {
    record.outcome = "cancelled";
    record.error_code = code;
    permit?.release();
}

/**
 * One of a hedged pair that the other beat to its first token (hedge/raceHedge.ts): cancelled, so no
 * evidence about its target either way; the permit is released.
 */
export function settleHedgeLost(
    record: AttemptRecord,
    permit: BreakerPermit | undefined,
    winner: string,
): void {
    record.outcome = "hedge_lost";
    record.error_code = null;
    record.message = `${winner} produced the first token first`;
    permit?.release();
}

/** A primed stream's attempt lasts until the stream ends, fails or is left: its latency up to now. */
export function measureStream(record: AttemptRecord, primed: PrimedStream, env: ExecEnv): void {
    record.latency_ms = roundMs(env.now() - primed.startedAt);
}

/** A stream that reached its end: the target answered. */
export function settleStreamEnded(permit: BreakerPermit | undefined): void {
    permit?.success();
}

/**
 * An answer that failed its cascade check: the attempt becomes `rejected` (a failed one stays as it
 * is); the target did answer, so a permit still held counts a success.
 */
export function settleRejected(
    record: AttemptRecord,
    permit: BreakerPermit | undefined,
    message: string,
): void {
    if (record.outcome === "ok") {
        record.outcome = "rejected";
        record.message = message;
    }
    permit?.success();
}

/** A rejected answer served after all (the escalation found none): its attempt answered the request. */
export function settleServedAfterRejection(record: AttemptRecord): void {
    record.outcome = "ok";
}

/**
 * Tries the plan's targets in order. `attempt` performs one attempt and, on success, settles the permit
 * itself (a stream settles it at its end); on failure it throws and this loop settles it. With `hedging`,
 * the request's first attempt may be hedged onto the next target (hedge/raceHedge.ts); a target tried as
 * a hedge is not tried again.
 */
export async function runPlan<T>(
    plan: readonly ResolvedTarget[],
    scope: RequestScope,
    env: ExecEnv,
    attempt: ScopedAttempt<T>,
    hedging?: HedgeRunner<T>,
): Promise<Answered<T>> {
    let lastError: ServiceError | undefined;
    const tried = new Set<number>();
    for (let planIndex = 0; planIndex < plan.length; planIndex++) {
        if (tried.has(planIndex)) continue;
        const target = plan[planIndex]!;
        const request = providerRequest(scope, target);
        const learning = target.provider.prepare?.(request, scope.signal);
        if (learning !== undefined) await learning;
        const unsupported = target.provider.unsupported(request);
        if (unsupported !== undefined) {
            scope.attempts.push({
                ...newAttempt(target),
                outcome: "skipped_unsupported",
                message: unsupported,
            });
            continue;
        }
        for (let retry = 0; ; retry++) {
            if (scope.signal.aborted || env.now() >= scope.deadlineAt) throw abortFailure(scope, lastError);
            const permit = target.breaker?.tryAcquire();
            if (target.breaker && !permit) {
                scope.attempts.push({
                    ...newAttempt(target),
                    outcome: "skipped_open",
                    error_code: ErrorCode.CircuitOpen,
                    message: "circuit breaker open",
                });
                break;
            }
            const record = newAttempt(target);
            scope.attempts.push(record);
            const startedAt = env.now();
            try {
                if (hedging?.claim() === true) {
                    const primary = { target, planIndex, permit, record, startedAt };
                    return await hedging.race(primary, plan, tried, scope, env, attempt);
                }
                const value = await attempt(target, permit, record, scope);
                record.latency_ms = roundMs(env.now() - startedAt);
                return { value, target, attempt: record, planIndex };
            } catch (thrown) {
                record.latency_ms = roundMs(env.now() - startedAt);
                if (isAborted(scope.signal)) {
                    settleCancelled(record, permit, toAbortedError(scope.signal).code);
                    throw abortFailure(scope, lastError);
                }
                const error = asServiceError(thrown);
                settleFailed(record, permit, error, env);
                lastError = error;
                if (!fallsBack(error, env.fallbackOn)) {
                    throw new ExecFailure(
                        error.code,
                        `${target.key} failed with a code that is not retried`,
                        false,
                        error,
                    );
                }
                // A target that just timed out is slow now: the next target is a better bet than a retry.
                if (
                    !error.retryable ||
                    error.code === ErrorCode.ProviderTimeout ||
                    retry >= target.settings.maxRetries
                )
                    break;
                const retryAfterMs = error instanceof ProviderError ? error.retryAfterMs : undefined;
                // A long Retry-After is better spent on the next target than waiting.
                if (retryAfterMs !== undefined && retryAfterMs > env.maxRetryAfterMs) break;
                const delay = retryDelayMs(retry, retryAfterMs, env, env.random);
                if (env.now() + delay >= scope.deadlineAt) break;
                env.onRetry?.(target);
                try {
                    await env.sleep(delay, scope.signal);
                } catch {
                    throw abortFailure(scope, lastError);
                }
            }
        }
    }
    throw exhausted(scope, lastError);
}

function counted(n: number, noun: string): string {
    return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * Codes that say a target is busy, not broken. A route whose every attempt got one failed for capacity,
 * and callers wait and retry on that (the gateway answers 503 / 529 overloaded, or 429), where a failed
 * route reads as a server error.
 */
const capacityCodes: ReadonlySet<string | null> = new Set<ErrorCode>([
    ErrorCode.QueueFull,
    ErrorCode.NotReady,
    ErrorCode.ModelUnavailable,
    ErrorCode.ProviderOverloaded,
    ErrorCode.ProviderRateLimited,
]);
const isCapacityCode = (code: string | null): code is ErrorCode => capacityCodes.has(code);

/** The code a route fails with once every target was tried: the prompt's overflow, capacity, or exhausted. */
function routeFailureCode(tried: readonly AttemptRecord[], retryable: boolean): ErrorCode {
    // Every target tried found the prompt too long for its context: that is the answer, not a failure
    // of the route, and callers act on it (agents compact their conversation; errors/contextOverflow.ts).
    if (!retryable && tried.every((a) => a.error_code === ErrorCode.ContextOverflow))
        return ErrorCode.ContextOverflow;
    // Every target tried was busy: one code when they agree (all queues full, all rate-limited), else
    // overloaded.
    const first = tried[0]?.error_code ?? null;
    if (isCapacityCode(first) && tried.every((a) => isCapacityCode(a.error_code)))
        return tried.every((a) => a.error_code === first) ? first : ErrorCode.ProviderOverloaded;
    return ErrorCode.RouteExhausted;
}

function exhausted(scope: RequestScope, lastError: ServiceError | undefined): ExecFailure {
    if (lastError) {
        const tried = scope.attempts.filter(
            (a) => a.outcome !== "skipped_open" && a.outcome !== "skipped_unsupported",
        );
        const retryable = scope.attempts.some((a) => a.outcome === "skipped_open") || lastError.retryable;
        const skipped = scope.attempts.length - tried.length;
        return new ExecFailure(
            routeFailureCode(tried, retryable),
            `all ${counted(tried.length, "attempt")} failed` +
                (skipped > 0 ? ` (${counted(skipped, "target")} skipped)` : ""),
            retryable,
            lastError,
        );
    }
    if (scope.attempts.some((a) => a.outcome === "skipped_open")) {
        return new ExecFailure(
            ErrorCode.CircuitOpen,
            "every target that can serve this request has its circuit breaker open",
            true,
        );
    }
    return new ExecFailure(ErrorCode.RouteExhausted, "no configured target can serve this request", false);
}

/**
 * An attempt's signal: the request's signal (cancel, total deadline) or the attempt's own abort (its
 * timeout, the caller leaving a stream), whichever comes first; the reason tells which.
 */
export function attemptSignal(
    scope: RequestScope,
    target: ResolvedTarget,
    env: ExecEnv,
): {
    signal: AbortSignal;
    abort: (reason: unknown) => void;
    budgetMs: number;
    timeout: AttemptTimeout;
    dispose: () => void;
} {
    const budgetMs = Math.max(0, Math.min(target.settings.attemptTimeoutMs, scope.deadlineAt - env.now()));
    const timeout = attemptTimeout("attempt", budgetMs);
    // One linked signal rather than AbortSignal.any: see util/abort.ts.
    const linked = linkedSignal([scope.signal], { ms: budgetMs, reason: () => timeout });
    return {
        signal: linked.signal,
        abort: linked.abort,
        budgetMs,
        timeout,
        dispose: linked.dispose,
    };
}

export function timeoutError(target: ResolvedTarget, timeout: AttemptTimeout): ProviderError {
    return new ProviderError(target.provider.id, ErrorCode.ProviderTimeout, timeout.message, {
        retryable: true,
    });
}

/** One unary attempt; the model version the provider reports goes on its record. */
export async function unaryAttempt(
    scope: RequestScope,
    target: ResolvedTarget,
    permit: BreakerPermit | undefined,
    record: AttemptRecord,
    env: ExecEnv,
): Promise<CompletionResult> {
    const { signal, timeout, dispose } = attemptSignal(scope, target, env);
    try {
        const result = await target.provider.complete(providerRequest(scope, target), signal);
        record.model_version = result.model === "" ? null : result.model;
        permit?.success();
        return result;
    } catch (error) {
        if (signal.reason === timeout) throw timeoutError(target, timeout);
        throw error;
    } finally {
        dispose();
    }
}

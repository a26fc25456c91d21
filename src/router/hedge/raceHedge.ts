/**
 * A hedged first attempt. The primary attempt starts as usual; when it has not resolved (for a stream:
 * produced no first token) after its target's hedge delay, the same request also starts on the next
 * usable target of the plan, and the first of the two to resolve wins:
 *
 *   primary ──start──────── delay ─┬──────────── first token? ──▶ wins; the hedge is cancelled
 *                                  │ (budget and a usable target permitting)
 *   hedge                          └─start──────── first token? ──▶ wins; the primary is cancelled
 *
 * The loser's signal fires, its breaker permit is released and its attempt becomes `hedge_lost`, with
 * its cost so far in the request's hedge record. When one of the two fails, the other goes on alone (a
 * hedge that is already running is the fallback the failure would have made). Only resolution counts,
 * and an attempt resolves at its first content event, so nothing is hedged after a first token.
 */
import { AbortedError } from "../../errors/ServiceError.js";
import { ErrorCode } from "../../errors/codes.js";
import type { BreakerPermit } from "../CircuitBreaker.js";
import {
    asServiceError,
    newAttempt,
    providerRequest,
    roundMs,
    settleCancelled,
    settleFailed,
    settleHedgeLost,
    type Answered,
    type ExecEnv,
    type RequestScope,
} from "../executePlan.js";
import type { ResolvedTarget } from "../plan.js";
import { toAbortedError } from "../../util/abort.js";
import type { AttemptRecord, HedgeOutcome, HedgeRecord } from "../types.js";

/** One request's hedging as runPlan sees it (Hedger.forStream builds it). */
export interface HedgeRunner<T> {
    /** True once per request, for its first attempt: the only one that is hedged. */
    claim(): boolean;
    /** Runs the claimed attempt, hedged when due (raceHedge). */
    race(
        primary: PrimaryAttempt,
        plan: readonly ResolvedTarget[],
        tried: Set<number>,
        scope: RequestScope,
        env: ExecEnv,
        attempt: ScopedAttempt<T>,
    ): Promise<Answered<T>>;
}

/** The policy side of one request's hedging: delays, budget, windows, cost and the record. */
export interface Hedging<T> {
    /** How long an attempt on `target` may go without resolving before it is hedged; undefined: never. */
    delayFor(target: ResolvedTarget): number | undefined;
    /** Takes one hedge from the budget; false when it is spent. */
    take(): boolean;
    /** A cancelled attempt's wait without a first token, a lower bound of its TTFT, for its target's window. */
    observeCensored(target: ResolvedTarget, ms: number): void;
    /**
     * The cost so far of an attempt cancelled as `hedge_lost`: it lost the race to the first token, so it
     * had produced no output and is billed for its prompt.
     */
    lostCost(target: ResolvedTarget): number | null;
    /** Ends a value that resolved after it had lost (a primed stream: cancel it, free its connection). */
    discard(value: T): void;
    /** The request's hedge record, once its outcome is known. */
    report(record: HedgeRecord): void;
}

/** One attempt of the plan; `scope` carries the attempt's own cancel when it is half of a hedged pair. */
export type ScopedAttempt<T> = (
    target: ResolvedTarget,
    permit: BreakerPermit | undefined,
    record: AttemptRecord,
    scope: RequestScope,
) => Promise<T>;

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Running<T> {
    target: ResolvedTarget;
    planIndex: number;
    permit: BreakerPermit | undefined;
    record: AttemptRecord;
    startedAt: number;
    cancel: AbortController;
    settled: Promise<Settled<T>>;
}

export interface PrimaryAttempt {
    target: ResolvedTarget;
    planIndex: number;
    permit: BreakerPermit | undefined;
    record: AttemptRecord;
    startedAt: number;
}

/**
 * Runs the primary attempt, hedged when due. Resolves with the winner (its latency measured); rejects
 * with the primary's error when the primary failed and no hedge answered (the hedge, if any, is settled
 * and its plan index is in `tried`; runPlan settles the primary and goes on).
 */
export async function raceHedge<T>(
    primary: PrimaryAttempt,
    plan: readonly ResolvedTarget[],
    tried: Set<number>,
    scope: RequestScope,
    env: ExecEnv,
    attempt: ScopedAttempt<T>,
    hedging: Hedging<T>,
): Promise<Answered<T>> {
    const delayMs = hedging.delayFor(primary.target);
    const p = start(primary, scope, attempt);
    if (delayMs === undefined || env.now() + delayMs >= scope.deadlineAt) return alone(p, env);
    const timer = new AbortController();
    const due = env.sleep(delayMs, AbortSignal.any([timer.signal, scope.signal])).then(
        () => true,
        () => false,
    );
    const first = await Promise.race([p.settled.then(() => false), due]);
    timer.abort();
    if (!first || scope.signal.aborted) return alone(p, env);
    const candidate = hedgeTarget(primary.planIndex, plan, tried, scope);
    if (!candidate) return alone(p, env);
    const base = { primary: primary.target.key, hedge: candidate.target.key, delay_ms: roundMs(delayMs) };
    if (!hedging.take()) {
        candidate.permit?.release();
        hedging.report({ ...base, outcome: "no_budget", lost_cost_usd: null });
        return alone(p, env);
    }
    const record = newAttempt(candidate.target);
    scope.attempts.push(record);
    tried.add(candidate.planIndex);
    const h = start({ ...candidate, record, startedAt: env.now() }, scope, attempt);
    const report = (outcome: HedgeOutcome, lostCost: number | null): void => {
        hedging.report({ ...base, outcome, lost_cost_usd: lostCost });
    };

    const winner = await Promise.race([p.settled.then(() => p), h.settled.then(() => h)]);
    const loser = winner === p ? h : p;
    const result = await winner.settled;
    if (result.ok) {
        measure(winner, env);
        report(winner === h ? "won" : "lost", cancelLoser(loser, winner, env, hedging));
        return answered(winner, result.value);
    }
    if (winner === h) {
        // The hedge failed first: the primary goes on alone.
        settleBroken(h, result.error, scope, env);
        report("failed", null);
        return alone(p, env);
    }
    // The primary failed first: the running hedge is its fallback.
    const hedged = await h.settled;
    if (hedged.ok) {
        measure(h, env);
        settleBroken(p, result.error, scope, env);
        report("won", null);
        return answered(h, hedged.value);
    }
    settleBroken(h, hedged.error, scope, env);
    report("failed", null);
    throw result.error;
}

function start<T>(a: PrimaryAttempt, scope: RequestScope, attempt: ScopedAttempt<T>): Running<T> {
    const cancel = new AbortController();
    const own: RequestScope = { ...scope, signal: AbortSignal.any([scope.signal, cancel.signal]) };
    const settled = attempt(a.target, a.permit, a.record, own).then(
        (value): Settled<T> => ({ ok: true, value }),
        (error: unknown): Settled<T> => ({ ok: false, error }),
    );
    return { ...a, cancel, settled };
}

/** The primary without a (further) hedge: its value, or its error for runPlan to settle. */
async function alone<T>(p: Running<T>, env: ExecEnv): Promise<Answered<T>> {
    const result = await p.settled;
    if (!result.ok) throw result.error;
    measure(p, env);
    return answered(p, result.value);
}

function answered<T>(r: Running<T>, value: T): Answered<T> {
    return { value, target: r.target, attempt: r.record, planIndex: r.planIndex };
}

function measure(r: Running<unknown>, env: ExecEnv): void {
    r.record.latency_ms = roundMs(env.now() - r.startedAt);
}

/** Cancels the loser and settles it as `hedge_lost`; returns its cost so far. */
function cancelLoser<T>(
    loser: Running<T>,
    winner: Running<T>,
    env: ExecEnv,
    hedging: Hedging<T>,
): number | null {
    loser.cancel.abort(
        new AbortedError(ErrorCode.Cancelled, `${winner.target.key} produced the first token first`),
    );
    measure(loser, env);
    settleHedgeLost(loser.record, loser.permit, winner.target.key);
    if (loser.record.ttft_ms === null) hedging.observeCensored(loser.target, loser.record.latency_ms);
    // It may have resolved in the same turn as the winner: then its stream is open and must be ended.
    void loser.settled.then((late) => {
        if (late.ok) hedging.discard(late.value);
    });
    return hedging.lostCost(loser.target);
}

/** A failed half of a hedged pair that runPlan will not see. */
function settleBroken(r: Running<unknown>, error: unknown, scope: RequestScope, env: ExecEnv): void {
    measure(r, env);
    if (scope.signal.aborted) settleCancelled(r.record, r.permit, toAbortedError(scope.signal).code);
    else settleFailed(r.record, r.permit, asServiceError(error), env);
}

/** The next target after the primary that can serve the request and whose breaker lets it through. */
function hedgeTarget(
    after: number,
    plan: readonly ResolvedTarget[],
    tried: ReadonlySet<number>,
    scope: RequestScope,
): { target: ResolvedTarget; planIndex: number; permit: BreakerPermit | undefined } | undefined {
    for (let planIndex = after + 1; planIndex < plan.length; planIndex++) {
        const target = plan[planIndex]!;
        if (tried.has(planIndex)) continue;
        if (target.provider.unsupported(providerRequest(scope, target)) !== undefined) continue;
        const permit = target.breaker?.tryAcquire();
        if (target.breaker && !permit) continue;
        return { target, planIndex, permit };
    }
    return undefined;
}

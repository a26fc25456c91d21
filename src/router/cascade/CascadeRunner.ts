/**
 * The cascade loop, one for unary and streaming requests: run the plan; when the answering tier has a
 * `cascade`, inspect the answer before it is served and, on a failed check, re-run the plan from the
 * next tier up (at most `cascade.maxEscalations` times, never falling back to the rejected tier or below).
 * When the escalation finds no answer, the rejected one is served after all (better than none).
 *
 * What "inspect" means is the caller's: a unary answer is checked as it is; a stream is held back until
 * it ends within the tier's `streamHoldChars` (then checked) or outgrows it (released unchecked), see
 * router/holdStream.ts.
 */
import type { CompletionResult } from "../../chat/types.js";
import type { ServiceError } from "../../errors/ServiceError.js";
import type { Logger } from "../../util/logger.js";
import type { BreakerPermit } from "../CircuitBreaker.js";
import type { CascadeConfig } from "../config.js";
import {
    runPlan,
    settleRejected,
    settleServedAfterRejection,
    type Answered,
    type ExecEnv,
    type RequestScope,
} from "../executePlan.js";
import type { HedgeRunner, ScopedAttempt } from "../hedge/raceHedge.js";
import { buildPlan, type ResolvedTarget, type ResolvedTier } from "../plan.js";
import type { RouteContext } from "../RouteContext.js";
import type { RouteRecorder } from "../RouteRecorder.js";
import type { CascadeRecord } from "../types.js";
import type { VersionWatch } from "../versions/VersionWatch.js";
import { checkAnswer, type CascadeVerdict } from "./checkAnswer.js";

/** What an inspector found in an answer that has not reached the caller. */
export type Inspection =
    /** A whole answer to check; `permit` is the attempt's breaker permit when it is still held. */
    | { kind: "answer"; result: CompletionResult; permit?: BreakerPermit | undefined; discard?: () => void }
    /** Served without a check (e.g. a stream longer than the hold bound, already released). */
    | { kind: "unchecked"; detail: string }
    /** The cascade does not apply to this kind of answer (e.g. streams with `streamHoldChars` 0): no record. */
    | { kind: "skip" }
    /** The answer broke before anything reached the caller; its attempt is settled as failed. */
    | { kind: "broken"; error: ServiceError };

/** Looks at an answer before it is served; may throw (e.g. when the request was cancelled meanwhile). */
export type Inspector<T> = (answered: Answered<T>, cascade: CascadeConfig) => Promise<Inspection>;

export interface CascadeRunnerOptions {
    tiers: readonly ResolvedTier[];
    /** Per tier index: its cascade, when it has one. */
    cascades: readonly (CascadeConfig | undefined)[];
    /** Escalations one request may make. */
    maxEscalations: number;
    env: ExecEnv;
    recorder: RouteRecorder;
    /** Told every verdict on an answer, with the model version the answer reported. Defaults to none. */
    versions?: VersionWatch | undefined;
    logger: Logger;
}

export class CascadeRunner {
    readonly #options: CascadeRunnerOptions;

    constructor(options: CascadeRunnerOptions) {
        this.#options = options;
    }

    /**
     * Runs the request's plan, escalating failed answers; returns the answer to serve. With `hedging`, the
     * request's first attempt may be hedged (router/hedge/).
     */
    async run<T>(
        ctx: RouteContext,
        scope: RequestScope,
        attempt: ScopedAttempt<T>,
        inspect: Inspector<T>,
        hedging?: HedgeRunner<T>,
    ): Promise<Answered<T>> {
        let plan = ctx.decided.plan;
        let rejected: Answered<T> | undefined;
        for (;;) {
            let next: Answered<T>;
            try {
                next = await runPlan(plan, scope, this.#options.env, attempt, hedging);
            } catch (error) {
                if (!rejected || scope.signal.aborted) throw error;
                return this.#serveRejected(ctx, rejected);
            }
            const cascade = this.#cascadeFor(ctx, next.target);
            if (!cascade) return next;
            const inspection = await inspect(next, cascade);
            if (inspection.kind === "skip") return next;
            if (inspection.kind === "unchecked") {
                ctx.cascade.push({
                    ...this.#cascadeRecord(next.target, undefined),
                    checked: false,
                    detail: inspection.detail,
                });
                return next;
            }
            if (inspection.kind === "broken") {
                // Nothing reached the caller: a broken answer is a failed attempt that may still escalate.
                const verdict = {
                    passed: false,
                    check: "stream_error",
                    detail: inspection.error.message,
                } as const;
                plan = this.#judge(ctx, next, undefined, verdict, undefined)!;
                continue;
            }
            const escalation = this.#judge(
                ctx,
                next,
                inspection.result,
                await this.#check(cascade, inspection.result, (ctx.request.temperature ?? 0) > 0),
                inspection.permit,
            );
            if (!escalation) return next;
            inspection.discard?.();
            rejected = next;
            plan = escalation;
        }
    }

    /** The cascade that applies to an answer from `target`, when an escalation is still possible. */
    #cascadeFor(ctx: RouteContext, target: ResolvedTarget): CascadeConfig | undefined {
        const cascade = this.#options.cascades[target.tierIndex];
        if (!cascade || ctx.escalations >= this.#options.maxEscalations) return undefined;
        return target.tierIndex + 1 < this.#options.tiers.length ? cascade : undefined;
    }

    async #check(
        cascade: CascadeConfig,
        result: CompletionResult,
        sampled: boolean,
    ): Promise<CascadeVerdict> {
        try {
            return await checkAnswer(cascade, result, sampled);
        } catch (error) {
            // A checker that cannot run (e.g. the TypeScript compiler failed to load) is no evidence.
            this.#options.logger.warn("cascade check failed to run; serving the answer", {
                error: error instanceof Error ? error.message : String(error),
            });
            return { passed: true };
        }
    }

    #cascadeRecord(target: ResolvedTarget, result: CompletionResult | undefined): CascadeRecord {
        return {
            tier: target.tier,
            provider: target.provider.id,
            model: target.model,
            checked: true,
            failed_check: null,
            detail: null,
            stop_reason: result?.stop_reason ?? null,
            acceptance_rate: result?.signals?.acceptance_rate ?? null,
            mean_logprob: result?.signals?.mean_logprob ?? null,
            escalated_to: null,
        };
    }

    /**
     * Records a cascade verdict. On a failure: the attempt is settled as `rejected`, the bandit learns it,
     * and the plan to escalate to is returned (only tiers above the rejected one: falling back to it, or
     * below, would serve what was just rejected).
     */
    #judge(
        ctx: RouteContext,
        answered: Answered<unknown>,
        result: CompletionResult | undefined,
        verdict: CascadeVerdict,
        permit: BreakerPermit | undefined,
    ): ResolvedTarget[] | undefined {
        const { target, attempt } = answered;
        const record = this.#cascadeRecord(target, result);
        ctx.cascade.push(record);
        // A broken stream says nothing about the answers of the model version.
        if (verdict.passed || verdict.check !== "stream_error")
            this.#options.versions?.observe(
                target.key,
                ctx.decided.signature,
                attempt.model_version,
                "escalation",
                !verdict.passed,
            );
        if (verdict.passed) return undefined;
        record.failed_check = verdict.check;
        record.detail = this.#options.env.redact(verdict.detail);
        const up = this.#options.tiers[target.tierIndex + 1]!;
        record.escalated_to = up.name;
        settleRejected(attempt, permit, `${verdict.check}: ${record.detail}`);
        ctx.escalations++;
        ctx.escalatedFrom ??= target.tier;
        ctx.escalatedTo = up;
        this.#options.recorder.rejected(ctx, target);
        return buildPlan(this.#options.tiers, up.index).filter((t) => t.tierIndex > target.tierIndex);
    }

    /** The escalation found no answer: the rejected one is served after all. */
    #serveRejected<T>(ctx: RouteContext, rejected: Answered<T>): Answered<T> {
        settleServedAfterRejection(rejected.attempt);
        const record = ctx.cascade.findLast((c) => c.escalated_to !== null);
        if (record) {
            record.detail = `${record.detail ?? ""}; the escalation found no answer, so this one was served`;
            record.escalated_to = null;
        }
        return rejected;
    }
}

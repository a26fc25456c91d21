/**
 * Mirroring to a candidate model (config `mirror`): a sampled share of the requests a provider answered
 * is sent again to a candidate provider/model, to measure it on real traffic before it serves any.
 *
 * - Never returned, never in the caller's way: the call starts after the served answer was handed back
 *   (the served request's record is written first), as one unary call with its own signal (the
 *   `timeoutMs` budget and the router closing; the caller's cancel has nothing left to cancel).
 * - Never retried, no breaker, no cache, no feedback, no canary: the candidate's outcomes touch nothing
 *   that routes traffic.
 * - Spend: each call reserves its worst case under the daily cap first (MirrorSpend.ts); a sampled request
 *   that does not fit is not sent, and its record says `spend_cap`.
 * - Records: the served request's record carries `mirror: {target, status}`; a sent call writes its own
 *   routing record when it ends, with `mirrored: {of, agreement}` (of = the served request's id) and the
 *   candidate's attempt, latency, usage, cost and outcome. Those records are not requests: the request
 *   metrics, shadow report and recalibration leave them out.
 */
import { randomUUID } from "node:crypto";
import type { CompletionResult } from "../../chat/types.js";
import { ErrorCode } from "../../errors/codes.js";
import { isServiceError } from "../../errors/ServiceError.js";
import type { RouterMetrics } from "../../metrics/createRouterMetrics.js";
import type { Provider, ProviderRequest } from "../../providers/Provider.js";
import { linkedSignal, type LinkedSignal } from "../../util/abort.js";
import type { Logger } from "../../util/logger.js";
import type { PriceConfig } from "../config.js";
import { costUsd } from "../cost.js";
import { roundMs } from "../executePlan.js";
import type { RouteContext } from "../RouteContext.js";
import type { AttemptRecord, MirrorNote, RoutingRecord } from "../types.js";
import { answerAgreement } from "./answerAgreement.js";
import type { MirrorConfig } from "./mirrorSchema.js";
import { MirrorSpend, type SpendTicket } from "./MirrorSpend.js";

export interface MirrorOptions {
    config: MirrorConfig;
    /** The candidate's provider. */
    provider: Provider;
    /** The candidate's price (the config requires one unless the provider is local). */
    price: PriceConfig;
    metrics: RouterMetrics;
    /** Writes the mirrored call's record (the routing log). */
    write: (record: RoutingRecord) => void;
    redact: (text: string) => string;
    logger: Logger;
    /** In [0, 1): draws the sampled requests. */
    random: () => number;
    /** Monotonic milliseconds: the call's latency. */
    now: () => number;
    /** Wall-clock milliseconds: the spend cap's day. */
    wallClock: () => number;
}

/** A sampled request: the note for its record, and the call to start once that record is written. */
export interface MirrorPlan {
    note: MirrorNote;
    /** Starts the call (on a later turn of the event loop) unless `note.status` says it was not sent. */
    send(served: RoutingRecord, result: CompletionResult): void;
}

/** Why a mirrored call ended: an attempt outcome, as in `AttemptRecord.outcome`. */
type CallOutcome = "ok" | "error" | "timeout" | "cancelled";

export class Mirror {
    readonly #o: MirrorOptions;
    readonly #target: string;
    readonly #labels: { provider: string; model: string };
    readonly #tiers: ReadonlySet<string> | undefined;
    readonly #spend: MirrorSpend;
    readonly #inFlight = new Set<LinkedSignal>();
    readonly #running = new Set<Promise<void>>();

    constructor(options: MirrorOptions) {
        this.#o = options;
        const { provider, model } = options.config.target;
        this.#target = `${provider}/${model}`;
        this.#labels = { provider, model };
        this.#tiers = options.config.tiers && new Set(options.config.tiers);
        this.#spend = new MirrorSpend({
            capUsd: options.config.dailySpendCapUsd,
            wallClock: options.wallClock,
        });
    }

    /** Today's mirror spend, open reservations and cap (USD). */
    spend(): { spentUsd: number; reservedUsd: number; capUsd: number } {
        return this.#spend.snapshot();
    }

    /**
     * Draws whether the request `ctx`, answered by `served` (`provider/model`) in tier `tier`, is mirrored;
     * undefined when it is not sampled (or not eligible: another tier, or the candidate itself answered).
     * A sampled request that is sent has its worst-case cost reserved here.
     */
    sample(ctx: RouteContext, tier: string, served: string): MirrorPlan | undefined {
        const { config, provider, price, metrics } = this.#o;
        if (this.#tiers && !this.#tiers.has(tier)) return undefined;
        if (served === this.#target) return undefined;
        if (this.#o.random() >= config.sampleRate) return undefined;
        const request: ProviderRequest = { ...ctx.request, model: config.target.model };
        const notSent = (status: Exclude<MirrorNote["status"], "sent">): MirrorPlan => {
            metrics.mirrors.inc({ ...this.#labels, outcome: status });
            return { note: { target: this.#target, status }, send: () => undefined };
        };
        if (provider.unsupported(request) !== undefined) return notSent("unsupported");
        if (this.#inFlight.size >= config.maxConcurrent) return notSent("busy");
        const inputTokens = ctx.decided.features.contextTokens;
        const worstUsd =
            costUsd(price, { input_tokens: inputTokens, output_tokens: request.max_tokens }) ?? 0;
        const ticket = this.#spend.tryReserve(worstUsd);
        if (!ticket) return notSent("spend_cap");
        const linked = linkedSignal([], { ms: config.timeoutMs, reason: () => mirrorTimeout });
        this.#inFlight.add(linked);
        return {
            note: { target: this.#target, status: "sent" },
            send: (record, result) => {
                setImmediate(() => {
                    const run = this.#call(request, linked, ticket, inputTokens, record, result);
                    this.#running.add(run);
                    void run.finally(() => this.#running.delete(run));
                });
            },
        };
    }

    /** Aborts the calls in flight and waits for their records. */
    async close(): Promise<void> {
        for (const linked of this.#inFlight) linked.abort(mirrorClosing);
        // A call aborted before its setImmediate ran starts, sees the abort, and records it.
        await new Promise((resolve) => setImmediate(resolve));
        await Promise.all([...this.#running]);
    }

    async #call(
        request: ProviderRequest,
        linked: LinkedSignal,
        ticket: SpendTicket,
        inputTokens: number,
        served: RoutingRecord,
        servedResult: CompletionResult,
    ): Promise<void> {
        const { provider, price, metrics, config } = this.#o;
        const startedAt = this.#o.now();
        let result: CompletionResult | undefined;
        let outcome: CallOutcome = "ok";
        let errorCode: string | null = null;
        let message: string | null = null;
        try {
            if (linked.signal.aborted) throw linked.signal.reason;
            result = await provider.complete(request, linked.signal);
        } catch (error) {
            const reason: unknown = linked.signal.reason;
            outcome = reason === mirrorTimeout ? "timeout" : reason === mirrorClosing ? "cancelled" : "error";
            errorCode =
                outcome === "timeout"
                    ? ErrorCode.ProviderTimeout
                    : outcome === "cancelled"
                      ? ErrorCode.Cancelled
                      : isServiceError(error)
                        ? error.code
                        : ErrorCode.Internal;
            message = this.#o.redact(
                outcome === "error" && error instanceof Error ? error.message : String(reason),
            );
        } finally {
            linked.dispose();
            this.#inFlight.delete(linked);
        }
        const latencyMs = roundMs(this.#o.now() - startedAt);
        // An answer costs its usage; a call cut by its timeout or the router closing may have been billed
        // its prompt; a refused one was not.
        const costUsdActual = result
            ? (costUsd(price, result.usage) ?? 0)
            : outcome === "error"
              ? 0
              : (costUsd(price, { input_tokens: inputTokens, output_tokens: 0 }) ?? 0);
        this.#spend.settle(ticket, costUsdActual);
        const agreement = result ? answerAgreement(servedResult, result) : null;
        metrics.mirrors.inc({ ...this.#labels, outcome });
        if (costUsdActual > 0) metrics.mirrorCost.inc(this.#labels, costUsdActual);
        if (agreement) metrics.mirrorAgreements.inc({ ...this.#labels, agreement });
        const attempt: AttemptRecord = {
            tier: served.tier ?? served.decided_tier,
            provider: config.target.provider,
            model: config.target.model,
            outcome,
            latency_ms: latencyMs,
            ttft_ms: null,
            error_code: errorCode,
            retry_after_ms: null,
            message,
            model_version: result?.model ?? null,
        };
        try {
            this.#o.write({
                ...served,
                request_id: randomUUID(),
                timestamp: new Date(this.#o.wallClock()).toISOString(),
                provider: config.target.provider,
                model_used: config.target.model,
                // The served request's decision fields stay, to group by; its classifier score is left
                // out so recalibration does not count the request twice.
                classifier_score: null,
                attempts: [attempt],
                fallback: false,
                cost_usd: costUsdActual,
                usage: result?.usage ?? null,
                cache: "bypass",
                cache_match: null,
                escalated: false,
                escalated_from: null,
                cascade: [],
                hedge: null,
                version_shift: null,
                shadow: null,
                canary: null,
                mirror: null,
                mirrored: { of: served.request_id, agreement },
                stream: false,
                latency_ms: latencyMs,
                ttft_ms: null,
                outcome: result ? "ok" : "error",
                error_code: errorCode,
            });
        } catch (error) {
            this.#o.logger.error("mirror record could not be written", {
                error: error instanceof Error ? error.message : String(error),
            });
        }
    }
}

/** Abort reasons of a mirrored call, told apart by identity. */
const mirrorTimeout = new Error("the mirrored call ran past mirror.timeoutMs");
const mirrorClosing = new Error("the router is closing");

/**
 * A stream attempt, primed: opened and read up to its first content event under the first-token timeout.
 * runPlan retries and falls back until one is primed; what follows (the cascade's hold, forwarding) reads
 * the rest from `head` and `iterator`.
 */
import { ErrorCode } from "../errors/codes.js";
import { AbortedError, type ServiceError } from "../errors/ServiceError.js";
import type { ProviderStreamEvent } from "../chat/types.js";
import { ProviderError } from "../providers/ProviderError.js";
import type { BreakerPermit } from "./CircuitBreaker.js";
import {
    attemptTimeout,
    asServiceError,
    attemptSignal,
    providerRequest,
    roundMs,
    timeoutError,
    type ExecEnv,
    type RequestScope,
} from "./executePlan.js";
import type { ResolvedTarget } from "./plan.js";
import type { AttemptRecord } from "./types.js";

/** A stream attempt that reached its first content event (or its end). */
export interface PrimedStream {
    /** Events up to and including the first content event (or message_end; relayed events without output included). */
    head: ProviderStreamEvent[];
    iterator: AsyncIterator<ProviderStreamEvent>;
    permit: BreakerPermit | undefined;
    /** Monotonic ms the attempt started at. */
    startedAt: number;
    /** Classifies an error thrown by the rest of the stream (our attempt timeout → E_PROVIDER_TIMEOUT). */
    mapError: (error: unknown) => ServiceError;
    /** Clears the attempt's timer; call when the stream is over. */
    dispose: () => void;
    /** Aborts the attempt (the caller stopped reading). */
    cancel: () => void;
}

/**
 * Opens a stream and reads it up to the first content event, under the first-token timeout. The first
 * token's latency feeds the target's latency breaker (slow when over its TTFT budget).
 */
export async function primeStream(
    scope: RequestScope,
    target: ResolvedTarget,
    permit: BreakerPermit | undefined,
    record: AttemptRecord,
    env: ExecEnv,
    onFirstToken?: (target: ResolvedTarget, ttftMs: number) => void,
): Promise<PrimedStream> {
    const { signal, abort, budgetMs, timeout, dispose } = attemptSignal(scope, target, env);
    const startedAt = env.now();
    const firstTokenMs = Math.min(target.settings.firstTokenTimeoutMs, budgetMs);
    const firstTokenTimeout = attemptTimeout("first_token", firstTokenMs);
    const firstTokenTimer = setTimeout(() => {
        abort(firstTokenTimeout);
    }, firstTokenMs);
    const budget = target.settings.ttftBudgetMs;
    const events = target.provider.stream(providerRequest(scope, target), signal);
    const iterator = events[Symbol.asyncIterator]();
    const mapError = (error: unknown): ServiceError => {
        const reason: unknown = signal.reason;
        if (reason === timeout) return timeoutError(target, timeout);
        if (reason === firstTokenTimeout) return timeoutError(target, firstTokenTimeout);
        return asServiceError(error);
    };
    const head: ProviderStreamEvent[] = [];
    try {
        for (;;) {
            const next = await iterator.next();
            if (next.done === true) {
                throw new ProviderError(
                    target.provider.id,
                    ErrorCode.ProviderStream,
                    "stream ended without message_end",
                    {
                        retryable: true,
                    },
                );
            }
            head.push(next.value);
            if (next.value.type === "message_start") {
                if (next.value.model !== "") record.model_version = next.value.model;
                continue;
            }
            // A relayed event without output (Anthropic's message_start, ping) commits nothing yet.
            if (next.value.type === "native" && !next.value.output) continue;
            clearTimeout(firstTokenTimer);
            const ttftMs = env.now() - startedAt;
            record.ttft_ms = roundMs(ttftMs);
            if (budget !== null) permit?.firstToken(ttftMs > budget);
            onFirstToken?.(target, ttftMs);
            const cancel = (): void => {
                abort(new AbortedError(ErrorCode.Cancelled, "the caller stopped reading the stream"));
            };
            return { head, iterator, permit, startedAt, mapError, dispose, cancel };
        }
    } catch (error) {
        clearTimeout(firstTokenTimer);
        dispose();
        if (signal.reason === firstTokenTimeout) {
            // The first token did not come within the timeout: a slow sample as well as a failure.
            if (budget !== null) permit?.firstToken(true);
        }
        await iterator.return?.().catch(() => undefined);
        throw mapError(error);
    }
}

/**
 * Ends a primed stream nobody will read (it lost a hedge race after reaching its first token): aborts the
 * provider's request, clears its timers and closes the iterator. Its permit is settled by the caller.
 */
export function discardPrimed(primed: PrimedStream): void {
    primed.cancel();
    primed.dispose();
    void primed.iterator.return?.().catch(() => undefined);
}

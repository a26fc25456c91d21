/**
 * Stream forwarding: the events of the attempt that answered, to the caller. The held head first (what
 * priming and the cascade's hold read), then the rest of the provider's stream; `message_start` is tagged
 * with the route (tier, provider, configured model, routing reason: what the record will say), and the last event, `message_end`, carries the routing record. A committed
 * stream is never retried: a failure after this point fails the request, and a caller that stops
 * reading cancels the provider's request. A cached answer is replayed as the same events.
 */
import type { ProviderStreamEvent } from "../chat/types.js";
import { ErrorCode } from "../errors/codes.js";
import { ServiceError } from "../errors/ServiceError.js";
import { toAbortedError } from "../util/abort.js";
import { StreamCollector } from "./collectStream.js";
import {
    abortFailure,
    ExecFailure,
    measureStream,
    roundMs,
    settleCancelled,
    settleFailed,
    settleStreamEnded,
    type Answered,
    type ExecEnv,
    type RequestScope,
} from "./executePlan.js";
import type { PrimedStream } from "./primeStream.js";
import type { CachedAnswer } from "./ResponseCache.js";
import type { RouteContext } from "./RouteContext.js";
import type { RouteRecorder } from "./RouteRecorder.js";
import type { RouterStreamEvent, StreamRoute } from "./types.js";

/** Forwards the answering stream; `dispose` ends the request's scope when the stream is over. */
export async function* forwardStream(
    ctx: RouteContext,
    scope: RequestScope,
    answered: Answered<PrimedStream>,
    env: ExecEnv,
    recorder: RouteRecorder,
    dispose: () => void,
): AsyncGenerator<RouterStreamEvent> {
    const { value: primed, target, attempt } = answered;
    const collector = new StreamCollector();
    let finished = false;
    ctx.ttftMs = roundMs(env.now() - ctx.startedAt);
    const measure = (): void => {
        measureStream(attempt, primed, env);
    };
    const route = (model: string): StreamRoute => ({
        tier: target.tier,
        provider: target.provider.id,
        // As the record names it: the configured model; a local target configured as "" names what answers.
        model_used: target.model === "" ? model : target.model,
        routing_reason: ctx.decided.reason,
        decided_tier: ctx.decided.tier.name,
    });
    try {
        // Every stream starts with message_start, even from a provider that forgot to send one.
        if (primed.head[0]?.type !== "message_start")
            yield { type: "message_start", model: target.model, ...route(target.model) };
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
                measure();
                settleStreamEnded(primed.permit);
                finished = true;
                const routing = recorder.ok(ctx, answered, collector.result()!);
                yield { ...event, routing };
                return;
            }
            yield event.type === "message_start" ? { ...event, ...route(event.model) } : event;
        }
    } catch (thrown) {
        if (finished) throw thrown;
        finished = true;
        measure();
        if (scope.signal.aborted) {
            settleCancelled(attempt, primed.permit, toAbortedError(scope.signal).code);
            throw recorder.failure(ctx, abortFailure(scope));
        }
        const error = primed.mapError(thrown);
        settleFailed(attempt, primed.permit, error, env);
        throw recorder.failure(
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
        dispose();
        if (!finished) {
            // The caller stopped reading: cancel the provider's request and record it.
            measure();
            settleCancelled(attempt, primed.permit, ErrorCode.Cancelled);
            primed.cancel();
            await primed.iterator.return?.().catch(() => undefined);
            recorder.failure(
                ctx,
                new ExecFailure(ErrorCode.Cancelled, "the caller stopped reading the stream", false),
            );
        }
    }
}

/** A cached answer as a stream: the same events a provider stream would give. */
export function* replayCached(
    ctx: RouteContext,
    cached: CachedAnswer,
    env: ExecEnv,
    recorder: RouteRecorder,
): Generator<RouterStreamEvent> {
    ctx.ttftMs = roundMs(env.now() - ctx.startedAt);
    const { result } = cached;
    yield {
        type: "message_start",
        model: result.model,
        tier: cached.tier,
        provider: cached.provider,
        model_used: cached.model,
        routing_reason: ctx.decided.reason,
        decided_tier: ctx.decided.tier.name,
    };
    for (const [index, part] of result.content.entries()) {
        if (part.type === "text") yield { type: "text_delta", index, text: part.text };
    }
    const routing = recorder.hit(ctx, cached);
    yield {
        type: "message_end",
        stop_reason: result.stop_reason,
        stop_sequence: result.stop_sequence,
        usage: result.usage,
        routing,
    };
}

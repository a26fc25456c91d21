/**
 * Streams through the router: event shape, fallback before the first token, first-token timeouts, the
 * latency breaker, and the rule that a stream that reached the caller is never retried.
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import { collectStream } from "../../../src/router/collectStream.js";
import { RouteFailedError } from "../../../src/router/RouteFailedError.js";
import type { ProviderStreamEvent } from "../../../src/chat/types.js";
import { ask, drain, setupRouter } from "./routerFixture.js";
import { providerError, textEvents } from "./scriptedProvider.js";

const toolEvents: ProviderStreamEvent[] = [
    { type: "message_start", model: "m" },
    { type: "text_delta", index: 0, text: "Reading." },
    { type: "tool_call_start", index: 1, id: "toolu_1", name: "read" },
    { type: "tool_call_delta", index: 1, arguments_delta: '{"path":' },
    { type: "tool_call_delta", index: 1, arguments_delta: '"a.ts"}' },
    { type: "tool_call_end", index: 1, arguments: { path: "a.ts" } },
    {
        type: "message_end",
        stop_reason: "tool_use",
        stop_sequence: null,
        usage: { input_tokens: 3, output_tokens: 4 },
    },
];

describe("router.stream", () => {
    it("forwards the provider's events, tagging message_start and ending with the routing record", async () => {
        const f = setupRouter();
        f.anthropic.enqueue({ kind: "events", events: toolEvents });
        const { events, error } = await drain(f.router.stream(ask("read a.ts")));
        expect(error).toBeUndefined();
        const start = events[0]!;
        expect(start).toEqual({
            type: "message_start",
            model: "m",
            tier: "mid",
            provider: "anthropic",
            model_used: "claude-haiku-5-5",
            routing_reason: expect.any(String) as unknown,
            decided_tier: "mid",
        });
        expect(events.slice(1, -1)).toEqual(toolEvents.slice(1, -1));
        const end = events.at(-1)!;
        expect(end.type).toBe("message_end");
        if (end.type !== "message_end" || start.type !== "message_start") return;
        // The route message_start reports is the one the record states.
        expect(start).toMatchObject({
            tier: end.routing.tier,
            provider: end.routing.provider,
            model_used: end.routing.model_used,
            routing_reason: end.routing.routing_reason,
            decided_tier: end.routing.decided_tier,
        });
        expect(end).toMatchObject({ stop_reason: "tool_use", usage: { input_tokens: 3, output_tokens: 4 } });
        expect(end.routing).toMatchObject({ stream: true, tier: "mid", outcome: "ok", cache: "miss" });
        expect(end.routing.ttft_ms).not.toBeNull();
        expect(end.routing.attempts[0]!.ttft_ms).not.toBeNull();
    });

    it("starts every stream with message_start, even when a provider sends none", async () => {
        const f = setupRouter();
        f.anthropic.enqueue({ kind: "events", events: textEvents("no start").slice(1) });
        const { events } = await drain(f.router.stream(ask("x")));
        expect(events[0]).toEqual({
            type: "message_start",
            model: "claude-haiku-5-5",
            tier: "mid",
            provider: "anthropic",
            model_used: "claude-haiku-5-5",
            routing_reason: expect.any(String) as unknown,
            decided_tier: "mid",
        });
        expect(events.filter((e) => e.type === "message_start")).toHaveLength(1);
    });

    it("collectStream gives what complete() gives", async () => {
        const f = setupRouter();
        f.anthropic.enqueue({ kind: "events", events: toolEvents });
        const response = await collectStream(f.router.stream(ask("read a.ts")));
        expect(response.content).toEqual([
            { type: "text", text: "Reading." },
            { type: "tool_call", id: "toolu_1", name: "read", arguments: { path: "a.ts" } },
        ]);
        expect(response.stop_reason).toBe("tool_use");
        expect(response.routing.provider).toBe("anthropic");
    });

    it("falls back when a stream fails before its first token", async () => {
        const f = setupRouter({ reliability: { maxRetries: 0 } });
        f.anthropic.enqueue({
            kind: "events",
            events: textEvents("never"),
            failAfter: 1, // message_start, then the error: nothing reached the caller yet
            error: providerError(ErrorCode.ProviderOverloaded),
        });
        f.openai.enqueue({ kind: "ok", text: "from openai" });
        const response = await collectStream(f.router.stream(ask("x")));
        expect(response.content).toEqual([{ type: "text", text: "from openai" }]);
        expect(response.routing.attempts.map((a) => `${a.provider}:${a.outcome}`)).toEqual([
            "anthropic:error",
            "openai:ok",
        ]);
    });

    it("never retries once output reached the caller; the error says so and lists the attempt", async () => {
        const f = setupRouter();
        f.anthropic.enqueue({
            kind: "events",
            events: textEvents("partial answer"),
            failAfter: 2, // message_start + one text delta reached the caller
            error: providerError(ErrorCode.ProviderOverloaded),
        });
        f.openai.always({ kind: "ok" });
        const { events, error } = await drain(f.router.stream(ask("x")));
        expect(events.map((e) => e.type)).toEqual(["message_start", "text_delta"]);
        expect(error).toBeInstanceOf(RouteFailedError);
        const failure = error as RouteFailedError;
        expect(failure.code).toBe(ErrorCode.ProviderOverloaded);
        expect(failure.message).toContain("after output reached the caller (not retried)");
        expect(failure.routing.attempts).toEqual([
            expect.objectContaining({ provider: "anthropic", outcome: "error" }),
        ]);
        expect(f.anthropic.calls).toHaveLength(1);
        expect(f.openai.calls).toHaveLength(0);
        // A partial stream is never cached: the same request goes to a provider again.
        f.anthropic.enqueue({ kind: "ok", text: "whole" });
        const again = await collectStream(f.router.stream(ask("x")));
        expect(again.routing.cache).toBe("miss");
    });

    it("abandons a slow first token at firstTokenTimeoutMs and falls back", async () => {
        const f = setupRouter({ reliability: { maxRetries: 0, firstTokenTimeoutMs: 20 } });
        f.anthropic.enqueue({ kind: "events", events: textEvents("late"), waitBeforeMs: { 1: 5_000 } });
        f.openai.enqueue({ kind: "ok", text: "on time" });
        const response = await collectStream(f.router.stream(ask("x")));
        expect(response.content).toEqual([{ type: "text", text: "on time" }]);
        expect(response.routing.attempts[0]).toMatchObject({
            provider: "anthropic",
            outcome: "timeout",
            error_code: ErrorCode.ProviderTimeout,
            message: expect.stringContaining("no first token within 20 ms") as string,
        });
        expect(f.anthropic.calls[0]!.signal.aborted).toBe(true);
    });

    it("slow first tokens open the latency breaker even though every request succeeded", async () => {
        const f = setupRouter(
            {
                breaker: { minimumLatencySamples: 2, slowRatio: 0.5, ttftBudgetMs: 5 },
                cache: { enabled: false },
            },
            { realClock: true },
        );
        f.anthropic.always({ kind: "events", events: textEvents("slow"), waitBeforeMs: { 1: 25 } });
        f.openai.always({ kind: "ok" });
        for (let i = 0; i < 2; i++) {
            const response = await collectStream(f.router.stream(ask(`q${i}`)));
            expect(response.routing.provider).toBe("anthropic");
        }
        const health = f.router
            .breakers()
            .find((b) => b.provider === "anthropic" && b.model === "claude-haiku-5-5");
        expect(health).toMatchObject({ state: "open", trip: "slow_first_token", windowSlowSamples: 2 });
        const third = await collectStream(f.router.stream(ask("q3")));
        expect(third.routing.attempts[0]).toMatchObject({
            provider: "anthropic",
            outcome: "skipped_open",
            error_code: ErrorCode.CircuitOpen,
        });
        expect(third.routing.provider).toBe("openai");
        expect(
            await f.metric('tiercel_router_breaker_state{provider="anthropic",model="claude-haiku-5-5"}'),
        ).toBe(2);
        expect(
            await f.metric(
                'tiercel_router_breaker_transitions_total{provider="anthropic",model="claude-haiku-5-5",state="open",trip="slow_first_token"}',
            ),
        ).toBe(1);
    });

    it("a caller that stops reading cancels the provider's stream and frees the breaker permit", async () => {
        const f = setupRouter({ breaker: { halfOpenProbes: 1 } });
        f.anthropic.enqueue({
            kind: "events",
            events: [
                ...textEvents("a").slice(0, 2),
                { type: "text_delta", index: 0, text: "b" },
                ...textEvents("c").slice(2),
            ],
            waitBeforeMs: { 2: 1_000 },
        });
        for await (const event of f.router.stream(ask("x"))) {
            if (event.type === "text_delta") break;
        }
        expect(f.anthropic.streamsReturned).toBe(1);
        expect(f.anthropic.calls[0]!.signal.aborted).toBe(true);
        expect(f.records.at(-1)).toMatchObject({ outcome: "error", error_code: ErrorCode.Cancelled });
        expect(f.records.at(-1)!.attempts[0]).toMatchObject({ outcome: "cancelled" });
        expect(f.router.breakers().find((b) => b.provider === "anthropic")?.consecutiveFailures).toBe(0);
    });

    it("a cancel during the stream ends it with E_CANCELLED and no retry", async () => {
        const f = setupRouter();
        f.anthropic.enqueue({ kind: "events", events: textEvents("x"), waitBeforeMs: { 2: 5_000 } });
        const controller = new AbortController();
        const stream = f.router.stream(ask("x"), { signal: controller.signal });
        const seen: string[] = [];
        const result = (async () => {
            for await (const event of stream) {
                seen.push(event.type);
                if (event.type === "text_delta") controller.abort();
            }
        })();
        await expect(result).rejects.toMatchObject({ code: ErrorCode.Cancelled });
        expect(seen).toEqual(["message_start", "text_delta"]);
        expect(f.openai.calls).toHaveLength(0);
    });
});

/**
 * The router's decisions and reliability over in-memory providers: routing records, retries with
 * backoff and Retry-After, fallbacks, per-attempt and total deadlines, cancellation, "no request lost".
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import { InvalidArgumentError, ServiceError } from "../../../src/errors/ServiceError.js";
import { ProviderError } from "../../../src/providers/ProviderError.js";
import { ask, routeFailure, secretKey, setupRouter } from "./routerFixture.js";
import { providerError } from "./scriptedProvider.js";

describe("routing records", () => {
    it("answers from the default tier's first target and says so", async () => {
        const f = setupRouter();
        f.anthropic.enqueue({ kind: "ok", text: "hi there" });
        const response = await f.router.complete(
            ask("hello", { hints: { namespace: "repo-a", task_type: "chat", tags: ["x"] } }),
        );
        expect(response.content).toEqual([{ type: "text", text: "hi there" }]);
        expect(response.routing).toMatchObject({
            tier: "mid",
            provider: "anthropic",
            model_used: "claude-haiku-5-5",
            decided_tier: "mid",
            routing_reason: "default",
            policy_reason: "default",
            fallback: false,
            cache: "miss",
            cache_match: null,
            escalated: false,
            escalated_from: null,
            namespace: "repo-a",
            task_type: "chat",
            tags: ["x"],
            stream: false,
            outcome: "ok",
            error_code: null,
            usage: { input_tokens: 100, output_tokens: 20 },
        });
        // 100 input at $1/M + 20 output at $5/M.
        expect(response.routing.cost_usd).toBeCloseTo(0.0002, 10);
        expect(response.routing.attempts).toEqual([
            expect.objectContaining({
                tier: "mid",
                provider: "anthropic",
                model: "claude-haiku-5-5",
                outcome: "ok",
                error_code: null,
            }),
        ]);
        expect(f.records).toEqual([response.routing]);
        expect(JSON.parse(f.lines[0]!)).toEqual(JSON.parse(JSON.stringify(response.routing)));
        // The provider got the target's model and the default output cap.
        expect(f.anthropic.calls[0]!.request).toMatchObject({ model: "claude-haiku-5-5", max_tokens: 4096 });
    });

    it("routes by rule and names the rule", async () => {
        const f = setupRouter();
        f.anthropic.enqueue({ kind: "ok" });
        const response = await f.router.complete(ask("review this", { hints: { tags: ["security"] } }));
        expect(response.routing).toMatchObject({
            tier: "frontier",
            model_used: "claude-opus-5-5",
            routing_reason: "rule:security",
        });
    });

    it("an unpriced model costs null", async () => {
        const f = setupRouter({ prices: {} });
        f.anthropic.enqueue({ kind: "ok" });
        expect((await f.router.complete(ask("x"))).routing.cost_usd).toBeNull();
    });

    it("writes redacted JSON lines to records.path", async () => {
        const path = join(mkdtempSync(join(tmpdir(), "tiercel-router-")), "logs", "routing.jsonl");
        const f = setupRouter({ records: { path }, reliability: { maxRetries: 0 } });
        f.anthropic.enqueue({
            kind: "error",
            error: new ProviderError(
                "anthropic",
                ErrorCode.ProviderAuth,
                `HTTP 401 invalid x-api-key ${secretKey}`,
            ),
        });
        f.openai.enqueue({ kind: "ok" });
        await f.router.complete(ask("x"));
        await f.router.close();
        const lines = readFileSync(path, "utf8").trim().split("\n");
        expect(lines).toHaveLength(1);
        expect(lines[0]).not.toContain(secretKey);
        expect(lines[0]).toContain("[REDACTED]");
        const record = JSON.parse(lines[0]!) as { attempts: { error_code: string }[] };
        expect(record.attempts.map((a) => a.error_code)).toEqual([ErrorCode.ProviderAuth, null]);
        // The record returned to the caller is redacted as well.
        expect(JSON.stringify(f.records[0])).not.toContain(secretKey);
    });
});

describe("retries", () => {
    it("retries a retryable failure on the same target after a jittered backoff", async () => {
        const f = setupRouter();
        f.anthropic.enqueue(
            { kind: "error", error: providerError(ErrorCode.ProviderOverloaded) },
            { kind: "ok" },
        );
        const response = await f.router.complete(ask("x"));
        expect(f.sleeps).toEqual([100]); // random 0.5 × min(2000, 200 · 2^0)
        expect(response.routing.attempts.map((a) => [a.provider, a.outcome, a.error_code])).toEqual([
            ["anthropic", "error", ErrorCode.ProviderOverloaded],
            ["anthropic", "ok", null],
        ]);
        expect(response.routing.fallback).toBe(false);
        expect(f.openai.calls).toHaveLength(0);
        expect(
            await f.metric('tiercel_router_retries_total{provider="anthropic",model="claude-haiku-5-5"}'),
        ).toBe(1);
    });

    it("waits at least the provider's Retry-After", async () => {
        const f = setupRouter();
        f.anthropic.enqueue(
            { kind: "error", error: providerError(ErrorCode.ProviderRateLimited, { retryAfterMs: 3_000 }) },
            { kind: "ok" },
        );
        const response = await f.router.complete(ask("x"));
        expect(f.sleeps).toEqual([3_000]);
        expect(response.routing.attempts[0]).toMatchObject({ outcome: "error", retry_after_ms: 3_000 });
    });

    it("does not wait out a Retry-After above maxRetryAfterMs: it falls back at once", async () => {
        const f = setupRouter();
        f.anthropic.enqueue({
            kind: "error",
            error: providerError(ErrorCode.ProviderRateLimited, { retryAfterMs: 60_000 }),
        });
        f.openai.enqueue({ kind: "ok" });
        const response = await f.router.complete(ask("x"));
        expect(f.sleeps).toEqual([]);
        expect(response.routing).toMatchObject({
            provider: "openai",
            model_used: "gpt-5-mini",
            tier: "mid",
            fallback: true,
        });
    });

    it("does not retry when the backoff would pass the request's deadline", async () => {
        const f = setupRouter({
            reliability: { maxRetries: 3, backoffBaseMs: 10_000, backoffMaxMs: 10_000 },
        });
        f.anthropic.enqueue({ kind: "error", error: providerError(ErrorCode.ProviderUnavailable) });
        f.openai.enqueue({ kind: "ok" });
        const response = await f.router.complete(ask("x"), { timeoutMs: 4_000 });
        expect(f.sleeps).toEqual([]);
        expect(response.routing.provider).toBe("openai");
    });

    it("never retries or falls back on a failure that another target would repeat", async () => {
        const f = setupRouter();
        f.anthropic.enqueue({ kind: "error", error: providerError(ErrorCode.ProviderBadRequest) });
        const error = await routeFailure(f.router.complete(ask("x")));
        expect(error.code).toBe(ErrorCode.ProviderBadRequest);
        expect(error.retryable).toBe(false);
        expect(error.routing.attempts).toHaveLength(1);
        expect(f.openai.calls).toHaveLength(0);
        expect(error.message).toContain("mid/anthropic/claude-haiku-5-5: error E_PROVIDER_BAD_REQUEST");
        expect(f.records.at(-1)).toMatchObject({
            outcome: "error",
            error_code: ErrorCode.ProviderBadRequest,
            tier: null,
            model_used: null,
        });
    });
});

describe("fallbacks and no request lost", () => {
    it("falls back on a configured non-retryable code without retrying it", async () => {
        const f = setupRouter();
        f.anthropic.enqueue({ kind: "error", error: providerError(ErrorCode.ProviderAuth) });
        f.openai.enqueue({ kind: "ok", text: "from openai" });
        const response = await f.router.complete(ask("x"));
        expect(response.content).toEqual([{ type: "text", text: "from openai" }]);
        expect(response.routing.attempts.map((a) => a.outcome)).toEqual(["error", "ok"]);
        expect(f.sleeps).toEqual([]);
        expect(await f.metric('tiercel_router_fallbacks_total{from_tier="mid",to_tier="mid"}')).toBe(1);
    });

    it("walks the chain into the next tier when a whole tier fails", async () => {
        const f = setupRouter({ reliability: { maxRetries: 0 } });
        f.anthropic.enqueue(
            { kind: "error", error: providerError(ErrorCode.ProviderOverloaded) },
            { kind: "ok", text: "opus" },
        );
        f.openai.enqueue({ kind: "error", error: providerError(ErrorCode.ProviderUnavailable) });
        const response = await f.router.complete(ask("x"));
        expect(response.routing).toMatchObject({
            tier: "frontier",
            model_used: "claude-opus-5-5",
            decided_tier: "mid",
            fallback: true,
        });
        expect(response.routing.attempts.map((a) => `${a.tier}/${a.provider}:${a.outcome}`)).toEqual([
            "mid/anthropic:error",
            "mid/openai:error",
            "frontier/anthropic:ok",
        ]);
    });

    it("when everything fails, the error lists every attempt", async () => {
        const f = setupRouter({ reliability: { maxRetries: 1 } });
        for (const p of [f.anthropic, f.openai, f.local])
            p.always({ kind: "error", error: providerError(ErrorCode.ProviderUnavailable) });
        const error = await routeFailure(f.router.complete(ask("x")));
        expect(error.code).toBe(ErrorCode.RouteExhausted);
        expect(error.retryable).toBe(true);
        // 5 targets (mid ×2, frontier ×2, local), each tried twice.
        expect(error.routing.attempts).toHaveLength(10);
        expect(error.message).toContain("all 10 attempts failed");
        for (const target of [
            "mid/anthropic/claude-haiku-5-5",
            "mid/openai/gpt-5-mini",
            "frontier/anthropic/claude-opus-5-5",
            "frontier/openai/gpt-5.1-codex",
            "local/local/tiercel-code-target",
        ]) {
            expect(error.message).toContain(target);
        }
        expect(error).toBeInstanceOf(ServiceError);
        expect(error.details?.routing).toBe(error.routing);
        expect(f.records.at(-1)?.outcome).toBe("error");
    });

    it("when every target tried found the prompt too long, that is the error (not a failed route)", async () => {
        const f = setupRouter({ reliability: { maxRetries: 1 } });
        for (const p of [f.anthropic, f.openai, f.local])
            p.always({ kind: "error", error: providerError(ErrorCode.ContextOverflow) });
        const error = await routeFailure(f.router.complete(ask("x")));
        expect(error.code).toBe(ErrorCode.ContextOverflow);
        expect(error.retryable).toBe(false);
        expect(error.routing.attempts).toHaveLength(5); // fallen back on, never retried

        // One target failed otherwise (a 5xx): the route failed, not the prompt's length.
        const g = setupRouter({ reliability: { maxRetries: 0 } });
        for (const p of [g.anthropic, g.local])
            p.always({ kind: "error", error: providerError(ErrorCode.ContextOverflow) });
        g.openai.always({ kind: "error", error: providerError(ErrorCode.ProviderUnavailable) });
        const mixed = await routeFailure(g.router.complete(ask("x")));
        expect(mixed.code).toBe(ErrorCode.RouteExhausted);
    });

    it("when every target tried was busy, the error is their capacity code (not a failed route)", async () => {
        const local = {
            tiers: [{ name: "local", targets: [{ provider: "local", model: "t" }] }],
            policy: {},
        };
        const f = setupRouter({ ...local, reliability: { maxRetries: 1, backoffBaseMs: 1 } });
        // The local tier's E_QUEUE_FULL is retryable (docs/grpc-api.md).
        const queueFull = () => providerError(ErrorCode.QueueFull, { retryable: true });
        f.local.always({ kind: "error", error: queueFull() });
        const busy = await routeFailure(f.router.complete(ask("x")));
        expect(busy.code).toBe(ErrorCode.QueueFull);
        expect(busy.retryable).toBe(true);
        expect(busy.routing.attempts).toHaveLength(2);

        // Busy in different ways (a full queue, a rate-limited provider): overloaded.
        const g = setupRouter({ reliability: { maxRetries: 0 } });
        g.local.always({ kind: "error", error: queueFull() });
        for (const p of [g.anthropic, g.openai])
            p.always({ kind: "error", error: providerError(ErrorCode.ProviderRateLimited) });
        expect((await routeFailure(g.router.complete(ask("x")))).code).toBe(ErrorCode.ProviderOverloaded);

        // One target broken, not busy: the route failed.
        const h = setupRouter({ reliability: { maxRetries: 0 } });
        h.local.always({ kind: "error", error: queueFull() });
        h.anthropic.always({ kind: "error", error: providerError(ErrorCode.ProviderRateLimited) });
        h.openai.always({ kind: "error", error: providerError(ErrorCode.ProviderUnavailable) });
        expect((await routeFailure(h.router.complete(ask("x")))).code).toBe(ErrorCode.RouteExhausted);
    });

    it("a full local queue never opens the local tier's breaker: the next request is served", async () => {
        const f = setupRouter({
            tiers: [{ name: "local", targets: [{ provider: "local", model: "t" }] }],
            policy: {},
            reliability: { maxRetries: 0 },
        });
        f.local.always({ kind: "error", error: providerError(ErrorCode.QueueFull, { retryable: true }) });
        for (let i = 0; i < 12; i++) await routeFailure(f.router.complete(ask(`burst ${i}`)));
        const [target] = (await f.router.decide(ask("x"))).targets;
        expect(target?.breaker).toBe("closed");
        f.local.always({ kind: "ok" });
        const served = await f.router.complete(ask("after the burst"));
        expect(served.routing).toMatchObject({ tier: "local", outcome: "ok" });
    });

    it("skips a target that cannot serve the request and says why", async () => {
        const f = setupRouter();
        f.local.unsupportedReason = (r) =>
            (r.tools?.length ?? 0) > 0 ? "the local tier has no tool calling" : undefined;
        f.anthropic.enqueue({ kind: "ok" });
        const response = await f.router.complete(
            ask("complete this", {
                hints: { task_type: "completion" },
                tools: [{ name: "read", input_schema: { type: "object" } }],
            }),
        );
        expect(response.routing.decided_tier).toBe("local");
        expect(response.routing.attempts[0]).toMatchObject({
            provider: "local",
            outcome: "skipped_unsupported",
            message: "the local tier has no tool calling",
        });
        expect(response.routing).toMatchObject({ tier: "mid", provider: "anthropic", fallback: true });
        expect(f.local.calls).toHaveLength(0);
    });

    it("no target able to serve the request is a clear, non-retryable error", async () => {
        const f = setupRouter({
            tiers: [{ name: "local", targets: [{ provider: "local", model: "t" }] }],
            policy: {},
        });
        f.local.unsupportedReason = () => "the local tier has no tool calling";
        const error = await routeFailure(f.router.complete(ask("x")));
        expect(error.code).toBe(ErrorCode.RouteExhausted);
        expect(error.retryable).toBe(false);
        expect(error.message).toContain("no configured target can serve this request");
        expect(error.message).toContain("skipped_unsupported (the local tier has no tool calling)");
    });
});

describe("deadlines and cancellation", () => {
    it("abandons an attempt at its own timeout and falls back without retrying the slow target", async () => {
        const f = setupRouter({ reliability: { maxRetries: 2, attemptTimeoutMs: 20 } });
        f.anthropic.enqueue({ kind: "hang" });
        f.openai.enqueue({ kind: "ok" });
        const response = await f.router.complete(ask("x"));
        expect(response.routing.attempts[0]).toMatchObject({
            outcome: "timeout",
            error_code: ErrorCode.ProviderTimeout,
        });
        expect(f.anthropic.calls[0]!.signal.aborted).toBe(true);
        expect(f.anthropic.calls).toHaveLength(1);
        expect(response.routing.provider).toBe("openai");
    });

    it("stops at the request's total deadline", async () => {
        const f = setupRouter({ reliability: { maxRetries: 0 } });
        f.anthropic.always({ kind: "hang" });
        const error = await routeFailure(f.router.complete(ask("x"), { timeoutMs: 30 }));
        expect(error.code).toBe(ErrorCode.DeadlineExceeded);
        expect(error.retryable).toBe(true);
        expect(error.routing.attempts).toHaveLength(1);
        expect(error.routing.attempts[0]).toMatchObject({
            outcome: "cancelled",
            error_code: ErrorCode.DeadlineExceeded,
        });
        expect(f.openai.calls).toHaveLength(0);
    });

    it("a caller's cancel aborts the attempt and nothing is retried", async () => {
        const f = setupRouter();
        f.anthropic.always({ kind: "hang" });
        const controller = new AbortController();
        const pending = f.router.complete(ask("x"), { signal: controller.signal });
        setTimeout(() => {
            controller.abort();
        }, 10);
        const error = await routeFailure(pending);
        expect(error.code).toBe(ErrorCode.Cancelled);
        expect(f.anthropic.calls).toHaveLength(1);
        expect(f.anthropic.calls[0]!.signal.aborted).toBe(true);
        expect(f.openai.calls).toHaveLength(0);
    });

    it("an already-aborted signal sends nothing", async () => {
        const f = setupRouter();
        const error = await routeFailure(f.router.complete(ask("x"), { signal: AbortSignal.abort() }));
        expect(error.code).toBe(ErrorCode.Cancelled);
        expect(f.anthropic.calls).toHaveLength(0);
    });

    it("close() cancels in-flight requests, closes providers and refuses new ones", async () => {
        const f = setupRouter();
        f.anthropic.always({ kind: "hang" });
        const pending = f.router.complete(ask("x"));
        await new Promise((resolve) => setTimeout(resolve, 5));
        await f.router.close();
        expect((await routeFailure(pending)).code).toBe(ErrorCode.Cancelled);
        expect([f.anthropic.closed, f.openai.closed, f.local.closed]).toEqual([true, true, true]);
        await expect(f.router.complete(ask("x"))).rejects.toMatchObject({ code: ErrorCode.NotReady });
    });
});

describe("request validation", () => {
    it.each([
        ["no messages", { messages: [] }, "messages"],
        ["an unknown field", { messages: [{ role: "user", content: "x" }], maxTokens: 5 }, "maxTokens"],
        ["a system message in messages", { messages: [{ role: "system", content: "x" }] }, "messages.0.role"],
        ["an empty stop sequence", { messages: [{ role: "user", content: "x" }], stop: [""] }, "stop.0"],
        [
            "a completion with messages",
            { messages: [{ role: "user", content: "x" }], completion: { prompt: "a" } },
            "messages: a completion request has no messages",
        ],
        [
            "a completion with a system prompt",
            { messages: [], system: "s", completion: { prompt: "a" } },
            "system: a completion request has no system",
        ],
        ["a completion without a prompt", { messages: [], completion: { suffix: "b" } }, "completion.prompt"],
        ["a top_p of 0", { messages: [], completion: { prompt: "a" }, top_p: 0 }, "top_p"],
        [
            "a presence_penalty over 2",
            { messages: [{ role: "user", content: "a" }], presence_penalty: 2.5 },
            "presence_penalty",
        ],
        ["a negative top_k", { messages: [{ role: "user", content: "a" }], top_k: -1 }, "top_k"],
        [
            "a tool call in a user message",
            {
                messages: [
                    { role: "user", content: [{ type: "tool_call", id: "1", name: "a", arguments: {} }] },
                ],
            },
            "messages.0",
        ],
    ])("refuses %s", async (_name, request, path) => {
        const f = setupRouter();
        const error: unknown = await f.router.complete(request as never).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect((error as Error).message).toContain(path);
    });

    it("refuses an unknown hints.tier, naming the tiers", async () => {
        const f = setupRouter();
        await expect(f.router.complete(ask("x", { hints: { tier: "gold" } }))).rejects.toThrow(
            /not a configured tier \(tiers: local, mid, frontier\)/,
        );
    });
});

describe("decide() and the classifier seam", () => {
    it("shows the decision and the plan without calling anything", async () => {
        const f = setupRouter();
        const decision = await f.router.decide(ask("x", { hints: { tags: ["security"] } }));
        expect(decision).toEqual({
            tier: "frontier",
            routing_reason: "rule:security",
            policy_reason: "rule:security",
            classifier_score: null,
            cascade_to: null,
            targets: [
                { tier: "frontier", provider: "anthropic", model: "claude-opus-5-5", breaker: "closed" },
                { tier: "frontier", provider: "openai", model: "gpt-5.1-codex", breaker: "closed" },
                { tier: "mid", provider: "anthropic", model: "claude-haiku-5-5", breaker: "closed" },
                { tier: "mid", provider: "openai", model: "gpt-5-mini", breaker: "closed" },
                { tier: "local", provider: "local", model: "tiercel-code-target", breaker: "closed" },
            ],
        });
        expect(f.anthropic.calls).toHaveLength(0);
        expect(f.records).toHaveLength(0);
    });

    it("consults a classifier only when no rule matches, sync or async, and survives its failure", async () => {
        const seen: string[] = [];
        const classify = (text: string) => {
            seen.push(text);
            if (text === "boom") throw new Error("model not loaded");
            if (text === "later") return Promise.resolve({ tier: "local", score: 0.2, classifier: "tiny" });
            return { tier: "frontier", score: 0.91, classifier: "tiny" };
        };
        const f = setupRouter(
            {},
            { classifier: { classify: (features) => classify(features.lastUserText) } },
        );
        expect(await f.router.decide(ask("hard question"))).toMatchObject({
            tier: "frontier",
            routing_reason: "classifier:tiny",
            classifier_score: 0.91,
        });
        expect(await f.router.decide(ask("later"))).toMatchObject({
            tier: "local",
            routing_reason: "classifier:tiny",
            classifier_score: 0.2,
        });
        expect(await f.router.decide(ask("boom"))).toMatchObject({ tier: "mid", routing_reason: "default" });
        expect(await f.router.decide(ask("rule wins", { hints: { tags: ["security"] } }))).toMatchObject({
            routing_reason: "rule:security",
        });
        expect(seen).toEqual(["hard question", "later", "boom"]);
    });

    it("records the classifier's score, the calibration input, and null when rules decided", async () => {
        const f = setupRouter(
            {},
            { classifier: { classify: () => ({ tier: "local", score: 0.37, classifier: "tiny" }) } },
        );
        f.local.always({ kind: "ok", text: "done" });
        f.anthropic.always({ kind: "ok", text: "done" });
        await f.router.complete(ask("rename this variable"));
        await f.router.complete(ask("audit this", { hints: { tags: ["security"] } }));
        expect(f.records.map((r) => [r.policy_reason, r.classifier_score])).toEqual([
            ["classifier:tiny", 0.37],
            ["rule:security", null],
        ]);
    });
});

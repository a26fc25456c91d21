/**
 * The router end to end over HTTP: the official @anthropic-ai/sdk and `openai` SDKs, pointed through
 * `baseURL` at local fake servers that speak the real wire formats (test/helpers/fake*Server.ts). Covers
 * the translation cases with the SDKs' own parsers in the loop, every wire failure (429 + retry-after,
 * 529, 5xx, errors inside streams, truncated and dropped streams, slow first tokens, missing keys), and
 * the breaker over real requests. Budgets are tiny, so nothing here waits for long.
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/errors/codes.js";
import { collectStream } from "../../src/router/collectStream.js";
import type { RouterConfigInput } from "../../src/router/config.js";
import { createRouter, type RouterOptions } from "../../src/router/createRouter.js";
import type { Router } from "../../src/router/ModelRouter.js";
import { RouteFailedError } from "../../src/router/RouteFailedError.js";
import type { ChatRequest } from "../../src/chat/types.js";
import type { RouterStreamEvent } from "../../src/router/types.js";
import { silentLogger } from "../../src/util/logger.js";
import {
    anthropicError,
    anthropicErrorFrame,
    anthropicFrames,
    anthropicMessage,
    anthropicStream,
    anthropicText,
    lastAnthropicBody,
    type AnthropicTurn,
} from "../helpers/fakeAnthropicServer.js";
import {
    lastOpenAIBody,
    openaiCompletion,
    openaiError,
    openaiErrorFrame,
    openaiFrames,
    openaiStream,
} from "../helpers/fakeOpenAIServer.js";
import { useFakeProviders } from "../helpers/fakeProviders.js";

const keys = {
    TEST_ANTHROPIC_KEY: "sk-ant-test-aaaaaaaaaaaaaaaaaaaa",
    TEST_OPENAI_KEY: "sk-test-bbbbbbbbbbbbbbbbbbbbbbbb",
};

const { anthropic, openai, track } = await useFakeProviders();

/** Claude first, GPT as the fallback, one tier each. */
function makeRouter(overrides: Partial<RouterConfigInput> = {}, options: RouterOptions = {}): Router {
    const router = createRouter(
        {
            providers: {
                anthropic: { type: "anthropic", baseURL: anthropic.url, apiKeyEnv: "TEST_ANTHROPIC_KEY" },
                openai: { type: "openai", baseURL: `${openai.url}/v1`, apiKeyEnv: "TEST_OPENAI_KEY" },
            },
            tiers: [
                { name: "mid", targets: [{ provider: "anthropic", model: "claude-sonnet-5-5" }] },
                { name: "frontier", targets: [{ provider: "openai", model: "gpt-5.1-codex" }] },
            ],
            reliability: { maxRetries: 1, backoffBaseMs: 1, backoffMaxMs: 5, maxRetryAfterMs: 1_000 },
            cache: { enabled: false },
            ...overrides,
        },
        { env: keys, logger: silentLogger, ...options },
    );
    track(router);
    return router;
}

const ask = (text: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
    messages: [{ role: "user", content: text }],
    ...extra,
});

const toolTurn: AnthropicTurn = {
    blocks: [
        { type: "text", deltas: ["I'll read ", "it."] },
        { type: "tool_use", id: "toolu_01A", name: "read_file", json: ['{"path"', ': "src/', 'app.ts"}'] },
    ],
    stopReason: "tool_use",
    usage: { input: 320, output: 41 },
};

async function drain(stream: AsyncIterable<RouterStreamEvent>) {
    const events: RouterStreamEvent[] = [];
    try {
        for await (const event of stream) events.push(event);
        return { events, error: undefined };
    } catch (error) {
        return { events, error };
    }
}

describe("Anthropic through @anthropic-ai/sdk", () => {
    it("sends a faithful Messages request and normalizes the answer", async () => {
        const router = makeRouter();
        anthropic.enqueue(anthropicMessage(toolTurn));
        const response = await router.complete({
            system: "You are a coding agent.",
            messages: [{ role: "user", content: "open app.ts" }],
            tools: [
                {
                    name: "read_file",
                    description: "read a file",
                    input_schema: {
                        type: "object",
                        properties: { path: { type: "string" } },
                        required: ["path"],
                    },
                },
            ],
            stop: ["</answer>"],
            max_tokens: 300,
            temperature: 0.2,
        });
        expect(response.content).toEqual([
            { type: "text", text: "I'll read it." },
            { type: "tool_call", id: "toolu_01A", name: "read_file", arguments: { path: "src/app.ts" } },
        ]);
        expect(response).toMatchObject({
            stop_reason: "tool_use",
            usage: { input_tokens: 320, output_tokens: 41 },
        });
        const request = anthropic.requests[0]!;
        expect(request.path).toBe("/v1/messages");
        expect(request.headers.authorization).toBe(`Bearer ${keys.TEST_ANTHROPIC_KEY}`);
        expect(request.headers["anthropic-version"]).toBeDefined();
        expect(request.body).toEqual({
            model: "claude-sonnet-5-5",
            max_tokens: 300,
            system: "You are a coding agent.",
            stop_sequences: ["</answer>"],
            messages: [{ role: "user", content: "open app.ts" }],
            tools: [
                {
                    name: "read_file",
                    description: "read a file",
                    input_schema: {
                        type: "object",
                        properties: { path: { type: "string" } },
                        required: ["path"],
                    },
                },
            ],
            stream: false,
        });
    });

    it("records the model version the API reports, for complete() and stream()", async () => {
        const router = makeRouter();
        const snapshot = "claude-sonnet-5-5-20261101";
        anthropic.enqueue(anthropicMessage(anthropicText("ok", { model: snapshot })));
        anthropic.enqueue(anthropicStream(anthropicText("ok", { model: snapshot })));
        const { routing } = await router.complete(ask("hi"));
        const { events } = await drain(router.stream(ask("hi again")));
        const end = events.at(-1);
        expect(routing.attempts.map((a) => [a.model, a.model_version])).toEqual([
            ["claude-sonnet-5-5", snapshot],
        ]);
        expect(end?.type === "message_end" && end.routing.attempts.map((a) => a.model_version)).toEqual([
            snapshot,
        ]);
    });

    it("streams text and a tool call with its JSON arguments through the SDK's parser", async () => {
        const router = makeRouter();
        anthropic.enqueue(anthropicStream(toolTurn));
        const { events, error } = await drain(router.stream(ask("open app.ts")));
        expect(error).toBeUndefined();
        expect(events.map((e) => e.type)).toEqual([
            "message_start",
            "text_delta",
            "text_delta",
            "tool_call_start",
            "tool_call_delta",
            "tool_call_delta",
            "tool_call_delta",
            "tool_call_end",
            "message_end",
        ]);
        expect(events.find((e) => e.type === "tool_call_end")).toEqual({
            type: "tool_call_end",
            index: 1,
            arguments: { path: "src/app.ts" },
        });
        expect(events.at(-1)).toMatchObject({
            stop_reason: "tool_use",
            usage: { input_tokens: 320, output_tokens: 41 },
        });
        expect(lastAnthropicBody(anthropic).stream).toBe(true);
    });

    it("two content_block_stop events for one tool block yield one tool_call_end (LiteLLM #37273)", async () => {
        const router = makeRouter();
        const frames = anthropicFrames(toolTurn);
        const stop = frames.findIndex(
            (f) => f.event === "content_block_stop" && (f.data as { index: number }).index === 1,
        );
        frames.splice(stop, 0, frames[stop]!);
        anthropic.enqueue({ kind: "sse", frames });
        const response = await collectStream(router.stream(ask("x")));
        expect(response.content.filter((p) => p.type === "tool_call")).toHaveLength(1);
    });

    it("end_turn reported for a tool turn becomes tool_use (LiteLLM #34692)", async () => {
        const router = makeRouter();
        anthropic.enqueue(anthropicStream({ ...toolTurn, stopReason: "end_turn" }));
        expect((await collectStream(router.stream(ask("x")))).stop_reason).toBe("tool_use");
    });

    it("sends stop sequences and reports which one stopped generation (LiteLLM #37118)", async () => {
        const router = makeRouter();
        anthropic.enqueue(
            anthropicStream(
                anthropicText("SELECT 1;", { stopReason: "stop_sequence", stopSequence: "</sql>" }),
            ),
        );
        const response = await collectStream(router.stream(ask("x", { stop: ["</sql>", "\n\n"] })));
        expect(lastAnthropicBody(anthropic).stop_sequences).toEqual(["</sql>", "\n\n"]);
        expect(response).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "</sql>" });
    });

    it("529 overloaded is retried on the same target", async () => {
        const router = makeRouter();
        anthropic.enqueue(
            anthropicError(529, "overloaded_error", "Overloaded"),
            anthropicMessage(anthropicText("ok")),
        );
        const response = await router.complete(ask("x"));
        expect(response.routing.attempts.map((a) => [a.provider, a.outcome, a.error_code])).toEqual([
            ["anthropic", "error", ErrorCode.ProviderOverloaded],
            ["anthropic", "ok", null],
        ]);
    });

    it("a 429 whose retry-after is too long falls back at once, recording the wait asked for", async () => {
        const router = makeRouter();
        anthropic.enqueue(
            anthropicError(
                429,
                "rate_limit_error",
                "Number of request tokens has exceeded your per-minute rate limit",
                { "retry-after": "30" },
            ),
        );
        openai.enqueue(openaiCompletion({ text: ["from gpt"], finishReason: "stop" }));
        const response = await router.complete(ask("x"));
        expect(response.content).toEqual([{ type: "text", text: "from gpt" }]);
        expect(response.routing.attempts[0]).toMatchObject({
            outcome: "error",
            error_code: ErrorCode.ProviderRateLimited,
            retry_after_ms: 30_000,
        });
        expect(anthropic.requests).toHaveLength(1);
    });

    it("an overloaded_error event before any content falls back; the same event after content fails the stream", async () => {
        const router = makeRouter();
        const frames = anthropicFrames(anthropicText("hello there"));
        anthropic.enqueue({
            kind: "sse",
            frames: [frames[0]!, anthropicErrorFrame("overloaded_error", "Overloaded")],
        });
        anthropic.enqueue({
            kind: "sse",
            frames: [frames[0]!, anthropicErrorFrame("overloaded_error", "Overloaded")],
        });
        openai.enqueue(openaiStream({ text: ["rescued"], finishReason: "stop" }));
        const rescued = await collectStream(router.stream(ask("x")));
        expect(rescued.content).toEqual([{ type: "text", text: "rescued" }]);
        expect(rescued.routing.attempts.map((a) => a.error_code)).toEqual([
            ErrorCode.ProviderOverloaded,
            ErrorCode.ProviderOverloaded,
            null,
        ]);

        const contentAt = frames.findIndex((f) => f.event === "content_block_delta");
        anthropic.enqueue({
            kind: "sse",
            frames: [
                ...frames.slice(0, contentAt + 1),
                anthropicErrorFrame("overloaded_error", "Overloaded"),
            ],
        });
        const { events, error } = await drain(router.stream(ask("y")));
        expect(events.map((e) => e.type)).toEqual(["message_start", "text_delta"]);
        expect(error).toBeInstanceOf(RouteFailedError);
        expect(error).toMatchObject({ code: ErrorCode.ProviderOverloaded });
        expect(openai.requests).toHaveLength(1); // not retried elsewhere
    });

    it("a stream that ends without message_stop, or whose connection drops, is E_PROVIDER_STREAM", async () => {
        const router = makeRouter({ reliability: { maxRetries: 0 } });
        const frames = anthropicFrames(anthropicText("hello there"));
        const contentAt = frames.findIndex((f) => f.event === "content_block_delta");
        anthropic.enqueue({ kind: "sse", frames: frames.slice(0, contentAt + 1) });
        const truncated = await drain(router.stream(ask("a")));
        expect(truncated.events.some((e) => e.type === "text_delta")).toBe(true);
        expect(truncated.error).toMatchObject({ code: ErrorCode.ProviderStream });

        anthropic.enqueue({ kind: "sse", frames: frames.slice(0, 1), destroyAfter: true });
        openai.enqueue(openaiStream({ text: ["fine"], finishReason: "stop" }));
        const dropped = await collectStream(router.stream(ask("b")));
        expect(dropped.routing.attempts[0]).toMatchObject({
            provider: "anthropic",
            error_code: ErrorCode.ProviderStream,
        });
        expect(dropped.routing.provider).toBe("openai");
    });

    it("a slow first token is abandoned at firstTokenTimeoutMs (the request is cancelled upstream) and falls back", async () => {
        // Only the slow target gets the tight budget: on a loaded machine the fallback's first token may
        // take longer than 50 ms too, and this test is about abandoning the slow one.
        const router = makeRouter({
            reliability: { maxRetries: 0 },
            tiers: [
                {
                    name: "mid",
                    targets: [{ provider: "anthropic", model: "claude-sonnet-5-5", firstTokenTimeoutMs: 50 }],
                },
                { name: "frontier", targets: [{ provider: "openai", model: "gpt-5.1-codex" }] },
            ],
        });
        const frames = anthropicFrames(anthropicText("late"));
        const contentAt = frames.findIndex((f) => f.event === "content_block_delta");
        frames[contentAt] = { ...frames[contentAt]!, delayMs: 5_000 };
        anthropic.enqueue({ kind: "sse", frames });
        openai.enqueue(openaiStream({ text: ["fast"], finishReason: "stop" }));
        const response = await collectStream(router.stream(ask("x")));
        expect(response.routing.attempts[0]).toMatchObject({
            outcome: "timeout",
            error_code: ErrorCode.ProviderTimeout,
        });
        expect(response.content).toEqual([{ type: "text", text: "fast" }]);
        await expect.poll(() => anthropic.clientAborts).toBe(1);
    });

    it("a missing API key is E_PROVIDER_AUTH before any request, and the request falls back", async () => {
        const router = makeRouter({}, { env: { TEST_OPENAI_KEY: keys.TEST_OPENAI_KEY } });
        openai.enqueue(openaiCompletion({ text: ["ok"], finishReason: "stop" }));
        const response = await router.complete(ask("x"));
        expect(response.routing.attempts[0]).toMatchObject({
            error_code: ErrorCode.ProviderAuth,
            message: "anthropic: no API key: set the TEST_ANTHROPIC_KEY environment variable",
        });
        expect(anthropic.requests).toHaveLength(0);
    });

    it("the breaker opens on real 529s, skips Claude, then a half-open probe closes it", async () => {
        let clock = 0;
        const router = makeRouter(
            { reliability: { maxRetries: 0 }, breaker: { consecutiveFailures: 2, openMs: 30_000 } },
            { now: () => clock },
        );
        anthropic.enqueue(
            anthropicError(529, "overloaded_error", "Overloaded"),
            anthropicError(529, "overloaded_error", "Overloaded"),
        );
        openai.setFallback(openaiCompletion({ text: ["gpt"], finishReason: "stop" }));
        await router.complete(ask("1"));
        await router.complete(ask("2"));
        const claude = () => router.breakers().find((b) => b.provider === "anthropic")!;
        expect(claude()).toMatchObject({ state: "open", trip: "consecutive_failures" });
        const skipped = await router.complete(ask("3"));
        expect(skipped.routing.attempts[0]?.outcome).toBe("skipped_open");
        expect(anthropic.requests).toHaveLength(2);
        clock += 30_000;
        expect(claude().state).toBe("half_open");
        anthropic.enqueue(anthropicMessage(anthropicText("back")));
        const probe = await router.complete(ask("4"));
        expect(probe.routing.provider).toBe("anthropic");
        expect(claude().state).toBe("closed");
    });
});

describe("OpenAI through the openai SDK", () => {
    const gptFirst: Partial<RouterConfigInput> = {
        tiers: [
            { name: "mid", targets: [{ provider: "openai", model: "gpt-5.1-codex" }] },
            { name: "frontier", targets: [{ provider: "anthropic", model: "claude-sonnet-5-5" }] },
        ],
    };

    it("sends a faithful Chat Completions request (tool messages, max_completion_tokens, stop, include_usage)", async () => {
        const router = makeRouter(gptFirst);
        openai.enqueue(
            openaiStream({ text: ["done"], finishReason: "stop", usage: { prompt: 80, completion: 3 } }),
        );
        const response = await collectStream(
            router.stream({
                system: "be brief",
                messages: [
                    { role: "user", content: "run the tests" },
                    {
                        role: "assistant",
                        content: [
                            { type: "tool_call", id: "call_1", name: "run", arguments: { cmd: "npm test" } },
                        ],
                    },
                    {
                        role: "user",
                        content: [{ type: "tool_result", tool_call_id: "call_1", content: "ok" }],
                    },
                ],
                tools: [
                    {
                        name: "run",
                        input_schema: { type: "object", properties: { cmd: { type: "string" } } },
                    },
                ],
                stop: ["END"],
                temperature: 0,
                max_tokens: 100,
            }),
        );
        expect(response).toMatchObject({
            content: [{ type: "text", text: "done" }],
            usage: { input_tokens: 80, output_tokens: 3 },
        });
        const request = openai.requests[0]!;
        expect(request.headers.authorization).toBe(`Bearer ${keys.TEST_OPENAI_KEY}`);
        expect(lastOpenAIBody(openai)).toEqual({
            model: "gpt-5.1-codex",
            messages: [
                { role: "system", content: "be brief" },
                { role: "user", content: "run the tests" },
                {
                    role: "assistant",
                    content: null,
                    tool_calls: [
                        {
                            id: "call_1",
                            type: "function",
                            function: { name: "run", arguments: '{"cmd":"npm test"}' },
                        },
                    ],
                },
                { role: "tool", tool_call_id: "call_1", content: "ok" },
            ],
            max_completion_tokens: 100,
            temperature: 0,
            stop: ["END"],
            tools: [
                {
                    type: "function",
                    function: {
                        name: "run",
                        parameters: { type: "object", properties: { cmd: { type: "string" } } },
                    },
                },
            ],
            stream: true,
            stream_options: { include_usage: true },
        });
    });

    it("streams tool calls from index-keyed fragments and takes usage from the final chunk", async () => {
        const router = makeRouter(gptFirst);
        openai.enqueue(
            openaiStream({
                toolCalls: [
                    { id: "call_a", name: "read_file", args: ['{"path":', '"a.ts"}'] },
                    { id: "call_b", name: "read_file", args: ['{"path":"b.ts"}'] },
                ],
                finishReason: "tool_calls",
                usage: { prompt: 90, completion: 30 },
            }),
        );
        const response = await collectStream(router.stream(ask("read both")));
        expect(response.content).toEqual([
            { type: "tool_call", id: "call_a", name: "read_file", arguments: { path: "a.ts" } },
            { type: "tool_call", id: "call_b", name: "read_file", arguments: { path: "b.ts" } },
        ]);
        expect(response).toMatchObject({
            stop_reason: "tool_use",
            usage: { input_tokens: 90, output_tokens: 30 },
        });
    });

    it("honours retry-after-ms on a 429 and retries the same target", async () => {
        const router = makeRouter(gptFirst);
        openai.enqueue(
            openaiError(429, "requests", "rate_limit_exceeded", "Rate limit reached", {
                "retry-after-ms": "20",
            }),
            openaiCompletion({ text: ["ok"], finishReason: "stop" }),
        );
        const response = await router.complete(ask("x"));
        expect(response.routing.attempts.map((a) => [a.provider, a.outcome, a.retry_after_ms])).toEqual([
            ["openai", "error", 20],
            ["openai", "ok", null],
        ]);
    });

    it("5xx and an error object inside the stream both fall back before content", async () => {
        const router = makeRouter({ ...gptFirst, reliability: { maxRetries: 0 } });
        openai.enqueue(
            openaiError(500, "server_error", null, "The server had an error while processing your request."),
        );
        anthropic.enqueue(anthropicStream(anthropicText("claude 1")));
        expect(
            (await collectStream(router.stream(ask("a")))).routing.attempts.map((a) => a.error_code),
        ).toEqual([ErrorCode.ProviderUnavailable, null]);

        const frames = openaiFrames({ text: ["x"], finishReason: "stop" });
        openai.enqueue({
            kind: "sse",
            frames: [frames[0]!, openaiErrorFrame("server_error", null, "overloaded")],
        });
        anthropic.enqueue(anthropicStream(anthropicText("claude 2")));
        const second = await collectStream(router.stream(ask("b")));
        expect(second.content).toEqual([{ type: "text", text: "claude 2" }]);
        expect(second.routing.attempts[0]).toMatchObject({ provider: "openai", outcome: "error" });
    });

    it("a stream cut before its finish_reason is E_PROVIDER_STREAM", async () => {
        const router = makeRouter({ ...gptFirst, reliability: { maxRetries: 0 } });
        const frames = openaiFrames({ text: ["par", "tial"], finishReason: "stop" });
        openai.enqueue({ kind: "sse", frames: frames.slice(0, 3) });
        const { events, error } = await drain(router.stream(ask("x")));
        expect(events.filter((e) => e.type === "text_delta")).toHaveLength(2);
        expect(error).toMatchObject({ code: ErrorCode.ProviderStream });
    });

    it("context_length_exceeded falls back to a model with a bigger window; 401 too", async () => {
        const router = makeRouter(gptFirst);
        openai.enqueue(
            openaiError(
                400,
                "invalid_request_error",
                "context_length_exceeded",
                "This model's maximum context length is 128000 tokens.",
            ),
        );
        anthropic.enqueue(anthropicMessage(anthropicText("long")));
        expect((await router.complete(ask("a"))).routing.attempts.map((a) => a.error_code)).toEqual([
            ErrorCode.ContextOverflow,
            null,
        ]);
        openai.enqueue(
            openaiError(
                401,
                "invalid_request_error",
                "invalid_api_key",
                "Incorrect API key provided: sk-test-bbbb****bbbb.",
            ),
        );
        anthropic.enqueue(anthropicMessage(anthropicText("authorized")));
        const second = await router.complete(ask("b"));
        expect(second.routing.attempts[0]).toMatchObject({ error_code: ErrorCode.ProviderAuth });
        expect(second.content).toEqual([{ type: "text", text: "authorized" }]);
    });

    it("more stop sequences than Chat Completions accepts: skipped, never silently dropped", async () => {
        const router = makeRouter(gptFirst);
        anthropic.enqueue(anthropicMessage(anthropicText("ok")));
        const stop = ["a1", "b2", "c3", "d4", "e5"];
        const response = await router.complete(ask("x", { stop }));
        expect(response.routing.attempts[0]).toMatchObject({
            provider: "openai",
            outcome: "skipped_unsupported",
        });
        expect(openai.requests).toHaveLength(0);
        expect(lastAnthropicBody(anthropic).stop_sequences).toEqual(stop);
    });
});

describe("no request lost", () => {
    it("every request is answered by a fallback, or fails with an error that lists its attempts", async () => {
        const router = makeRouter({ reliability: { maxRetries: 0 } });
        const failures = [
            anthropicError(529, "overloaded_error", "Overloaded"),
            anthropicError(500, "api_error", "Internal server error"),
            { kind: "drop" as const },
            anthropicError(429, "rate_limit_error", "slow down", { "retry-after": "60" }),
        ];
        for (const failure of failures) anthropic.enqueue(failure);
        openai.enqueue(
            openaiCompletion({ text: ["1"], finishReason: "stop" }),
            openaiError(503, "server_error", null, "overloaded"),
            openaiCompletion({ text: ["3"], finishReason: "stop" }),
            openaiError(500, "server_error", null, "boom"),
        );
        const results = await Promise.allSettled(failures.map((_f, i) => router.complete(ask(`q${i}`))));
        const summary = results.map((r) =>
            r.status === "fulfilled"
                ? `ok:${r.value.routing.provider}`
                : `error:${(r.reason as RouteFailedError).code}`,
        );
        expect(summary.filter((s) => s === "ok:openai")).toHaveLength(2);
        expect(summary.filter((s) => s === `error:${ErrorCode.RouteExhausted}`)).toHaveLength(2);
        for (const result of results) {
            if (result.status === "fulfilled") continue;
            const error = result.reason as RouteFailedError;
            expect(error).toBeInstanceOf(RouteFailedError);
            expect(error.routing.attempts.map((a) => a.provider)).toEqual(["anthropic", "openai"]);
            expect(error.message).toContain("mid/anthropic/claude-sonnet-5-5: error");
            expect(error.message).toContain("frontier/openai/gpt-5.1-codex: error");
        }
        expect(anthropic.requests).toHaveLength(4);
        expect(openai.requests).toHaveLength(4);
    });
});

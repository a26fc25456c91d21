/**
 * Hosted-provider faults through the official SDKs (`@anthropic-ai/sdk`, `openai`) against the local
 * protocol-faithful fake servers: each fault on a single target, no retries, no fallback, so the routed
 * request fails with exactly the code that fault maps to and the attempt records it.
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/errors/codes.js";
import { createRouter } from "../../src/router/createRouter.js";
import type { Router } from "../../src/router/ModelRouter.js";
import { RouteFailedError } from "../../src/router/RouteFailedError.js";
import type { ChatRequest } from "../../src/chat/types.js";
import { silentLogger } from "../../src/util/logger.js";
import { anthropicError, anthropicFrames, anthropicText } from "../helpers/fakeAnthropicServer.js";
import type { Reply, SseFrame } from "../helpers/fakeHttpServer.js";
import { openaiError, openaiFrames } from "../helpers/fakeOpenAIServer.js";
import { useFakeProviders } from "../helpers/fakeProviders.js";

const { anthropic, openai, track } = await useFakeProviders();

type Kind = "anthropic" | "openai";

function routerFor(kind: Kind): Router {
    const router = createRouter(
        {
            providers:
                kind === "anthropic"
                    ? { p: { type: "anthropic", baseURL: anthropic.url, apiKeyEnv: "KEY" } }
                    : { p: { type: "openai", baseURL: `${openai.url}/v1`, apiKeyEnv: "KEY" } },
            tiers: [{ name: "only", targets: [{ provider: "p", model: "m", firstTokenTimeoutMs: 200 }] }],
            reliability: { maxRetries: 0, attemptTimeoutMs: 1_000, maxRetryAfterMs: 0 },
            breaker: { enabled: false },
            cache: { enabled: false },
        },
        { env: { KEY: "sk-test-cccccccccccccccccccccccc" }, logger: silentLogger },
    );
    track(router);
    return router;
}

const ask: ChatRequest = { messages: [{ role: "user", content: "hi" }] };

/** The provider's stream frames for a two-delta answer, and the index of the first content frame. */
function frames(kind: Kind): { frames: SseFrame[]; first: number } {
    const all =
        kind === "anthropic"
            ? anthropicFrames(anthropicText("", { blocks: [{ type: "text", deltas: ["one ", "two"] }] }))
            : openaiFrames({ text: ["one ", "two"], finishReason: "stop" });
    const first = all.findIndex((f) =>
        kind === "anthropic"
            ? f.event === "content_block_delta"
            : JSON.stringify(f.data).includes('"content":"one '),
    );
    return { frames: all, first };
}

const error = (kind: Kind, status: number, headers?: Record<string, string>): Reply =>
    kind === "anthropic"
        ? anthropicError(status, status === 429 ? "rate_limit_error" : "api_error", "fault", headers)
        : openaiError(
              status,
              status === 429 ? "rate_limit_exceeded" : "server_error",
              null,
              "fault",
              headers,
          );

interface Fault {
    name: string;
    stream: boolean;
    reply: (kind: Kind) => Reply;
    code: ErrorCode;
    retryAfterMs?: number;
}

const faults: Fault[] = [
    { name: "500", stream: false, reply: (k) => error(k, 500), code: ErrorCode.ProviderUnavailable },
    {
        name: "503 on a stream",
        stream: true,
        reply: (k) => error(k, 503),
        code: ErrorCode.ProviderOverloaded,
    },
    {
        name: "429 with Retry-After",
        stream: false,
        reply: (k) => error(k, 429, { "retry-after": "2" }),
        code: ErrorCode.ProviderRateLimited,
        retryAfterMs: 2_000,
    },
    {
        name: "truncated SSE (no end event)",
        stream: true,
        reply: (k) => {
            const { frames: all, first } = frames(k);
            return { kind: "sse", frames: all.slice(0, first + 1) };
        },
        code: ErrorCode.ProviderStream,
    },
    {
        name: "connection cut mid-stream",
        stream: true,
        reply: (k) => {
            const { frames: all, first } = frames(k);
            return { kind: "sse", frames: all.slice(0, first + 1), destroyAfter: true };
        },
        code: ErrorCode.ProviderStream,
    },
    {
        name: "cut JSON body",
        stream: false,
        reply: () => ({ kind: "raw", status: 200, body: '{"id":"msg_1","type":"mess' }),
        code: ErrorCode.ProviderStream,
    },
    {
        // Valid JSON, but not the API's answer (a proxy or an "OpenAI-compatible" server that differs): the
        // provider breaking the protocol, so E_PROVIDER_STREAM and fall back, not tiercel's E_INTERNAL.
        name: "a unary answer whose content is null",
        stream: false,
        reply: (k) => ({
            kind: "json",
            status: 200,
            body:
                k === "anthropic"
                    ? {
                          id: "msg_1",
                          type: "message",
                          role: "assistant",
                          model: "m",
                          content: [null],
                          stop_reason: "end_turn",
                          usage: { input_tokens: 1, output_tokens: 1 },
                      }
                    : {
                          id: "c1",
                          object: "chat.completion",
                          created: 1,
                          model: "m",
                          choices: [
                              {
                                  index: 0,
                                  message: {
                                      role: "assistant",
                                      content: "x",
                                      tool_calls: [
                                          {
                                              id: "t",
                                              type: "function",
                                              function: { name: "f", arguments: 5 },
                                          },
                                      ],
                                  },
                                  finish_reason: "tool_calls",
                              },
                          ],
                      },
        }),
        code: ErrorCode.ProviderStream,
    },
    {
        name: "stall before the first token",
        stream: true,
        reply: (k) => {
            const { frames: all, first } = frames(k);
            all[first] = { ...all[first]!, delayMs: 10_000 };
            return { kind: "sse", frames: all };
        },
        code: ErrorCode.ProviderTimeout,
    },
    {
        name: "stall after the first token",
        stream: true,
        reply: (k) => {
            const { frames: all, first } = frames(k);
            all[first + 1] = { ...all[first + 1]!, delayMs: 10_000 };
            return { kind: "sse", frames: all };
        },
        code: ErrorCode.ProviderTimeout,
    },
];

describe.each<Kind>(["anthropic", "openai"])("%s faults through the official SDK", (kind) => {
    it.each(faults)("$name → $code", async (fault) => {
        const server = kind === "anthropic" ? anthropic : openai;
        server.enqueue(fault.reply(kind));
        const router = routerFor(kind);
        let failure: unknown;
        try {
            if (fault.stream) for await (const _event of router.stream(ask));
            else await router.complete(ask);
        } catch (e) {
            failure = e;
        }
        expect(failure).toBeInstanceOf(RouteFailedError);
        const routed = failure as RouteFailedError;
        expect(routed.routing.attempts).toHaveLength(1);
        expect(routed.routing.attempts[0]?.error_code).toBe(fault.code);
        if (fault.retryAfterMs !== undefined)
            expect(routed.routing.attempts[0]?.retry_after_ms).toBe(fault.retryAfterMs);
    });
});

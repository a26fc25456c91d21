/**
 * Random non-conforming upstream answers through the gateway (fast-check, fixed seed): the fake
 * provider's unary body, or one event of its stream, with values anywhere in it replaced by JSON of
 * another kind or removed, as a proxy or an "OpenAI-compatible" server that differs might send; on each
 * face, same protocol (passed through) and across protocols (translated). Every call ends, in time, with
 * a success or an error in the face's own shape, nothing escapes as an unhandled error, and the gateway
 * keeps serving.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/gateway/startGateway.js";
import { createRouter } from "../../src/router/createRouter.js";
import type { Router } from "../../src/router/ModelRouter.js";
import { silentLogger } from "../../src/util/logger.js";
import {
    anthropicFrames,
    anthropicMessage,
    startFakeAnthropicServer,
    type AnthropicTurn,
    type FakeAnthropicServer,
} from "../helpers/fakeAnthropicServer.js";
import type { FakeHttpServer, Reply, SseFrame } from "../helpers/fakeHttpServer.js";
import {
    openaiCompletion,
    openaiFrames,
    startFakeOpenAIServer,
    type FakeOpenAIServer,
    type OpenAITurn,
} from "../helpers/fakeOpenAIServer.js";
import { responsesFrames, responsesReply } from "../helpers/fakeResponsesApi.js";
import { startTestGateway } from "../helpers/gatewayFixture.js";
import { jsonMutations, mutateJson } from "../helpers/mutateJson.js";

let anthropic: FakeAnthropicServer;
let openai: FakeOpenAIServer;
let router: Router;
let gateway: Gateway;

beforeAll(async () => {
    [anthropic, openai] = await Promise.all([startFakeAnthropicServer(), startFakeOpenAIServer()]);
    router = createRouter(
        {
            providers: {
                openai: { type: "openai", baseURL: `${openai.url}/v1`, apiKeyEnv: "KEY" },
                codex: { type: "openai", api: "responses", baseURL: `${openai.url}/v1`, apiKeyEnv: "KEY" },
                anthropic: { type: "anthropic", baseURL: anthropic.url, apiKeyEnv: "KEY" },
            },
            tiers: [
                { name: "openai", targets: [{ provider: "openai", model: "gpt-5.1-codex" }] },
                { name: "codex", targets: [{ provider: "codex", model: "gpt-5.1-codex" }] },
                { name: "anthropic", targets: [{ provider: "anthropic", model: "claude-sonnet-5-5" }] },
            ],
            reliability: { maxRetries: 0, attemptTimeoutMs: 5_000 },
            breaker: { enabled: false },
            cache: { enabled: false },
            affinity: { enabled: false },
        },
        { env: { KEY: "sk-test-upstream-key" }, logger: silentLogger },
    );
    gateway = await startTestGateway(router);
});

afterAll(async () => {
    await gateway.close();
    await router.close();
    await Promise.all([anthropic.close(), openai.close()]);
});

const openaiTurn: OpenAITurn = {
    text: ["Hel", "lo"],
    toolCalls: [{ id: "call_1", name: "ls", args: ['{"p":', '"."}'] }],
    finishReason: "tool_calls",
};
const anthropicTurn: AnthropicTurn = {
    blocks: [
        { type: "thinking", deltas: ["hm"], signature: "sig" },
        { type: "text", deltas: ["Hel", "lo"] },
        { type: "tool_use", id: "toolu_1", name: "ls", json: ['{"p":', '"."}'] },
    ],
    stopReason: "tool_use",
};

/** A face asked for a tier whose provider answers with `unary` / `frames` (to be mutated). */
interface Case {
    path: string;
    body: Record<string, unknown>;
    upstream: () => FakeHttpServer;
    unary: () => Reply;
    frames: () => SseFrame[];
}

const tools = [{ type: "function", function: { name: "ls", parameters: { type: "object" } } }];
const user = [{ role: "user", content: "hi" }];
const fromOpenAI = {
    upstream: () => openai,
    unary: () => openaiCompletion(openaiTurn),
    frames: () => openaiFrames(openaiTurn),
};
const fromAnthropic = {
    upstream: () => anthropic,
    unary: () => anthropicMessage(anthropicTurn),
    frames: () => anthropicFrames(anthropicTurn),
};
const fromResponses = {
    upstream: () => openai,
    unary: () => responsesReply({ text: ["Hel", "lo"] }),
    frames: () => responsesFrames({ text: ["Hel", "lo"] }),
};
const cases: Case[] = [
    {
        path: "/v1/chat/completions",
        body: { model: "openai", messages: user, max_tokens: 16, tools },
        ...fromOpenAI,
    },
    { path: "/v1/messages", body: { model: "anthropic", messages: user, max_tokens: 16 }, ...fromAnthropic },
    { path: "/v1/responses", body: { model: "codex", input: "hi", max_output_tokens: 16 }, ...fromResponses },
    { path: "/v1/messages", body: { model: "openai", messages: user, max_tokens: 16 }, ...fromOpenAI },
    {
        path: "/v1/chat/completions",
        body: { model: "anthropic", messages: user, max_tokens: 16 },
        ...fromAnthropic,
    },
    {
        path: "/v1/responses",
        body: { model: "anthropic", input: "hi", max_output_tokens: 16 },
        ...fromAnthropic,
    },
];

describe("the gateway under non-conforming upstream answers", () => {
    it("ends every call in time with a success or a protocol-shaped error, and keeps serving", async () => {
        await fc.assert(
            fc.asyncProperty(
                fc.integer({ min: 0, max: cases.length - 1 }),
                fc.boolean(),
                fc.nat(),
                jsonMutations(2),
                async (which, stream, frameAt, mutations) => {
                    const c = cases[which]!;
                    const upstream = c.upstream();
                    upstream.reset();
                    if (stream) {
                        const frames = c.frames();
                        const at = frameAt % frames.length;
                        frames[at] = { ...frames[at]!, data: mutateJson(frames[at]!.data, mutations) };
                        upstream.enqueue({ kind: "sse", frames });
                    } else {
                        const reply = c.unary();
                        upstream.enqueue(
                            reply.kind === "json"
                                ? { ...reply, body: mutateJson(reply.body, mutations) }
                                : reply,
                        );
                    }
                    const response = await fetch(`${gateway.url}${c.path}`, {
                        method: "POST",
                        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
                        body: JSON.stringify({ ...c.body, stream }),
                        signal: AbortSignal.timeout(10_000),
                    });
                    const text = await response.text();
                    if (response.status !== 200) {
                        const error = JSON.parse(text) as { type?: string; error?: { message?: unknown } };
                        expect(typeof error.error?.message, text).toBe("string");
                        if (c.path === "/v1/messages") expect(error.type).toBe("error");
                    } else if (!stream) JSON.parse(text);
                },
            ),
            { seed: 20261128, numRuns: 200 },
        );
        openai.reset();
        openai.enqueue(openaiCompletion({ text: ["ok"], finishReason: "stop" }));
        const ok = await fetch(`${gateway.url}/v1/chat/completions`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ model: "openai", messages: user, max_tokens: 4 }),
        });
        expect(ok.status).toBe(200);
    }, 120_000);
});

/**
 * Same-protocol pass-through, driven by the official SDKs as clients of the gateway: a Messages request
 * that Anthropic answers reaches it as the caller wrote it (cache_control, thinking, metadata,
 * context_management, the billing block, `anthropic-beta`), with only the model and the output cap the
 * router's, and Anthropic's answer comes back as Anthropic wrote it (thinking blocks with their
 * signatures, cache usage, its message id), unary and streamed; a Chat Completions request that OpenAI
 * answers likewise (reasoning_effort, safety_identifier, prompt_cache_key; OpenAI's own completion body), and a
 * Responses request (Codex CLI's) that OpenAI answers on the Responses API (its events relayed, reasoning
 * items included). Crossing
 * protocols, the target gets the normalized request and `x-tiercel-ignored` names what it could not take.
 * A request whose own fields the response cache's key cannot tell apart is never answered from the
 * cache; one without such fields still is.
 */
import type Anthropic from "@anthropic-ai/sdk";
import type OpenAI from "openai";
import type {
    ResponseCreateParamsNonStreaming,
    ResponseCreateParamsStreaming,
    ResponseStreamEvent,
} from "openai/resources/responses/responses";
import { Registry } from "prom-client";
import { AnthropicProvider } from "../../src/providers/anthropic/AnthropicProvider.js";
import { OpenAIProvider } from "../../src/providers/openai/OpenAIProvider.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/gateway/startGateway.js";
import { createRouter } from "../../src/router/createRouter.js";
import type { Router } from "../../src/router/ModelRouter.js";
import type { RoutingRecord } from "../../src/router/types.js";
import { silentLogger } from "../../src/util/logger.js";
import {
    anthropicError,
    anthropicMessage,
    anthropicStream,
    anthropicText,
    lastAnthropicBody,
    startFakeAnthropicServer,
    type AnthropicTurn,
    type FakeAnthropicServer,
} from "../helpers/fakeAnthropicServer.js";
import {
    lastOpenAIBody,
    openaiCompletion,
    openaiStream,
    startFakeOpenAIServer,
    type FakeOpenAIServer,
} from "../helpers/fakeOpenAIServer.js";
import { responsesFrames, responsesReply, type ResponsesTurn } from "../helpers/fakeResponsesApi.js";
import { claudeCodeHeaders, claudeCodeRequest } from "../helpers/fixtures/claudeCodeRequest.js";
import { codexRequest } from "../helpers/fixtures/codexRequest.js";
import { anthropicClient, gatewayKey, openaiClient, startTestGateway } from "../helpers/gatewayFixture.js";

let anthropic: FakeAnthropicServer;
let openai: FakeOpenAIServer;
let router: Router;
let gateway: Gateway;
const records: RoutingRecord[] = [];

beforeAll(async () => {
    [anthropic, openai] = await Promise.all([startFakeAnthropicServer(), startFakeOpenAIServer()]);
    router = createRouter(
        {
            providers: {
                anthropic: { type: "anthropic", baseURL: anthropic.url, apiKeyEnv: "TEST_ANTHROPIC_KEY" },
                openai: { type: "openai", baseURL: `${openai.url}/v1`, apiKeyEnv: "TEST_OPENAI_KEY" },
                codex: {
                    type: "openai",
                    api: "responses",
                    baseURL: `${openai.url}/v1`,
                    apiKeyEnv: "TEST_OPENAI_KEY",
                },
            },
            tiers: [
                { name: "mid", targets: [{ provider: "anthropic", model: "claude-haiku-5-5" }] },
                { name: "frontier", targets: [{ provider: "openai", model: "gpt-5.1-codex" }] },
                { name: "codex", targets: [{ provider: "codex", model: "gpt-5.1-codex" }] },
            ],
            reliability: { maxRetries: 0, backoffBaseMs: 1 },
            cache: { enabled: true },
            prices: { "claude-haiku-5-5": { inputPerMTok: 1, outputPerMTok: 5 } },
        },
        {
            env: { TEST_ANTHROPIC_KEY: "sk-ant-test-upstream-key", TEST_OPENAI_KEY: "sk-test-upstream-key" },
            logger: silentLogger,
            onRecord: (record) => records.push(record),
        },
    );
    gateway = await startTestGateway(router, { keys: [gatewayKey], registry: new Registry() });
});

afterEach(() => {
    anthropic.reset();
    openai.reset();
    router.clearCache();
    records.length = 0;
});

afterAll(async () => {
    await gateway.close();
    await router.close();
    await Promise.all([anthropic.close(), openai.close()]);
});

const claude = (): Anthropic => anthropicClient(gateway.url, gatewayKey);
const gpt = (): OpenAI => openaiClient(gateway.url, gatewayKey);

/** A turn that thought first (its signature lets the next turn send the thinking back), then answered. */
const thoughtTurn: AnthropicTurn = {
    blocks: [
        { type: "thinking", deltas: ["The user wants ", "the files listed."], signature: "sig-EqQBCgYIARAB" },
        { type: "text", deltas: ["Listing ", "them."] },
    ],
    stopReason: "end_turn",
    usage: { input: 9, output: 21, cacheRead: 4_096, cacheCreation: 512 },
};

/** Claude Code's request, sent to the `mid` tier (Anthropic) by name. */
function claudeCodeToMid(): ReturnType<typeof claudeCodeRequest> {
    return { ...claudeCodeRequest("hash-pass"), model: "mid" };
}

describe("Messages → Anthropic: the caller's body and Anthropic's answer, as they are", () => {
    it("streams: every field and block reaches Anthropic, thinking and cache usage come back", async () => {
        anthropic.enqueue(anthropicStream(thoughtTurn));
        const stream = claude().messages.stream(claudeCodeToMid(), {
            query: { beta: "true" },
            headers: claudeCodeHeaders,
        });
        const message = await stream.finalMessage();
        const { response } = await stream.withResponse();

        const { model: _model, ...asSent } = claudeCodeToMid();
        expect(lastAnthropicBody(anthropic)).toEqual({ ...asSent, model: "claude-haiku-5-5" });
        const upstream = anthropic.requests.at(-1)!;
        expect(upstream.headers["anthropic-beta"]).toBe(claudeCodeHeaders["anthropic-beta"]);
        // The gateway key is the caller's credential with the gateway; upstream gets the provider's key.
        expect(JSON.stringify(upstream.headers)).not.toContain(gatewayKey);

        expect(message.content).toEqual([
            {
                type: "thinking",
                thinking: "The user wants the files listed.",
                signature: "sig-EqQBCgYIARAB",
            },
            { type: "text", text: "Listing them.", citations: null },
        ]);
        expect(message.usage).toMatchObject({
            input_tokens: 9,
            output_tokens: 21,
            cache_read_input_tokens: 4_096,
            cache_creation_input_tokens: 512,
        });
        expect(response.headers.get("x-tiercel-route")).toBe(
            "mid/anthropic/claude-haiku-5-5; reason=hint:tier",
        );
        expect(response.headers.get("x-tiercel-ignored")).toBeNull();
        // The record counts every prompt token Anthropic reports (cache reads and writes included).
        expect(records.at(-1)).toMatchObject({
            usage: {
                input_tokens: 9 + 4_096 + 512,
                output_tokens: 21,
                cache_read_input_tokens: 4_096,
                cache_creation_input_tokens: 512,
            },
        });
        // Cache reads at a tenth of the input price, writes at 1.25× (router/cost.ts).
        expect(records.at(-1)?.cost_usd).toBeCloseTo((9 + 409.6 + 640 + 21 * 5) / 1e6, 12);
    });

    it("answers unary calls with Anthropic's own message", async () => {
        const reply = anthropicMessage(thoughtTurn);
        anthropic.enqueue(reply);
        const { stream: _stream, ...request } = claudeCodeToMid();
        const { data, response } = await claude()
            // Claude Code streams; its 128k cap unary would make the SDK refuse to wait that long.
            .messages.create({ ...request, max_tokens: 1_024, stream: false }, { headers: claudeCodeHeaders })
            .withResponse();
        expect(data).toEqual((reply as { body: unknown }).body);
        expect(lastAnthropicBody(anthropic)).toMatchObject({
            thinking: { type: "adaptive" },
            metadata: request.metadata,
            context_management: request.context_management,
            system: request.system,
        });
        expect(lastAnthropicBody(anthropic).stream).toBe(false);
        expect(response.headers.get("x-tiercel-ignored")).toBeNull();
    });

    it("sends the thinking block of an earlier turn back to Anthropic, signature and all", async () => {
        anthropic.enqueue(anthropicMessage(anthropicText("Done.")));
        const thinking = { type: "thinking" as const, thinking: "Plan: ls.", signature: "sig-1" };
        await claude().messages.create({
            model: "mid",
            max_tokens: 64,
            thinking: { type: "enabled", budget_tokens: 1_024 },
            messages: [
                { role: "user", content: "list the files" },
                {
                    role: "assistant",
                    content: [
                        thinking,
                        { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "ls" } },
                    ],
                },
                { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "a.ts" }] },
            ],
        });
        const sent = lastAnthropicBody(anthropic).messages as { content: unknown[] }[];
        expect(sent[1]!.content[0]).toEqual(thinking);
        expect(lastAnthropicBody(anthropic).max_tokens).toBe(64);
    });

    it("counts tokens on the caller's own body: what Anthropic bills, thinking and billing block included", async () => {
        anthropic.enqueue({ kind: "json", status: 200, body: { input_tokens: 9_876 } });
        const { stream: _stream, max_tokens: _max, ...turn } = claudeCodeToMid();
        const body = {
            ...turn,
            thinking: { type: "enabled" as const, budget_tokens: 2_048 },
            messages: [
                ...turn.messages,
                {
                    role: "assistant" as const,
                    content: [{ type: "thinking" as const, thinking: "Plan: grep.", signature: "sig-2" }],
                },
            ],
        };
        const { data, response } = await claude()
            .messages.countTokens(body, { headers: claudeCodeHeaders })
            .withResponse();
        expect(data.input_tokens).toBe(9_876);
        expect(response.headers.get("x-tiercel-token-count")).toBe(
            "exact; counted_by=anthropic/claude-haiku-5-5",
        );
        const upstream = anthropic.requests.at(-1)!;
        expect(upstream.path).toMatch(/^\/v1\/messages\/count_tokens/);
        expect(upstream.headers["anthropic-beta"]).toBe(claudeCodeHeaders["anthropic-beta"]);
        // Only the model is the router's: the billing block, cache_control and the earlier turn's
        // thinking block are counted as sent (the local tier's count leaves the billing block out).
        expect(lastAnthropicBody(anthropic)).toEqual({ ...body, model: "claude-haiku-5-5" });
    });
});

describe("pass-through failures keep the provider's error codes (the router then falls back)", () => {
    const request = {
        model: "mid",
        max_tokens: 16,
        metadata: { user_id: "dev-7" },
        messages: [{ role: "user" as const, content: "hi" }],
    };
    /** The first attempt's record after a request every target failed (the fakes have nothing else queued). */
    async function firstAttempt(): Promise<RoutingRecord["attempts"][number] | undefined> {
        await claude()
            .messages.create(request)
            .catch((e: unknown) => e);
        return records.at(-1)?.attempts[0];
    }

    it("an overloaded Anthropic (529) is E_PROVIDER_OVERLOADED", async () => {
        anthropic.enqueue(anthropicError(529, "overloaded_error", "Overloaded"));
        expect(await firstAttempt()).toMatchObject({
            provider: "anthropic",
            error_code: "E_PROVIDER_OVERLOADED",
            message: "anthropic: HTTP 529 overloaded_error Overloaded",
        });
    });

    it("a rate limit keeps its retry-after; a dropped connection is E_PROVIDER_UNAVAILABLE", async () => {
        anthropic.enqueue(anthropicError(429, "rate_limit_error", "slow down", { "retry-after": "7" }));
        expect(await firstAttempt()).toMatchObject({
            error_code: "E_PROVIDER_RATE_LIMITED",
            retry_after_ms: 7_000,
        });
        anthropic.enqueue({ kind: "drop" });
        expect(await firstAttempt()).toMatchObject({ error_code: "E_PROVIDER_UNAVAILABLE" });
    });
});

describe("crossing protocols: the normalized request, and what it left out named", () => {
    it("sends Claude Code's request to OpenAI without Anthropic's fields and says which were ignored", async () => {
        openai.enqueue(openaiStream({ text: ["Listing."], finishReason: "stop" }));
        const stream = claude().messages.stream(
            { ...claudeCodeRequest("hash-cross"), model: "frontier" },
            { headers: claudeCodeHeaders },
        );
        const message = await stream.finalMessage();
        const { response } = await stream.withResponse();
        expect(message.content).toMatchObject([{ type: "text", text: "Listing." }]);
        expect(response.headers.get("x-tiercel-ignored")).toBe(
            "context_management, metadata, output_config, thinking",
        );
        const sent = JSON.stringify(lastOpenAIBody(openai));
        for (const field of ["cache_control", "thinking", "context_management", "x-anthropic-billing-header"])
            expect(sent).not.toContain(field);
    });

    it("sends a Chat Completions request to Anthropic without OpenAI's fields and says which were ignored", async () => {
        anthropic.enqueue(anthropicMessage(anthropicText("Hi.")));
        const { response } = await gpt()
            .chat.completions.create({
                model: "mid",
                messages: [{ role: "user", content: "hi" }],
                reasoning_effort: "low",
                safety_identifier: "dev-7",
            })
            .withResponse();
        expect(response.headers.get("x-tiercel-ignored")).toBe("reasoning_effort, safety_identifier");
        const sent = lastAnthropicBody(anthropic);
        expect(sent).not.toHaveProperty("reasoning_effort");
        expect(sent).not.toHaveProperty("safety_identifier");
    });
});

describe("Chat Completions → OpenAI: the caller's body, OpenAI's answer", () => {
    const request = {
        model: "frontier",
        messages: [{ role: "user" as const, content: "hi" }],
        max_tokens: 40,
        reasoning_effort: "low" as const,
        safety_identifier: "dev-7",
        prompt_cache_key: "repo-tiercel",
        parallel_tool_calls: false,
    };

    it("unary: every field reaches OpenAI (the cap as max_completion_tokens); OpenAI's body comes back", async () => {
        const reply = openaiCompletion({ text: ["Hello."], finishReason: "stop" });
        openai.enqueue(reply);
        const { data, response } = await gpt().chat.completions.create(request).withResponse();
        expect(data).toEqual((reply as { body: unknown }).body);
        const { max_tokens: _cap, ...rest } = request;
        expect(lastOpenAIBody(openai)).toEqual({
            ...rest,
            model: "gpt-5.1-codex",
            max_completion_tokens: 40,
            stream: false,
        });
        expect(response.headers.get("x-tiercel-ignored")).toBeNull();
    });

    it("streams: the fields reach OpenAI, usage reaches only a caller that asked for it", async () => {
        openai.enqueue(openaiStream({ text: ["Hel", "lo."], finishReason: "stop" }));
        const chunks = [];
        for await (const chunk of await gpt().chat.completions.create({ ...request, stream: true }))
            chunks.push(chunk);
        expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Hello.");
        expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
        expect(lastOpenAIBody(openai)).toMatchObject({
            reasoning_effort: "low",
            safety_identifier: "dev-7",
            prompt_cache_key: "repo-tiercel",
            parallel_tool_calls: false,
            stream: true,
            stream_options: { include_usage: true },
        });
    });
});

describe("Responses → OpenAI on the Responses API: Codex CLI's body, OpenAI's events", () => {
    /** A Codex turn that reasoned (encrypted, as `include` asks), said something and called a tool. */
    const codexTurn: ResponsesTurn = {
        reasoning: { summary: "List the directory.", encrypted: "gAAAAB-enc-1" },
        text: ["Listing ", "files."],
        calls: [{ id: "call_7", name: "shell", args: ['{"command":', '["ls"]}'] }],
        usage: { input: 2_000, output: 40, cached: 1_536 },
    };

    it("streams: the body reaches OpenAI as Codex sent it, every event comes back, reasoning included", async () => {
        const frames = responsesFrames(codexTurn);
        openai.enqueue({ kind: "sse", frames });
        const events: ResponseStreamEvent[] = [];
        for await (const event of await gpt().responses.create({
            ...(codexRequest() as unknown as ResponseCreateParamsStreaming),
            model: "codex",
        }))
            events.push(event);
        const { model: _model, ...asSent } = codexRequest();
        expect(lastOpenAIBody(openai)).toEqual({ ...asSent, model: "gpt-5.1-codex" });
        expect(openai.requests.at(-1)?.path).toBe("/v1/responses");
        // The events as OpenAI sent them, in order, sequence numbers and ids included.
        expect(events).toEqual(frames.map((f) => f.data));
        const reasoning = events.find(
            (e) => e.type === "response.output_item.done" && e.item.type === "reasoning",
        );
        expect(reasoning).toMatchObject({ item: { encrypted_content: "gAAAAB-enc-1" } });
        expect(records.at(-1)).toMatchObject({
            provider: "codex",
            usage: { input_tokens: 2_000, output_tokens: 40, cache_read_input_tokens: 1_536 },
        });
    });

    it("unary: OpenAI's own response comes back; the reasoning item of the last turn goes back to it", async () => {
        const reply = responsesReply(codexTurn);
        openai.enqueue(reply);
        const earlier = {
            type: "reasoning",
            id: "rs_1",
            summary: [],
            encrypted_content: "gAAAAB-enc-0",
        };
        const { data, response } = await gpt()
            .responses.create({
                ...(codexRequest([earlier]) as unknown as ResponseCreateParamsNonStreaming),
                model: "codex",
                stream: false,
            })
            .withResponse();
        expect(data).toMatchObject((reply as { body: object }).body);
        expect(response.headers.get("x-tiercel-ignored")).toBeNull();
        const input = lastOpenAIBody(openai).input as unknown[];
        expect(input.at(-1)).toEqual(earlier);
        expect(lastOpenAIBody(openai).stream).toBe(false);
    });

    it("a Chat Completions request to the Responses wire is translated: instructions, input items, tools", async () => {
        openai.enqueue(responsesReply({ text: ["Hello."] }));
        const completion = await gpt().chat.completions.create({
            model: "codex",
            messages: [
                { role: "system", content: "Be brief." },
                { role: "user", content: "hi" },
            ],
            max_completion_tokens: 30,
        });
        expect(completion.choices[0]?.message.content).toBe("Hello.");
        expect(lastOpenAIBody(openai)).toEqual({
            model: "gpt-5.1-codex",
            instructions: "Be brief.",
            input: [{ role: "user", content: "hi" }],
            max_output_tokens: 30,
            store: false,
            stream: false,
        });
    });
});

describe("a provider given its own fetch still passes the caller's body through (through its SDK)", () => {
    const env = { K: "sk-test" };
    const base = { model: "m", max_tokens: 64, messages: [{ role: "user" as const, content: "hi" }] };

    it("Anthropic: the body as sent, the message and the relayed events as answered", async () => {
        const provider = new AnthropicProvider({
            id: "anthropic",
            baseURL: anthropic.url,
            apiKeyEnv: "K",
            env,
            fetch: globalThis.fetch,
        });
        const body = { model: "auto", max_tokens: 64, metadata: { user_id: "u" }, messages: base.messages };
        const native = { protocol: "anthropic-messages" as const, body, extras: ["metadata"] };
        anthropic.enqueue(anthropicMessage(thoughtTurn), anthropicStream(thoughtTurn));
        const signal = new AbortController().signal;
        const result = await provider.complete({ ...base, native }, signal);
        expect(lastAnthropicBody(anthropic)).toEqual({ ...body, model: "m", stream: false });
        expect((result.native?.body as { content: unknown[] }).content[0]).toMatchObject({
            type: "thinking",
            signature: "sig-EqQBCgYIARAB",
        });
        const events = [];
        for await (const event of provider.stream({ ...base, native }, signal)) events.push(event);
        expect(events.filter((e) => e.type === "native").map((e) => e.event)).toContain(
            "content_block_delta",
        );
        provider.close();
    });

    it("OpenAI on the Responses API: the body as sent, the response as answered", async () => {
        const provider = new OpenAIProvider({
            id: "codex",
            api: "responses",
            baseURL: `${openai.url}/v1`,
            apiKeyEnv: "K",
            env,
            fetch: globalThis.fetch,
        });
        const body = { model: "auto", input: "hi", store: false, prompt_cache_key: "k1" };
        const native = { protocol: "openai-responses" as const, body, extras: ["prompt_cache_key", "store"] };
        openai.enqueue(responsesReply({ text: ["Hello."] }));
        const result = await provider.complete({ ...base, native }, new AbortController().signal);
        expect(lastOpenAIBody(openai)).toEqual({ ...body, model: "m", stream: false });
        expect(result.content).toEqual([{ type: "text", text: "Hello." }]);
        expect(result.native?.protocol).toBe("openai-responses");
        provider.close();
    });
});

describe("the response cache and the caller's own fields", () => {
    const plain = {
        model: "mid",
        max_tokens: 32,
        temperature: 0,
        messages: [{ role: "user" as const, content: "name a color" }],
    } as Anthropic.MessageCreateParamsNonStreaming;

    it("answers a request without such fields from the cache, and one with them never", async () => {
        anthropic.setFallback(anthropicMessage(anthropicText("Blue.")));
        await claude().messages.create(plain);
        const hit = await claude().messages.create(plain).withResponse();
        expect(anthropic.requests).toHaveLength(1);
        expect(hit.data.content).toMatchObject([{ type: "text", text: "Blue." }]);
        expect(records.at(-1)).toMatchObject({ cache: "hit" });

        const withMetadata = { ...plain, metadata: { user_id: "dev-7" } };
        await claude().messages.create(withMetadata);
        await claude().messages.create(withMetadata);
        expect(anthropic.requests).toHaveLength(3);
        expect(records.at(-1)).toMatchObject({ cache: "bypass" });
    });
});

/**
 * The gateway's Anthropic face driven by the official `@anthropic-ai/sdk` (baseURL → gateway): Messages
 * unary and streamed on the real local tier (the full event sequence, the same text as the gRPC
 * server's Generate), a Claude Code-shaped request (sent on as it came, session header pinning the
 * session, tool_use streamed as input_json_delta from the hosted tier), count_tokens, the models page,
 * and errors in Anthropic's shape.
 */
import Anthropic from "@anthropic-ai/sdk";
import type {
    MessageCreateParamsNonStreaming,
    MessageDeltaUsage,
} from "@anthropic-ai/sdk/resources/messages/messages";
import { describe, expect, it } from "vitest";
import {
    anthropicError,
    anthropicMessage,
    anthropicStream,
    anthropicText,
    lastAnthropicBody,
} from "../helpers/fakeAnthropicServer.js";
import {
    claudeCodeBillingBlock,
    claudeCodeHeaders,
    claudeCodeRequest,
    claudeCodeSessionId,
} from "../helpers/fixtures/claudeCodeRequest.js";
import { openaiError } from "../helpers/fakeOpenAIServer.js";
import { anthropicClient, gatewayKey, pythonPrompt, useGatewayFixture } from "../helpers/gatewayFixture.js";

const env = useGatewayFixture();

/** The app's own gateway: local tier only, no keys (Anthropic's SDK still wants a key; any will do). */
const localClient = (): Anthropic => anthropicClient(env.server.addresses.gatewayUrl);
/** The three-tier gateway, with the key as Claude Code sends ANTHROPIC_AUTH_TOKEN (Bearer). */
const tieredClient = (): Anthropic => anthropicClient(env.gateway.url, gatewayKey);

// `temperature` is not in the SDK's 2026 types; older clients send it and the gateway honours it.
const pythonRequest = {
    model: "auto",
    max_tokens: pythonPrompt.maxTokens,
    temperature: 0,
    system: pythonPrompt.system,
    messages: [{ role: "user", content: pythonPrompt.user }],
} as MessageCreateParamsNonStreaming;
const direct = () => env.generatePython();

describe("POST /v1/messages", () => {
    it("says in x-tiercel-route when a fallback tier answered instead of the one asked for", async () => {
        const ask = {
            model: "mid",
            max_tokens: 4,
            temperature: 0,
            messages: [{ role: "user" as const, content: pythonPrompt.user }],
        };
        // mid (Anthropic) overloaded, frontier (OpenAI) failing: the local tier answers, and says so.
        env.anthropic.enqueue(anthropicError(529, "overloaded_error", "Overloaded"));
        env.openai.enqueue(openaiError(500, "server_error", null, "down"));
        const unary = await tieredClient().messages.create(ask).withResponse();
        expect(unary.response.headers.get("x-tiercel-route")).toBe(
            "local/local/t; reason=hint:tier; fallback_from=mid",
        );
        env.anthropic.enqueue(anthropicError(529, "overloaded_error", "Overloaded"));
        env.openai.enqueue(openaiError(500, "server_error", null, "down"));
        const streamed = tieredClient().messages.stream(ask);
        const { response } = await streamed.withResponse();
        await streamed.finalMessage();
        expect(response.headers.get("x-tiercel-route")).toBe(
            "local/local/t; reason=hint:tier; fallback_from=mid",
        );
    });

    it("answers on the local tier with the server's own text and Anthropic's message shape", async () => {
        const expected = await direct();
        const { data, response } = await localClient().messages.create(pythonRequest).withResponse();
        expect(data).toMatchObject({
            type: "message",
            role: "assistant",
            model: "t",
            content: expected.text === "" ? [] : [{ type: "text", text: expected.text }],
            stop_reason: expected.finish_reason === "FINISH_REASON_LENGTH" ? "max_tokens" : "end_turn",
            // Anthropic counts cache reads apart: the same prompt right after reuses all but its last token.
            usage: {
                input_tokens: 1,
                cache_read_input_tokens: expected.usage!.prompt_tokens - 1,
                output_tokens: expected.usage?.completion_tokens,
            },
        });
        expect(response.headers.get("x-tiercel-route")).toBe("local/local/t; reason=default");
        expect(response.headers.get("request-id")).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("streams the full event sequence with the same text", async () => {
        const expected = await direct();
        const stream = await localClient().messages.create({ ...pythonRequest, stream: true });
        const types: string[] = [];
        let text = "";
        let usage: MessageDeltaUsage | undefined;
        for await (const event of stream) {
            types.push(event.type);
            if (event.type === "content_block_delta" && event.delta.type === "text_delta")
                text += event.delta.text;
            if (event.type === "message_delta") usage = event.usage;
        }
        expect(text).toBe(expected.text);
        // As in the unary answer: the same prompt right after reuses all but its last token, counted apart.
        expect(usage).toMatchObject({
            input_tokens: 1,
            cache_read_input_tokens: expected.usage!.prompt_tokens - 1,
            output_tokens: expected.usage?.completion_tokens,
        });
        // ping is not in the SDK's event union, and the SDK drops it: the sequence it yields is the API's.
        const deltas = types.filter((t) => t === "content_block_delta").length;
        expect(types).toEqual([
            "message_start",
            ...(expected.text === ""
                ? []
                : [
                      "content_block_start",
                      ...Array<string>(deltas).fill("content_block_delta"),
                      "content_block_stop",
                  ]),
            "message_delta",
            "message_stop",
        ]);
    });

    it("sends ping after message_start on the wire, as the API does", async () => {
        const response = await fetch(`${env.server.addresses.gatewayUrl}/v1/messages`, {
            method: "POST",
            headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
            body: JSON.stringify({ ...pythonRequest, max_tokens: 2, stream: true }),
        });
        const events = [...(await response.text()).matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
        expect(events.slice(0, 2)).toEqual(["message_start", "ping"]);
        expect(events.slice(-2)).toEqual(["message_delta", "message_stop"]);
    });

    it("serves a Claude Code request from Anthropic: its own body sent, session pinned, tool_use streamed", async () => {
        env.anthropic.enqueue(
            anthropicStream({
                blocks: [
                    { type: "text", deltas: ["I'll list ", "them."] },
                    { type: "tool_use", id: "toolu_9", name: "Bash", json: ['{"command"', ': "ls"}'] },
                ],
                stopReason: "tool_use",
            }),
        );
        const stream = tieredClient().messages.stream(claudeCodeRequest("hash-one"), {
            query: { beta: "true" },
            headers: claudeCodeHeaders,
        });
        const kinds: string[] = [];
        stream.on("streamEvent", (event) => {
            if (event.type === "content_block_delta") kinds.push(event.delta.type);
        });
        const message = await stream.finalMessage();
        const { response } = await stream.withResponse();
        expect(message.content).toMatchObject([
            { type: "text", text: "I'll list them." },
            { type: "tool_use", id: "toolu_9", name: "Bash", input: { command: "ls" } },
        ]);
        expect(message.stop_reason).toBe("tool_use");
        expect(kinds).toContain("input_json_delta");
        // Tools skip the local tier; the alias maps Claude Code's model name to auto.
        expect(response.headers.get("x-tiercel-route")).toBe(
            "mid/anthropic/claude-haiku-5-5; reason=default; fallback_from=local",
        );
        // Anthropic answered: it was sent Claude Code's own body (gatewayPassThrough.test.ts), so nothing
        // was ignored, billing block included (only the local tier's prompt and cache keys leave it out).
        expect(response.headers.get("x-tiercel-ignored")).toBeNull();
        // The session header became the routing session: the router now holds a pin for it.
        expect(env.router.session(claudeCodeSessionId)).toBeDefined();

        const sent = lastAnthropicBody(env.anthropic);
        expect(sent.system).toEqual(claudeCodeRequest("hash-one").system);
        expect(sent.tools).toHaveLength(2);
    });

    it("enforces output_config.format json_schema on the local tier (its grammar) and sends it on to Anthropic", async () => {
        const schema = {
            type: "object",
            properties: { name: { type: "string", maxLength: 12 }, pure: { type: "boolean" } },
            required: ["name", "pure"],
            additionalProperties: false,
        };
        const format = { type: "json_schema" as const, schema };
        const { data, response } = await localClient()
            .messages.create({ ...pythonRequest, max_tokens: 120, output_config: { format } })
            .withResponse();
        expect(response.headers.get("x-tiercel-route")).toMatch(/^local\//);
        expect(response.headers.get("x-tiercel-ignored")).toBeNull();
        const text = data.content[0]?.type === "text" ? data.content[0].text : "";
        const parsed = JSON.parse(text) as Record<string, unknown>;
        expect(Object.keys(parsed).sort()).toEqual(["name", "pure"]);
        expect(typeof parsed.pure).toBe("boolean");

        env.anthropic.enqueue(anthropicMessage(anthropicText('{"name":"a","pure":true}')));
        const hosted = await tieredClient()
            .messages.create({ ...pythonRequest, model: "mid", output_config: { format, effort: "low" } })
            .withResponse();
        expect(hosted.data.content).toMatchObject([{ type: "text", text: '{"name":"a","pure":true}' }]);
        // Sent as the caller wrote it (pass-through), effort included.
        expect(hosted.response.headers.get("x-tiercel-ignored")).toBeNull();
        expect(lastAnthropicBody(env.anthropic).output_config).toEqual({ format, effort: "low" });
    });

    it("refuses an output_config.format other than json_schema with a 400 naming the field", async () => {
        const error = await localClient()
            .messages.create({
                ...pythonRequest,
                output_config: { format: { type: "yaml" } as never },
            })
            .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Anthropic.BadRequestError);
        expect((error as Error).message).toContain("output_config.format.type");
    });

    it("refuses an image block with a 400 naming the block when no tier reads it (the local tier has no vision)", async () => {
        const error = await localClient()
            .messages.create({
                model: "auto",
                max_tokens: 5,
                messages: [
                    {
                        role: "user",
                        content: [
                            {
                                type: "image",
                                source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" },
                            },
                        ],
                    },
                ],
            })
            .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Anthropic.BadRequestError);
        expect((error as Error).message).toContain(
            "image blocks (no form outside the Messages API): only a provider speaking the caller's protocol (anthropic-messages) is sent it as written",
        );
        expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
            type: "error",
            error: { type: "invalid_request_error" },
        });
    });

    it("requires max_tokens and a known model, in Anthropic's error shape", async () => {
        const missing = await fetch(`${env.gateway.url}/v1/messages`, {
            method: "POST",
            headers: { "x-api-key": gatewayKey, "content-type": "application/json" },
            body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hi" }] }),
        });
        expect(missing.status).toBe(400);
        expect(await missing.json()).toEqual({
            type: "error",
            error: {
                type: "invalid_request_error",
                message: "max_tokens: Field required (a positive integer)",
            },
        });
        const unknown = await tieredClient()
            .messages.create({
                model: "claude-unknown",
                max_tokens: 5,
                messages: [{ role: "user", content: "hi" }],
            })
            .catch((e: unknown) => e);
        expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    });
});

describe("prefix reuse on the local tier, through the gateway", () => {
    it("a Claude Code conversation's next turn reads the first turn's prompt from the KV cache (billing block and reminder changing)", async () => {
        const turn = (hash: string, messages: Anthropic.MessageParam[]) => {
            // Without tools: the fixture target's chat template has none (ListModels tool_calls false).
            const { stream: _stream, tools: _tools, ...request } = claudeCodeRequest(hash);
            return localClient().messages.create(
                {
                    ...request,
                    model: "auto",
                    max_tokens: 8,
                    temperature: 0,
                    messages,
                } as MessageCreateParamsNonStreaming,
                { headers: claudeCodeHeaders },
            );
        };
        const first = claudeCodeRequest().messages;
        const one = await turn("aaaa", first);
        const firstPrompt = one.usage.input_tokens + (one.usage.cache_read_input_tokens ?? 0);
        const answer = one.content.map((b) => (b.type === "text" ? b.text : "")).join("");
        const two = await turn("bbbb", [
            ...first,
            { role: "assistant", content: answer === "" ? "ok" : answer },
            {
                role: "user",
                content: [
                    { type: "text", text: "<system-reminder>Todo list: 1 item.</system-reminder>" },
                    { type: "text", text: "now show me README.md" },
                ],
            },
        ]);
        // Everything the first turn's prompt held is reused (its billing block never reaches the local tier).
        expect(two.usage.cache_read_input_tokens).toBeGreaterThanOrEqual(firstPrompt);
        expect(two.usage.input_tokens).toBeGreaterThan(0);
    });
});

describe("POST /v1/messages/count_tokens", () => {
    it("counts the same for two turns that differ only in the billing block", async () => {
        const count = (hash: string) => {
            const { stream: _stream, max_tokens: _max, ...body } = claudeCodeRequest(hash);
            return tieredClient().messages.countTokens(body, {
                headers: claudeCodeHeaders,
            });
        };
        const [a, b] = await Promise.all([count("aaaa"), count(claudeCodeBillingBlock("b").repeat(10))]);
        expect(a.input_tokens).toBeGreaterThan(100);
        expect(b.input_tokens).toBe(a.input_tokens);
    });

    const countBody = (model: string) => ({
        model,
        system: pythonPrompt.system,
        messages: [{ role: "user" as const, content: pythonPrompt.user }],
    });

    it("counts with the local tier's own tokenizer when the local tier would answer", async () => {
        const expected = await direct();
        const { data, response } = await localClient().messages.countTokens(countBody("auto")).withResponse();
        // The prompt Generate processed for the same messages: the chat template and BOS included.
        expect(data.input_tokens).toBe(expected.usage?.prompt_tokens);
        expect(response.headers.get("x-tiercel-token-count")).toMatch(/^exact; counted_by=local\//);
    });

    it("asks Anthropic's count endpoint when Anthropic would answer", async () => {
        env.anthropic.enqueue({ kind: "json", status: 200, body: { input_tokens: 4321 } });
        const { data, response } = await tieredClient().messages.countTokens(countBody("mid")).withResponse();
        expect(data.input_tokens).toBe(4321);
        expect(response.headers.get("x-tiercel-token-count")).toBe(
            "exact; counted_by=anthropic/claude-haiku-5-5",
        );
        expect(env.anthropic.requests.at(-1)?.path).toMatch(/^\/v1\/messages\/count_tokens/);
        const sent = lastAnthropicBody(env.anthropic);
        expect(sent).toMatchObject({ model: "claude-haiku-5-5", system: pythonPrompt.system });
        expect(sent).not.toHaveProperty("max_tokens");
    });

    it("says the count is an estimate when the answering target cannot count, or its count call fails", async () => {
        const estimate = Math.ceil((pythonPrompt.system.length + pythonPrompt.user.length) / 4);
        const openaiFirst = await tieredClient().messages.countTokens(countBody("frontier")).withResponse();
        expect(openaiFirst.data.input_tokens).toBe(estimate);
        expect(openaiFirst.response.headers.get("x-tiercel-token-count")).toBe(
            "estimate; reason=openai/gpt-5.1-codex has no token count call",
        );
        env.anthropic.enqueue(anthropicError(529, "overloaded_error", "Overloaded"));
        const failed = await tieredClient().messages.countTokens(countBody("mid")).withResponse();
        expect(failed.data.input_tokens).toBe(estimate);
        expect(failed.response.headers.get("x-tiercel-token-count")).toMatch(
            /^estimate; reason=anthropic\/claude-haiku-5-5 could not count \(E_/,
        );
    });
});

describe("GET /v1/models with anthropic-version", () => {
    it("lists the models in Anthropic's page shape", async () => {
        const ids: string[] = [];
        for await (const model of tieredClient().models.list()) {
            expect(model.type).toBe("model");
            ids.push(model.id);
        }
        expect(ids).toContain("auto");
        expect(ids).toContain("claude-opus-5-5");
        // Claude Code's /model picker keeps only claude-… ids: the router and each tier have one.
        expect(ids).toEqual(
            expect.arrayContaining(["claude-tiercel-auto", "claude-tiercel-local", "claude-tiercel-mid"]),
        );
    });

    it("retrieves one model in Anthropic's shape, and an unknown one is a 404 in that shape", async () => {
        const model = await tieredClient().models.retrieve("claude-tiercel-local");
        expect(model).toMatchObject({
            type: "model",
            id: "claude-tiercel-local",
            display_name: "tiercel: the local tier",
        });
        const missing = await tieredClient()
            .models.retrieve("claude-nonexistent")
            .catch((e: unknown) => e);
        expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
        expect((missing as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({
            type: "error",
            error: { type: "not_found_error" },
        });
    });

    it("routes a picker name to its tier", async () => {
        const { data, response } = await tieredClient()
            .messages.create({
                model: "claude-tiercel-local",
                max_tokens: pythonPrompt.maxTokens,
                system: pythonPrompt.system,
                messages: [{ role: "user", content: pythonPrompt.user }],
            })
            .withResponse();
        expect(data.content[0]).toMatchObject({ type: "text" });
        expect(response.headers.get("x-tiercel-route")).toMatch(/^local\/local\/t; reason=hint:tier/);
    });
});

/**
 * The gateway's OpenAI face driven by the official `openai` SDK (baseURL → gateway): Chat Completions
 * unary and streamed on the real local tier (the same text as the gRPC server's own Generate), tool calls
 * answered by a hosted tier (the fake Anthropic server, crossing protocols) and sent back, `/v1/models`,
 * the routing header, keys, and errors in OpenAI's shape.
 */
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { anthropicMessage, anthropicStream, lastAnthropicBody } from "../helpers/fakeAnthropicServer.js";
import { gatewayKey, openaiClient, pythonPrompt, useGatewayFixture } from "../helpers/gatewayFixture.js";

const env = useGatewayFixture();

/* eslint-disable @typescript-eslint/no-deprecated -- `max_tokens`, `seed` and `user` are what editors still send */

/** A client of the app's own gateway (local tier only, loopback, no keys). */
const localClient = (): OpenAI => openaiClient(env.server.addresses.gatewayUrl);
/** A client of the three-tier gateway. */
const tieredClient = (apiKey = gatewayKey): OpenAI => openaiClient(env.gateway.url, apiKey);

const messages: OpenAI.ChatCompletionMessageParam[] = [
    { role: "system", content: pythonPrompt.system },
    { role: "user", content: pythonPrompt.user },
];
const direct = () => env.generatePython();

const weatherTool: OpenAI.ChatCompletionTool = {
    type: "function",
    function: {
        name: "get_weather",
        description: "Weather for a city",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
};

describe("POST /v1/chat/completions", () => {
    it("answers on the local tier with the server's own text, the routing header and a request id", async () => {
        const expected = await direct();
        const { data, response } = await localClient()
            .chat.completions.create({ model: "auto", messages, max_completion_tokens: 12, temperature: 0 })
            .withResponse();
        expect(data.object).toBe("chat.completion");
        expect(data.choices[0]?.message.content).toBe(expected.text);
        expect(data.choices[0]?.finish_reason).toBe(
            expected.finish_reason === "FINISH_REASON_LENGTH" ? "length" : "stop",
        );
        expect(data.usage).toMatchObject({
            prompt_tokens: expected.usage?.prompt_tokens,
            completion_tokens: expected.usage?.completion_tokens,
        });
        expect(response.headers.get("x-tiercel-route")).toBe("local/local/t; reason=default");
        expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("streams the same text as SSE chunks, with the usage chunk when include_usage is set", async () => {
        const expected = await direct();
        const { data: stream, response } = await localClient()
            .chat.completions.create({
                model: "local",
                messages,
                max_tokens: 12,
                temperature: 0,
                stream: true,
                stream_options: { include_usage: true },
            })
            .withResponse();
        expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
        expect(response.headers.get("x-tiercel-route")).toMatch(/^local\/local\/t; reason=hint:tier$/);
        const chunks: OpenAI.ChatCompletionChunk[] = [];
        for await (const chunk of stream) chunks.push(chunk);
        expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
        const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
        expect(text).toBe(expected.text);
        const last = chunks.at(-1);
        expect(last?.choices).toEqual([]);
        expect(last?.usage?.completion_tokens).toBe(expected.usage?.completion_tokens);
        expect(chunks.at(-2)?.choices[0]?.finish_reason).toMatch(/^(stop|length)$/);
    });

    it("names accepted but unapplied fields in x-tiercel-ignored", async () => {
        const { response } = await localClient()
            .chat.completions.create({
                model: "auto",
                messages,
                max_tokens: 2,
                top_p: 0.5,
                seed: 7,
                logit_bias: { "1": 5 },
                user: "u",
            })
            .withResponse();
        expect(response.headers.get("x-tiercel-ignored")).toBe("logit_bias, user");
    });

    it("enforces a json_schema response_format on the local tier (its grammar), and refuses one without a schema", async () => {
        const schema = {
            type: "object",
            properties: {
                name: { type: "string", maxLength: 12 },
                pure: { type: "boolean" },
            },
            required: ["name", "pure"],
            additionalProperties: false,
        };
        const { data, response } = await localClient()
            .chat.completions.create({
                model: "auto",
                messages,
                max_completion_tokens: 120,
                temperature: 0,
                response_format: { type: "json_schema", json_schema: { name: "fn", schema, strict: true } },
            })
            .withResponse();
        expect(response.headers.get("x-tiercel-route")).toMatch(/^local\//);
        expect(response.headers.get("x-tiercel-ignored") ?? "").not.toContain("response_format");
        const parsed = JSON.parse(data.choices[0]!.message.content!) as Record<string, unknown>;
        expect(Object.keys(parsed).sort()).toEqual(["name", "pure"]);
        expect(typeof parsed.name).toBe("string");
        expect(typeof parsed.pure).toBe("boolean");

        const error = await localClient()
            .chat.completions.create({
                model: "auto",
                messages,
                response_format: { type: "json_schema", json_schema: { name: "fn" } },
            })
            .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OpenAI.BadRequestError);
        expect((error as Error).message).toContain("response_format.json_schema.schema");
    });

    it("refuses tools with a 400 saying why when only the local tier exists", async () => {
        const error = await localClient()
            .chat.completions.create({ model: "auto", messages, tools: [weatherTool] })
            .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OpenAI.BadRequestError);
        const apiError = error as InstanceType<typeof OpenAI.BadRequestError>;
        expect(apiError.message).toContain("the local target's chat template was not made for tool calls");
        expect(apiError.type).toBe("invalid_request_error");
    });

    it("round-trips a tool call answered by the hosted Anthropic tier (the local tier skipped)", async () => {
        env.anthropic.enqueue(
            anthropicMessage({
                blocks: [
                    { type: "tool_use", id: "toolu_1", name: "get_weather", json: ['{"city":', '"Oslo"}'] },
                ],
                stopReason: "tool_use",
            }),
        );
        const { data, response } = await tieredClient()
            .chat.completions.create({
                model: "auto",
                messages: [{ role: "user", content: "Weather in Oslo?" }],
                tools: [weatherTool],
            })
            .withResponse();
        expect(response.headers.get("x-tiercel-route")).toBe(
            "mid/anthropic/claude-haiku-5-5; reason=default; fallback_from=local",
        );
        expect(data.choices[0]?.finish_reason).toBe("tool_calls");
        const call = data.choices[0]?.message.tool_calls?.[0];
        expect(call).toMatchObject({ id: "toolu_1", type: "function", function: { name: "get_weather" } });
        expect(JSON.parse(call?.type === "function" ? call.function.arguments : "")).toEqual({
            city: "Oslo",
        });

        env.anthropic.enqueue(
            anthropicStream({ blocks: [{ type: "text", deltas: ["Sunny", "."] }], stopReason: "end_turn" }),
        );
        const stream = await tieredClient().chat.completions.create({
            model: "auto",
            stream: true,
            tools: [weatherTool],
            messages: [
                { role: "user", content: "Weather in Oslo?" },
                { role: "assistant", content: null, tool_calls: call ? [call] : [] },
                { role: "tool", tool_call_id: "toolu_1", content: "sunny, 21 C" },
            ],
        });
        let text = "";
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
        expect(text).toBe("Sunny.");
        const sent = lastAnthropicBody(env.anthropic);
        expect(sent.messages).toEqual([
            { role: "user", content: "Weather in Oslo?" },
            {
                role: "assistant",
                content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Oslo" } }],
            },
            {
                role: "user",
                content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "sunny, 21 C" }],
            },
        ]);
        // The gateway key stays at the gateway; the upstream gets the router's own key.
        const upstreamHeaders = JSON.stringify(env.anthropic.requests.at(-1)?.headers);
        expect(upstreamHeaders).toContain("sk-ant-test-upstream-key");
        expect(upstreamHeaders).not.toContain(gatewayKey);
    });
});

describe("GET /v1/models", () => {
    it("lists auto, the tiers, the configured models and the aliases in OpenAI's shape", async () => {
        const ids: string[] = [];
        for await (const model of tieredClient().models.list()) ids.push(model.id);
        expect(ids).toEqual([
            "auto",
            "local",
            "mid",
            "frontier",
            "t",
            "claude-haiku-5-5",
            "gpt-5.1-codex",
            "claude-opus-5-5",
            "claude-sonnet-5-5",
        ]);
    });
});

describe("GET /v1/models/{model}", () => {
    it("retrieves a served name in OpenAI's shape and answers any other with 404 naming what exists", async () => {
        const client = tieredClient();
        expect(await client.models.retrieve("auto")).toEqual({
            id: "auto",
            object: "model",
            created: 0,
            owned_by: "tiercel",
        });
        expect((await client.models.retrieve("claude-opus-5-5")).id).toBe("claude-opus-5-5"); // an alias
        // Percent-encoded ids are decoded (the SDK encodes the path segment).
        expect((await client.models.retrieve("gpt-5.1-codex")).id).toBe("gpt-5.1-codex");
        const missing = await client.models.retrieve("gpt-9").catch((e: unknown) => e);
        expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
        expect((missing as Error).message).toContain('model "gpt-9" is not served here');
        const bad = await fetch(`${env.gateway.url}/v1/models/%E0%A4%A`, {
            headers: { authorization: `Bearer ${gatewayKey}` },
        });
        expect(bad.status).toBe(400);
        expect(await bad.json()).toMatchObject({ error: { type: "invalid_request_error" } });
    });
});

describe("keys and errors", () => {
    it("refuses a missing or wrong gateway key with 401 in OpenAI's shape", async () => {
        const response = await fetch(`${env.gateway.url}/v1/models`);
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({
            error: { type: "invalid_request_error", code: "invalid_api_key" },
        });
        const error = await tieredClient("wrong-key-0123456789")
            .models.list()
            .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    });

    it("answers an unknown model with 404 naming what exists, and bad JSON with 400", async () => {
        const error = await tieredClient()
            .chat.completions.create({ model: "gpt-9", messages })
            .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OpenAI.NotFoundError);
        expect((error as Error).message).toContain('model "gpt-9" is not served here');
        const bad = await fetch(`${env.gateway.url}/v1/chat/completions`, {
            method: "POST",
            headers: { authorization: `Bearer ${gatewayKey}`, "content-type": "application/json" },
            body: "{not json",
        });
        expect(bad.status).toBe(400);
        expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
            /not valid JSON/,
        );
    });

    it("refuses a body over the limit with 413", async () => {
        const error = await tieredClient()
            .chat.completions.create({
                model: "auto",
                messages: [{ role: "user", content: "x".repeat(70_000) }],
            })
            .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OpenAI.APIError);
        expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
    });

    it("serves /healthz and /readyz without a key", async () => {
        expect((await fetch(`${env.gateway.url}/healthz`)).status).toBe(200);
        expect((await fetch(`${env.server.addresses.gatewayUrl}/readyz`)).status).toBe(200);
    });
});

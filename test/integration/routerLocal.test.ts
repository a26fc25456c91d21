/**
 * The router's local tier against a real tiercel gRPC server (the real engine on the tiny fixture GGUFs,
 * one thread), through LocalProvider's @grpc/grpc-js client: answers identical to calling the server
 * directly, stop sequences and finish reasons, cancellation reaching the server, and the server's error
 * trailers driving fallbacks to a hosted tier (a local fake Anthropic server).
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/errors/codes.js";
import { collectStream } from "../../src/router/collectStream.js";
import type { RouterConfigInput } from "../../src/router/config.js";
import { createRouter } from "../../src/router/createRouter.js";
import type { Router } from "../../src/router/ModelRouter.js";
import type { ChatRequest } from "../../src/chat/types.js";
import { silentLogger } from "../../src/util/logger.js";
import { anthropicMessage, anthropicText } from "../helpers/fakeAnthropicServer.js";
import { useLocalTierAndFakeAnthropic } from "../helpers/localTierAndFakeAnthropic.js";
import { metricValue } from "../helpers/startTestServer.js";

const env = useLocalTierAndFakeAnthropic();

function makeRouter(
    overrides: Partial<RouterConfigInput> = {},
    localAddress = env.server.addresses.grpcAddress,
): Router {
    const router = createRouter(
        {
            providers: {
                local: { type: "local", address: localAddress },
                anthropic: { type: "anthropic", baseURL: env.anthropic.url, apiKeyEnv: "TEST_ANTHROPIC_KEY" },
            },
            tiers: [
                { name: "local", targets: [{ provider: "local", model: "t" }] },
                { name: "mid", targets: [{ provider: "anthropic", model: "claude-haiku-5-5" }] },
            ],
            prices: { "local/t": { inputPerMTok: 0, outputPerMTok: 0 } },
            reliability: { maxRetries: 0, backoffBaseMs: 1 },
            cache: { enabled: false },
            ...overrides,
        },
        { env: { TEST_ANTHROPIC_KEY: "sk-ant-test-cccccccccccccccccccc" }, logger: silentLogger },
    );
    env.track(router);
    return router;
}

const chat: ChatRequest = {
    system: "You complete Python.",
    messages: [{ role: "user", content: "def fib(n):" }],
    max_tokens: 12,
    temperature: 0,
};
const direct = () =>
    env.server.generate({
        messages: [
            { role: "system", content: "You complete Python." },
            { role: "user", content: "def fib(n):" },
        ],
        model: "t",
        max_tokens: 12,
        temperature: 0,
    });

describe("the local tier through the router", () => {
    it("complete() returns what the server's Generate returns, with the routing record", async () => {
        const expected = await direct();
        const router = makeRouter();
        const response = await router.complete(chat);
        expect(response.content).toEqual(expected.text === "" ? [] : [{ type: "text", text: expected.text }]);
        // The same prompt right after: every prompt token but the last (evaluated again for its logits)
        // comes from the sequence's KV cache, reported as cache reads.
        expect(response.usage).toEqual({
            input_tokens: expected.usage?.prompt_tokens,
            output_tokens: expected.usage?.completion_tokens,
            cache_read_input_tokens: expected.usage!.prompt_tokens - 1,
        });
        expect(response.stop_reason).toBe(
            expected.finish_reason === "FINISH_REASON_LENGTH" ? "max_tokens" : "end_turn",
        );
        expect(response.routing).toMatchObject({
            tier: "local",
            provider: "local",
            model_used: "t",
            cost_usd: 0,
            outcome: "ok",
        });
    });

    it("stream() yields the same text, chunk by chunk", async () => {
        const expected = await direct();
        const router = makeRouter();
        const events = [];
        for await (const event of router.stream(chat)) events.push(event);
        expect(events[0]).toMatchObject({ type: "message_start", tier: "local", provider: "local" });
        const text = events.flatMap((e) => (e.type === "text_delta" ? [e.text] : [])).join("");
        expect(text).toBe(expected.text);
        const end = events.at(-1);
        expect(end?.type).toBe("message_end");
        if (end?.type === "message_end") {
            expect(end.usage.output_tokens).toBe(expected.usage?.completion_tokens);
            expect(end.routing.ttft_ms).not.toBeNull();
        }
    });

    it("passes a stop sequence through and reports it", async () => {
        const free = await env.server.generate({
            messages: [{ role: "user", content: "hi" }],
            model: "t",
            max_tokens: 32,
            temperature: 0,
        });
        const cut = free.text.slice(4, 7);
        const router = makeRouter();
        const response = await collectStream(
            router.stream({
                messages: [{ role: "user", content: "hi" }],
                max_tokens: 32,
                temperature: 0,
                stop: [cut],
            }),
        );
        expect(response).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: cut });
        expect(response.content).toEqual(
            [{ type: "text", text: free.text.slice(0, free.text.indexOf(cut)) }].filter((p) => p.text !== ""),
        );
    });

    it("a caller's cancel reaches the server (the GenerateStream call is cancelled)", async () => {
        const series = 'tiercel_requests_total{method="GenerateStream",code="CANCELLED"}';
        const before = metricValue(await env.server.metricsText(), series) ?? 0;
        const router = makeRouter();
        const controller = new AbortController();
        const received: string[] = [];
        await expect(
            (async () => {
                for await (const event of router.stream(
                    { ...chat, max_tokens: 400 },
                    { signal: controller.signal },
                )) {
                    received.push(event.type);
                    if (event.type === "text_delta") controller.abort();
                }
            })(),
        ).rejects.toMatchObject({ code: ErrorCode.Cancelled });
        expect(received).toContain("text_delta");
        await expect
            .poll(async () => metricValue(await env.server.metricsText(), series) ?? 0, { timeout: 10_000 })
            .toBe(before + 1);
    });

    it("the server's E_MODEL_NOT_FOUND trailer moves the request to the hosted tier", async () => {
        const router = makeRouter({
            tiers: [
                { name: "local", targets: [{ provider: "local", model: "no-such-model" }] },
                { name: "mid", targets: [{ provider: "anthropic", model: "claude-haiku-5-5" }] },
            ],
        });
        env.anthropic.enqueue(anthropicMessage(anthropicText("hosted")));
        const response = await router.complete(chat);
        expect(response.routing.attempts[0]).toMatchObject({
            provider: "local",
            outcome: "error",
            error_code: ErrorCode.ModelNotFound,
        });
        expect(response.routing).toMatchObject({ tier: "mid", fallback: true });
        expect(response.content).toEqual([{ type: "text", text: "hosted" }]);
    });

    it("requests with tools skip a local tier configured without tool calls, for the hosted tier", async () => {
        const router = makeRouter({
            providers: {
                local: { type: "local", address: env.server.addresses.grpcAddress, toolCalls: false },
                anthropic: { type: "anthropic", baseURL: env.anthropic.url, apiKeyEnv: "TEST_ANTHROPIC_KEY" },
            },
        });
        env.anthropic.enqueue(anthropicMessage(anthropicText("with tools")));
        const response = await router.complete({
            ...chat,
            tools: [{ name: "read", input_schema: { type: "object" } }],
        });
        expect(response.routing.attempts[0]).toMatchObject({
            provider: "local",
            outcome: "skipped_unsupported",
        });
        expect(response.routing.provider).toBe("anthropic");
    });

    it("a router made a moment ago judges its first tool request by the server's ListModels, not as unknown", async () => {
        // The server's target has no tool template (ListModels tool_calls false). Before the router asked
        // again per request, a request arriving before the construction-time ListModels answered was
        // skipped as "has not said yet", and with every request carrying tools (agents) nothing asked again.
        const router = makeRouter();
        env.anthropic.enqueue(anthropicMessage(anthropicText("with tools")));
        const response = await router.complete({
            ...chat,
            tools: [{ name: "read", input_schema: { type: "object" } }],
        });
        expect(response.routing.attempts[0]).toMatchObject({
            provider: "local",
            outcome: "skipped_unsupported",
        });
        expect(response.routing.attempts[0]?.message).toContain("ListModels tool_calls is false");
        expect(response.routing.provider).toBe("anthropic");
    });

    it("a request with tools reaches the local tier; its tool call comes back normalized, unary and streamed", async () => {
        const router = makeRouter({
            providers: {
                local: { type: "local", address: env.server.addresses.grpcAddress, toolCalls: true },
                anthropic: { type: "anthropic", baseURL: env.anthropic.url, apiKeyEnv: "TEST_ANTHROPIC_KEY" },
            },
        });
        const request: ChatRequest = {
            ...chat,
            max_tokens: 64,
            tools: [
                {
                    name: "read_file",
                    description: "Read a file",
                    input_schema: {
                        type: "object",
                        properties: { path: { enum: ["a.py", "b.py"] } },
                        required: ["path"],
                        additionalProperties: false,
                    },
                },
            ],
            tool_choice: { name: "read_file" },
        };
        const response = await router.complete(request);
        expect(response.routing).toMatchObject({ provider: "local", outcome: "ok" });
        expect(response.stop_reason).toBe("tool_use");
        const call = response.content.find((p) => p.type === "tool_call");
        expect(call).toMatchObject({ type: "tool_call", id: "call_0", name: "read_file" });
        expect(["a.py", "b.py"]).toContain(call?.type === "tool_call" ? call.arguments.path : undefined);

        const streamed = await collectStream(router.stream(request));
        expect(streamed.content).toEqual(response.content);
        expect(streamed.stop_reason).toBe("tool_use");
        expect(env.anthropic.requests).toHaveLength(0);
    });

    it('serves tool requests whose schemas the local grammar cannot fully enforce (Claude Code\'s WebFetch `format: "uri"`)', async () => {
        // Before, one such tool among the agent's tools made the local tier refuse the whole request with
        // INVALID_ARGUMENT, which is not retried elsewhere: every request of that agent failed.
        const router = makeRouter({
            providers: {
                local: { type: "local", address: env.server.addresses.grpcAddress, toolCalls: true },
                anthropic: { type: "anthropic", baseURL: env.anthropic.url, apiKeyEnv: "TEST_ANTHROPIC_KEY" },
            },
        });
        const response = await router.complete({
            ...chat,
            max_tokens: 64,
            tools: [
                {
                    name: "WebFetch",
                    description: "Fetches a URL",
                    input_schema: {
                        type: "object",
                        properties: {
                            url: { type: "string", format: "uri" },
                            prompt: { type: "string" },
                            headers: {},
                        },
                        required: ["url", "prompt"],
                        additionalProperties: false,
                        $schema: "http://json-schema.org/draft-07/schema#",
                    },
                },
                {
                    name: "read_file",
                    input_schema: {
                        type: "object",
                        // draft-07 definitions, as zod-to-json-schema writes them
                        properties: {
                            path: { $ref: "#/definitions/Path" },
                            limit: { type: "integer", minimum: 1 },
                        },
                        definitions: { Path: { enum: ["a.py", "b.py"] } },
                        required: ["path"],
                        additionalProperties: false,
                    },
                },
            ],
            tool_choice: { name: "read_file" },
        });
        expect(response.routing).toMatchObject({ provider: "local", outcome: "ok" });
        const call = response.content.find((p) => p.type === "tool_call");
        expect(call).toMatchObject({ type: "tool_call", name: "read_file" });
        expect(["a.py", "b.py"]).toContain(call?.type === "tool_call" ? call.arguments.path : undefined);
        expect(env.anthropic.requests).toHaveLength(0);
    });

    it("moves a response_format the local grammar cannot enforce (a pattern) to the next tier, naming why", async () => {
        const router = makeRouter();
        env.anthropic.enqueue(anthropicMessage(anthropicText('{"version":"1.2.3"}')));
        const response = await router.complete({
            ...chat,
            max_tokens: 32,
            response_format: {
                type: "json_schema",
                schema: {
                    type: "object",
                    properties: { version: { type: "string", pattern: "^\\d+\\.\\d+\\.\\d+$" } },
                    required: ["version"],
                    additionalProperties: false,
                },
            },
        });
        expect(response.routing).toMatchObject({ provider: "anthropic", outcome: "ok" });
        expect(response.routing.attempts[0]).toMatchObject({
            provider: "local",
            error_code: ErrorCode.SchemaUnsupported,
        });
        expect(response.routing.attempts[0]?.message).toContain(
            "$.properties.version.pattern is not supported",
        );
    });

    it("passes response_format to the local tier, whose answer is the JSON the server's grammar allows", async () => {
        const schema = {
            type: "object",
            properties: { ok: { type: "boolean" }, kind: { enum: ["a", "b"] } },
            required: ["ok", "kind"],
            additionalProperties: false,
        };
        const router = makeRouter();
        const response = await router.complete({
            ...chat,
            max_tokens: 64,
            response_format: { type: "json_schema", schema },
        });
        expect(response.routing).toMatchObject({ provider: "local", outcome: "ok" });
        const direct = await env.server.generate({
            messages: [
                { role: "system", content: "You complete Python." },
                { role: "user", content: "def fib(n):" },
            ],
            model: "t",
            max_tokens: 64,
            temperature: 0,
            response_format: { json_schema: JSON.stringify(schema) },
        });
        expect(response.content).toEqual([{ type: "text", text: direct.text }]);
        expect(response.stop_reason).toBe("end_turn");
        const value = JSON.parse(direct.text) as Record<string, unknown>;
        expect(typeof value.ok).toBe("boolean");
        expect(["a", "b"]).toContain(value.kind);
    });

    it("a schema the local grammar cannot enforce is the server's INVALID_ARGUMENT, naming the keyword", async () => {
        const router = makeRouter({
            tiers: [{ name: "local", targets: [{ provider: "local", model: "t" }] }],
        });
        const error = await router
            .complete({
                ...chat,
                response_format: { type: "json_schema", schema: { type: "string", pattern: "^x$" } },
            })
            .catch((e: unknown) => e);
        expect((error as Error).message).toContain("$.pattern is not supported");
    });

    it("an unreachable local server is E_PROVIDER_UNAVAILABLE, and the hosted tier answers", async () => {
        const router = makeRouter({}, "127.0.0.1:1");
        env.anthropic.enqueue(anthropicMessage(anthropicText("hosted")));
        const response = await router.complete(chat);
        expect(response.routing.attempts[0]).toMatchObject({
            provider: "local",
            error_code: ErrorCode.ProviderUnavailable,
        });
        expect(response.routing.provider).toBe("anthropic");
    });
});

describe("several local servers (replicas) in one tier", () => {
    /** Two providers for the server (the router sees two replicas); longer answers keep streams open. */
    function replicaRouter(): Router {
        const address = env.server.addresses.grpcAddress;
        return makeRouter({
            providers: {
                r1: { type: "local", address },
                r2: { type: "local", address },
                anthropic: { type: "anthropic", baseURL: env.anthropic.url, apiKeyEnv: "TEST_ANTHROPIC_KEY" },
            },
            tiers: [
                {
                    name: "local",
                    targets: [
                        { provider: "r1", model: "t" },
                        { provider: "r2", model: "t" },
                    ],
                },
                { name: "mid", targets: [{ provider: "anthropic", model: "claude-haiku-5-5" }] },
            ],
            prices: {
                "r1/t": { inputPerMTok: 0, outputPerMTok: 0 },
                "r2/t": { inputPerMTok: 0, outputPerMTok: 0 },
            },
            affinity: { enabled: true },
        });
    }
    /** Starts a stream and reads up to its route (its first event): the request stays in flight. */
    async function open(router: Router, sessionId?: string) {
        const hints = sessionId === undefined ? {} : { session_id: sessionId };
        const it = router.stream({ ...chat, max_tokens: 24, hints })[Symbol.asyncIterator]();
        const first = await it.next();
        if (first.done || first.value.type !== "message_start") throw new Error("no message_start");
        return {
            provider: first.value.provider,
            finish: async () => {
                for (let r = await it.next(); !r.done; r = await it.next());
            },
        };
    }

    it("sends a new session to the replica with fewer requests in flight, and keeps a session on its replica", async () => {
        const router = replicaRouter();
        const a = await open(router);
        const other = a.provider === "r1" ? "r2" : "r1";
        // One request in flight on a's replica: the next two go to the other one (turns alone would alternate).
        const b = await router.complete({ ...chat, hints: { session_id: "s-1" } });
        expect(b.routing.provider).toBe(other);
        const c = await router.complete(chat);
        expect(c.routing.provider).toBe(other);
        await a.finish();
        // The session's pin outweighs load: its replica is busier than the idle one and still gets it.
        const held = await open(router, "s-1");
        expect(held.provider).toBe(other);
        const d = await router.complete({ ...chat, hints: { session_id: "s-1" } });
        expect(d.routing).toMatchObject({ provider: other, routing_reason: "affinity" });
        await held.finish();
    });
});

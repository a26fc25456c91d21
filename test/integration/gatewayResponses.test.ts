/**
 * The gateway's Responses face driven by the official `openai` SDK's `responses.create`: unary and
 * streamed on the real local tier (the gRPC server's own text, the full event sequence), a Codex
 * CLI-shaped request whose function call is answered by the hosted OpenAI tier (Chat Completions behind,
 * so the protocol is crossed both ways) and sent back as function_call / function_call_output items,
 * and the stateless refusal of previous_response_id.
 */
import OpenAI from "openai";
import type {
    ResponseCreateParamsStreaming,
    ResponseStreamEvent,
} from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import { anthropicStream, anthropicText } from "../helpers/fakeAnthropicServer.js";
import { lastOpenAIBody, openaiCompletion, openaiStream } from "../helpers/fakeOpenAIServer.js";
import { codexHeaders, codexRequest, codexSessionId } from "../helpers/fixtures/codexRequest.js";
import { gatewayKey, openaiClient, pythonPrompt, useGatewayFixture } from "../helpers/gatewayFixture.js";

const env = useGatewayFixture();

const localClient = (): OpenAI => openaiClient(env.server.addresses.gatewayUrl);
const tieredClient = (): OpenAI => openaiClient(env.gateway.url, gatewayKey);

const direct = () => env.generatePython();
const pythonRequest = {
    model: "auto",
    instructions: pythonPrompt.system,
    input: pythonPrompt.user,
    max_output_tokens: pythonPrompt.maxTokens,
    temperature: 0,
};

describe("POST /v1/responses", () => {
    it("answers on the local tier with the server's own text", async () => {
        const expected = await direct();
        const { data, response } = await localClient().responses.create(pythonRequest).withResponse();
        expect(data.object).toBe("response");
        expect(data.output_text).toBe(expected.text);
        expect(data.status).toBe(
            expected.finish_reason === "FINISH_REASON_LENGTH" ? "incomplete" : "completed",
        );
        expect(data.usage?.output_tokens).toBe(expected.usage?.completion_tokens);
        // The same prompt right after: all but its last token read from the local tier's KV cache.
        expect(data.usage?.input_tokens_details.cached_tokens).toBe(expected.usage!.prompt_tokens - 1);
        expect(response.headers.get("x-tiercel-route")).toBe("local/local/t; reason=default");
    });

    it("streams the Responses event sequence with the same text", async () => {
        const expected = await direct();
        const stream = await localClient().responses.create({ ...pythonRequest, stream: true });
        const events: ResponseStreamEvent[] = [];
        for await (const event of stream) events.push(event);
        const types = events.map((e) => e.type);
        const text = events.map((e) => (e.type === "response.output_text.delta" ? e.delta : "")).join("");
        expect(text).toBe(expected.text);
        expect(types.slice(0, 4)).toEqual([
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.content_part.added",
        ]);
        expect(types.slice(-4)).toEqual([
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            expected.finish_reason === "FINISH_REASON_LENGTH" ? "response.incomplete" : "response.completed",
        ]);
        expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
        const last = events.at(-1);
        expect(last && "response" in last ? last.response.output_text : undefined).toBe(expected.text);
    });

    it("serves a Codex CLI request: function call from the hosted tier, other tools ignored, session kept", async () => {
        env.openai.enqueue(
            openaiStream({
                toolCalls: [{ id: "call_7", name: "shell", args: ['{"command":', '["ls"]}'] }],
                finishReason: "tool_calls",
            }),
        );
        const { data: stream, response } = await tieredClient()
            .responses.create(codexRequest() as unknown as ResponseCreateParamsStreaming, {
                headers: codexHeaders,
            })
            .withResponse();
        const events: ResponseStreamEvent[] = [];
        for await (const event of stream) events.push(event);
        expect(response.headers.get("x-tiercel-route")).toBe(
            "frontier/openai/gpt-5.1-codex; reason=hint:tier",
        );
        expect(response.headers.get("x-tiercel-ignored")).toBe(
            "client_metadata, include, parallel_tool_calls, prompt_cache_key, reasoning, store, tools (namespace), tools (web_search)",
        );
        const types = events.map((e) => e.type);
        expect(types).toContain("response.function_call_arguments.delta");
        const done = events.find((e) => e.type === "response.output_item.done");
        expect(done && "item" in done ? done.item : undefined).toMatchObject({
            type: "function_call",
            call_id: "call_7",
            name: "shell",
            arguments: '{"command":["ls"]}',
        });
        expect(types.at(-1)).toBe("response.completed");
        expect(env.router.session(codexSessionId)).toBeDefined();
        const sent = lastOpenAIBody(env.openai);
        expect(sent.messages).toEqual([
            {
                role: "system",
                content:
                    "You are Codex, a coding agent running in a terminal.\n\n<permissions instructions>sandbox: workspace-write</permissions instructions>",
            },
            {
                role: "user",
                content: "<environment_context><cwd>/home/dev/project</cwd></environment_context>",
            },
            { role: "user", content: "list the files here" },
        ]);
        expect((sent.tools as unknown[]).length).toBe(1);

        // The next turn sends the call and its output back as input items.
        env.openai.enqueue(openaiStream({ text: ["a.txt ", "b.txt"], finishReason: "stop" }));
        const next = await tieredClient().responses.create(
            codexRequest([
                { type: "function_call", call_id: "call_7", name: "shell", arguments: '{"command":["ls"]}' },
                { type: "function_call_output", call_id: "call_7", output: "a.txt\nb.txt" },
            ]) as unknown as ResponseCreateParamsStreaming,
            { headers: codexHeaders },
        );
        let text = "";
        for await (const event of next) if (event.type === "response.output_text.delta") text += event.delta;
        expect(text).toBe("a.txt b.txt");
        expect((lastOpenAIBody(env.openai).messages as unknown[]).slice(-2)).toEqual([
            {
                role: "assistant",
                content: null,
                tool_calls: [
                    {
                        id: "call_7",
                        type: "function",
                        function: { name: "shell", arguments: '{"command":["ls"]}' },
                    },
                ],
            },
            { role: "tool", tool_call_id: "call_7", content: "a.txt\nb.txt" },
        ]);
    });

    it("sends a Codex CLI loop whose last two shell outputs failed to frontier by the stalled_agent rule (no error flag on this wire)", async () => {
        const failedRun = (id: string) => [
            { type: "function_call", call_id: id, name: "shell", arguments: '{"command":["npm","test"]}' },
            {
                type: "function_call_output",
                call_id: id,
                output: "Exit code: 1\nWall time: 2.4 seconds\nOutput:\nFAIL test/sync.test.ts > converges",
            },
        ];
        const request = (input: unknown[]) =>
            ({ ...codexRequest(input), model: "auto" }) as unknown as ResponseCreateParamsStreaming;
        const route = async (input: unknown[], upstream: "openai" | "anthropic"): Promise<string | null> => {
            if (upstream === "openai")
                env.openai.enqueue(openaiStream({ text: ["looking"], finishReason: "stop" }));
            else env.anthropic.enqueue(anthropicStream(anthropicText("looking")));
            const { data, response } = await tieredClient().responses.create(request(input)).withResponse();
            for await (const _ of data);
            return response.headers.get("x-tiercel-route");
        };
        expect(await route([...failedRun("call_1"), ...failedRun("call_2")], "openai")).toBe(
            "frontier/openai/gpt-5.1-codex; reason=rule:stalled_agent",
        );
        // One failure is not a stalled agent: tools skip the local tier, mid answers.
        expect(await route(failedRun("call_3"), "anthropic")).toMatch(
            /^mid\/anthropic\/claude-haiku-5-5; reason=default/,
        );
    });

    it("enforces text.format json_schema on the local tier (its grammar) and sends it on to OpenAI", async () => {
        const schema = {
            type: "object",
            properties: { name: { type: "string", maxLength: 12 }, pure: { type: "boolean" } },
            required: ["name", "pure"],
            additionalProperties: false,
        };
        const format = { type: "json_schema" as const, name: "fn", schema, strict: true };
        const { data, response } = await localClient()
            .responses.create({ ...pythonRequest, max_output_tokens: 120, text: { format } })
            .withResponse();
        expect(response.headers.get("x-tiercel-route")).toMatch(/^local\//);
        expect(response.headers.get("x-tiercel-ignored") ?? "").not.toContain("text");
        const parsed = JSON.parse(data.output_text) as Record<string, unknown>;
        expect(Object.keys(parsed).sort()).toEqual(["name", "pure"]);
        expect(typeof parsed.pure).toBe("boolean");

        env.openai.enqueue(openaiCompletion({ text: ['{"ok":true}'], finishReason: "stop" }));
        const hosted = await tieredClient().responses.create({
            ...pythonRequest,
            model: "frontier",
            text: { format: { type: "json_object" } },
        });
        expect(hosted.output_text).toBe('{"ok":true}');
        expect(lastOpenAIBody(env.openai).response_format).toEqual({ type: "json_object" });
    });

    it("refuses a text.format json_schema without a schema with a 400 naming the field", async () => {
        const error = await localClient()
            .responses.create({
                ...pythonRequest,
                text: { format: { type: "json_schema", name: "fn" } as never },
            })
            .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OpenAI.BadRequestError);
        expect((error as Error).message).toContain("text.format.schema");
    });

    it("refuses previous_response_id with a 400 saying the gateway is stateless", async () => {
        const error = await localClient()
            .responses.create({ ...pythonRequest, previous_response_id: "resp_1" })
            .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OpenAI.BadRequestError);
        expect((error as Error).message).toContain("stateless");
    });
});

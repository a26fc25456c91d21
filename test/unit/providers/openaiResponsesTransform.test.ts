/**
 * The Responses API transform (providers/openai/responsesTransform.ts): normalized requests as Responses
 * bodies, and Responses answers (unary and the named event stream, written by the fake's reference
 * shapes) as normalized results and events; relayed streams carry every event first.
 */
import type { Response, ResponseStreamEvent } from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import type { ProviderStreamEvent } from "../../../src/chat/types.js";
import { ErrorCode } from "../../../src/errors/codes.js";
import {
    fromResponse,
    fromResponsesStream,
    toResponsesParams,
} from "../../../src/providers/openai/responsesTransform.js";
import { OpenAIProvider } from "../../../src/providers/openai/OpenAIProvider.js";
import type { ProviderRequest } from "../../../src/providers/Provider.js";
import { responsesFrames, responsesReply, type ResponsesTurn } from "../../helpers/fakeResponsesApi.js";
import { expectRelayed, iterate } from "../../helpers/providerStreams.js";

const events = (turn: ResponsesTurn): ResponseStreamEvent[] =>
    responsesFrames(turn).map((frame) => frame.data as ResponseStreamEvent);

async function translate(
    items: readonly ResponseStreamEvent[],
    relay = false,
): Promise<ProviderStreamEvent[]> {
    const out: ProviderStreamEvent[] = [];
    const signal = new AbortController().signal;
    for await (const event of fromResponsesStream("openai", iterate(items), signal, relay)) out.push(event);
    return out;
}

const toolTurn: ResponsesTurn = {
    reasoning: { summary: "Read it first.", encrypted: "enc" },
    text: ["Let me ", "check."],
    calls: [{ id: "call_1", name: "read_file", args: ['{"pa', 'th": "a.ts"}'] }],
    usage: { input: 40, output: 22, cached: 32 },
};

describe("toResponsesParams", () => {
    it("instructions, input items for turns, tool calls and results, function tools, the cap; store off", () => {
        const request: ProviderRequest = {
            model: "gpt-5.1-codex",
            max_tokens: 64,
            system: "Be brief.",
            messages: [
                { role: "user", content: "read a.ts" },
                {
                    role: "assistant",
                    content: [
                        { type: "text", text: "Reading." },
                        { type: "tool_call", id: "call_1", name: "read_file", arguments: { path: "a.ts" } },
                    ],
                },
                {
                    role: "user",
                    content: [{ type: "tool_result", tool_call_id: "call_1", content: "let x;" }],
                },
            ],
            tools: [{ name: "read_file", input_schema: { type: "object" } }],
            tool_choice: { name: "read_file" },
            temperature: 0,
            seed: 7,
            response_format: { type: "json_object" },
        };
        expect(toResponsesParams(request)).toEqual({
            model: "gpt-5.1-codex",
            instructions: "Be brief.",
            input: [
                { role: "user", content: "read a.ts" },
                { role: "assistant", content: "Reading." },
                { type: "function_call", call_id: "call_1", name: "read_file", arguments: '{"path":"a.ts"}' },
                { type: "function_call_output", call_id: "call_1", output: "let x;" },
            ],
            max_output_tokens: 64,
            store: false,
            temperature: 0,
            text: { format: { type: "json_object" } },
            tools: [
                {
                    type: "function",
                    name: "read_file",
                    description: null,
                    parameters: { type: "object" },
                    strict: false,
                },
            ],
            tool_choice: { type: "function", name: "read_file" },
        });
    });

    it("a provider on the Responses wire reports stop sequences unsupported (the API has none)", () => {
        const provider = new OpenAIProvider({ id: "codex", apiKeyEnv: "NONE", env: {}, api: "responses" });
        const request: ProviderRequest = {
            model: "m",
            max_tokens: 8,
            messages: [{ role: "user", content: "x" }],
        };
        expect(provider.unsupported(request)).toBeUndefined();
        expect(provider.unsupported({ ...request, stop: ["\n"] })).toMatch(/Responses API has none/);
    });
});

describe("fromResponse", () => {
    it("text, a tool call, tool_use, usage with cached input; reasoning dropped", () => {
        const body = (responsesReply(toolTurn) as { body: Response }).body;
        expect(fromResponse("openai", body)).toEqual({
            content: [
                { type: "text", text: "Let me check." },
                { type: "tool_call", id: "call_1", name: "read_file", arguments: { path: "a.ts" } },
            ],
            stop_reason: "tool_use",
            stop_sequence: null,
            usage: { input_tokens: 40, output_tokens: 22, cache_read_input_tokens: 32 },
            model: "gpt-5.1-codex",
        });
    });

    it("an incomplete response stopped at the output cap is max_tokens; a failed one is a provider error", () => {
        const incomplete = (responsesReply({ text: ["cut"], status: "incomplete" }) as { body: Response })
            .body;
        expect(fromResponse("openai", incomplete).stop_reason).toBe("max_tokens");
        const failedBody = {
            ...incomplete,
            status: "failed",
            error: { code: "server_error", message: "boom" },
        };
        expect(() => fromResponse("openai", failedBody as Response)).toThrow(/boom/);
    });
});

describe("fromResponsesStream", () => {
    it("message_start, text deltas, a streamed tool call ended once, message_end with usage", async () => {
        expect(await translate(events(toolTurn))).toEqual([
            { type: "message_start", model: "gpt-5.1-codex" },
            { type: "text_delta", index: 0, text: "Let me " },
            { type: "text_delta", index: 0, text: "check." },
            { type: "tool_call_start", index: 1, id: "call_1", name: "read_file" },
            { type: "tool_call_delta", index: 1, arguments_delta: '{"pa' },
            { type: "tool_call_delta", index: 1, arguments_delta: 'th": "a.ts"}' },
            { type: "tool_call_end", index: 1, arguments: { path: "a.ts" } },
            {
                type: "message_end",
                stop_reason: "tool_use",
                stop_sequence: null,
                usage: { input_tokens: 40, output_tokens: 22, cache_read_input_tokens: 32 },
            },
        ]);
    });

    it("relayed: every event as a native event first, only starts without output", async () => {
        const wire = events(toolTurn);
        const out = await translate(wire, true);
        const natives = expectRelayed(out, await translate(wire), wire, "openai-responses");
        expect(new Set(natives.filter((e) => !e.output).map((e) => e.event))).toEqual(
            new Set([
                "response.created",
                "response.in_progress",
                "response.output_item.added",
                "response.content_part.added",
            ]),
        );
        expect(out.at(-2)).toMatchObject({ type: "native", event: "response.completed" });
    });

    it("fails on an error event and on a stream cut before response.completed", async () => {
        const wire = events({ text: ["a"] });
        const error = {
            type: "error",
            code: "server_error",
            message: "overloaded",
            param: null,
            sequence_number: 3,
        };
        await expect(translate([...wire.slice(0, 3), error as ResponseStreamEvent])).rejects.toMatchObject({
            code: ErrorCode.ProviderStream,
            retryable: true,
        });
        await expect(translate(wire.slice(0, -1))).rejects.toThrow(/truncated/);
    });
});

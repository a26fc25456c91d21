/**
 * Normalized ↔ Anthropic Messages translation, pure: request params, unary responses, and stream events
 * (wire events built by the same builders the fake server sends), including the gateway bugs from
 * anchors/router.md §1.5 as explicit cases.
 */
import { AnthropicProvider } from "../../../src/providers/anthropic/AnthropicProvider.js";
import type { Message, RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages/messages";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import {
    fromAnthropicMessage,
    fromAnthropicStream,
    toAnthropicParams,
} from "../../../src/providers/anthropic/transform.js";
import type { ProviderRequest } from "../../../src/providers/Provider.js";
import type { ProviderStreamEvent } from "../../../src/chat/types.js";
import { anthropicFrames, anthropicMessage, type AnthropicTurn } from "../../helpers/fakeAnthropicServer.js";
import { expectRelayed, iterate } from "../../helpers/providerStreams.js";

const wireEvents = (turn: AnthropicTurn): RawMessageStreamEvent[] =>
    anthropicFrames(turn).map((frame) => frame.data as RawMessageStreamEvent);

async function translate(events: readonly RawMessageStreamEvent[], signal = new AbortController().signal) {
    const out: ProviderStreamEvent[] = [];
    for await (const event of fromAnthropicStream("anthropic", iterate(events), signal)) out.push(event);
    return out;
}

async function translateError(events: readonly RawMessageStreamEvent[]): Promise<unknown> {
    try {
        await translate(events);
    } catch (error) {
        return error;
    }
    throw new Error("expected the translation to fail");
}

const toolTurn: AnthropicTurn = {
    blocks: [
        { type: "text", deltas: ["Let me ", "check."] },
        { type: "tool_use", id: "toolu_01", name: "read_file", json: ['{"pa', 'th": "src/', 'app.ts"}'] },
    ],
    stopReason: "tool_use",
    usage: { input: 40, output: 22 },
};

describe("toAnthropicParams", () => {
    const request: ProviderRequest = {
        model: "claude-sonnet-5-5",
        max_tokens: 512,
        system: "be terse",
        temperature: 0.2,
        stop: ["\n\nHuman:", "END"],
        messages: [
            { role: "user", content: "fix the test" },
            {
                role: "assistant",
                content: [
                    { type: "text", text: "" },
                    { type: "text", text: "Running it." },
                    { type: "tool_call", id: "toolu_9", name: "run", arguments: { cmd: "npm test" } },
                ],
            },
            {
                role: "user",
                content: [
                    { type: "tool_result", tool_call_id: "toolu_9", content: "1 failed", is_error: true },
                    { type: "text", text: "see?" },
                ],
            },
        ],
        tools: [
            {
                name: "run",
                description: "run a command",
                input_schema: { type: "object", properties: { cmd: { type: "string" } } },
            },
        ],
        tool_choice: "required",
    };

    it("maps every field, keeping stop sequences and dropping empty text blocks", () => {
        expect(toAnthropicParams(request)).toEqual({
            model: "claude-sonnet-5-5",
            max_tokens: 512,
            system: "be terse",
            stop_sequences: ["\n\nHuman:", "END"],
            messages: [
                { role: "user", content: "fix the test" },
                {
                    role: "assistant",
                    content: [
                        { type: "text", text: "Running it." },
                        { type: "tool_use", id: "toolu_9", name: "run", input: { cmd: "npm test" } },
                    ],
                },
                {
                    role: "user",
                    content: [
                        { type: "tool_result", tool_use_id: "toolu_9", content: "1 failed", is_error: true },
                        { type: "text", text: "see?" },
                    ],
                },
            ],
            tools: [
                {
                    name: "run",
                    description: "run a command",
                    input_schema: { type: "object", properties: { cmd: { type: "string" } } },
                },
            ],
            tool_choice: { type: "any" },
        });
    });

    it.each([
        ["auto", { type: "auto" }],
        ["none", { type: "none" }],
        ["required", { type: "any" }],
        [{ name: "run" }, { type: "tool", name: "run" }],
    ] as const)("tool_choice %j → %j", (choice, expected) => {
        expect(toAnthropicParams({ ...request, tool_choice: choice }).tool_choice).toEqual(expected);
    });

    it("sends no temperature (API version 2026-10-21 has none) and leaves unset fields out", () => {
        const params = toAnthropicParams({
            model: "m",
            max_tokens: 1,
            messages: [{ role: "user", content: "x" }],
            temperature: 1,
        });
        expect(params).toEqual({ model: "m", max_tokens: 1, messages: [{ role: "user", content: "x" }] });
    });
});

describe("fromAnthropicMessage", () => {
    const message = (turn: AnthropicTurn): Message => {
        const reply = anthropicMessage(turn);
        if (reply.kind !== "json") throw new Error("unreachable");
        return reply.body as Message;
    };

    it("text and tool calls in order, usage, model", () => {
        expect(fromAnthropicMessage("anthropic", message(toolTurn))).toEqual({
            content: [
                { type: "text", text: "Let me check." },
                { type: "tool_call", id: "toolu_01", name: "read_file", arguments: { path: "src/app.ts" } },
            ],
            stop_reason: "tool_use",
            stop_sequence: null,
            usage: { input_tokens: 40, output_tokens: 22 },
            model: "claude-sonnet-5-5",
        });
    });

    it.each([
        ["end_turn", "end_turn"],
        ["max_tokens", "max_tokens"],
        ["model_context_window_exceeded", "max_tokens"],
        ["stop_sequence", "stop_sequence"],
        ["refusal", "refusal"],
        ["pause_turn", "end_turn"],
        ["some_future_reason", "end_turn"],
    ])("stop_reason %s → %s", (reason, normalized) => {
        const result = fromAnthropicMessage(
            "anthropic",
            message({
                blocks: [{ type: "text", deltas: ["x"] }],
                stopReason: reason,
                stopSequence: reason === "stop_sequence" ? "END" : null,
            }),
        );
        expect(result.stop_reason).toBe(normalized);
        if (reason === "stop_sequence") expect(result.stop_sequence).toBe("END");
    });

    it("end_turn reported for a turn with tool calls is tool_use (LiteLLM #34692)", () => {
        expect(
            fromAnthropicMessage("anthropic", message({ ...toolTurn, stopReason: "end_turn" })).stop_reason,
        ).toBe("tool_use");
    });

    it("a malformed body is a protocol error", () => {
        expect(() => fromAnthropicMessage("anthropic", {} as Message)).toThrow(
            expect.objectContaining({ code: ErrorCode.ProviderStream }) as Error,
        );
    });
});

describe("fromAnthropicStream", () => {
    it("relayed: each wire event as a native event before what it means, message_start first", async () => {
        const events = wireEvents(toolTurn);
        const out: ProviderStreamEvent[] = [];
        const signal = new AbortController().signal;
        for await (const event of fromAnthropicStream("anthropic", iterate(events), signal, true))
            out.push(event);
        // The unrelayed stream plus every wire event, in order, once; only a block's start, the ping and
        // message_start commit nothing.
        const natives = expectRelayed(out, await translate(events), events, "anthropic-messages");
        expect(natives.filter((e) => !e.output).map((e) => e.event)).toEqual([
            "message_start",
            "content_block_start",
            "ping",
            "content_block_start",
        ]);
        // A native event comes before the normalized events it produced.
        const firstDelta = out.findIndex((e) => e.type === "text_delta");
        expect(out[firstDelta - 1]).toMatchObject({ type: "native", event: "content_block_delta" });
        expect(out.at(-2)).toMatchObject({ type: "native", event: "message_stop" });
        expect(out.at(-1)?.type).toBe("message_end");
    });

    it("text deltas, a tool call with streamed JSON arguments, stop reason and usage", async () => {
        expect(await translate(wireEvents(toolTurn))).toEqual([
            { type: "message_start", model: "claude-sonnet-5-5" },
            { type: "text_delta", index: 0, text: "Let me " },
            { type: "text_delta", index: 0, text: "check." },
            { type: "tool_call_start", index: 1, id: "toolu_01", name: "read_file" },
            { type: "tool_call_delta", index: 1, arguments_delta: '{"pa' },
            { type: "tool_call_delta", index: 1, arguments_delta: 'th": "src/' },
            { type: "tool_call_delta", index: 1, arguments_delta: 'app.ts"}' },
            { type: "tool_call_end", index: 1, arguments: { path: "src/app.ts" } },
            {
                type: "message_end",
                stop_reason: "tool_use",
                stop_sequence: null,
                usage: { input_tokens: 40, output_tokens: 22 },
            },
        ]);
    });

    it("one tool block with two content_block_stop events ends once (LiteLLM #37273)", async () => {
        const events = wireEvents(toolTurn);
        const stop = events.findIndex((e) => e.type === "content_block_stop" && e.index === 1);
        events.splice(stop + 1, 0, events[stop]!);
        const out = await translate(events);
        expect(out.filter((e) => e.type === "tool_call_end")).toHaveLength(1);
    });

    it("end_turn on a turn that called tools is reported as tool_use (LiteLLM #34692)", async () => {
        const out = await translate(wireEvents({ ...toolTurn, stopReason: "end_turn" }));
        expect(out.at(-1)).toMatchObject({ type: "message_end", stop_reason: "tool_use" });
    });

    it("an empty leading text block produces no content part (Bifrost #3638)", async () => {
        const out = await translate(
            wireEvents({
                blocks: [{ type: "text", deltas: [""] }, toolTurn.blocks[1]!],
                stopReason: "tool_use",
            }),
        );
        expect(out.filter((e) => e.type === "text_delta")).toEqual([]);
        expect(out.find((e) => e.type === "tool_call_start")).toMatchObject({ index: 0 });
    });

    it("tool input sent whole in content_block_start is kept when no delta follows (args lost, LiteLLM #25561)", async () => {
        const out = await translate(
            wireEvents({
                blocks: [
                    {
                        type: "tool_use",
                        id: "toolu_2",
                        name: "grep",
                        json: [],
                        startInput: { pattern: "TODO" },
                    },
                ],
                stopReason: "tool_use",
            }),
        );
        expect(out.find((e) => e.type === "tool_call_end")).toEqual({
            type: "tool_call_end",
            index: 0,
            arguments: { pattern: "TODO" },
        });
    });

    it("a tool call with no arguments at all ends with {}", async () => {
        const out = await translate(
            wireEvents({
                blocks: [{ type: "tool_use", id: "t", name: "now", json: [] }],
                stopReason: "tool_use",
            }),
        );
        expect(out.find((e) => e.type === "tool_call_end")).toMatchObject({ arguments: {} });
    });

    it("reports the stop sequence that ended generation", async () => {
        const out = await translate(
            wireEvents({
                blocks: [{ type: "text", deltas: ["a"] }],
                stopReason: "stop_sequence",
                stopSequence: "END",
            }),
        );
        expect(out.at(-1)).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "END" });
    });

    it("ignores ping, thinking deltas and event types it does not know", async () => {
        const events = wireEvents({ blocks: [{ type: "text", deltas: ["hi"] }], stopReason: "end_turn" });
        events.splice(
            1,
            0,
            { type: "ping" } as unknown as RawMessageStreamEvent,
            { type: "future_event", x: 1 } as unknown as RawMessageStreamEvent,
        );
        events.splice(4, 0, {
            type: "content_block_delta",
            index: 0,
            delta: { type: "thinking_delta", thinking: "hmm" },
        } as RawMessageStreamEvent);
        const out = await translate(events);
        expect(out.map((e) => e.type)).toEqual(["message_start", "text_delta", "message_end"]);
    });

    it("ends a tool call at message_stop when its content_block_stop never came", async () => {
        const events = wireEvents(toolTurn).filter(
            (e) => !(e.type === "content_block_stop" && e.index === 1),
        );
        const out = await translate(events);
        expect(out.filter((e) => e.type === "tool_call_end")).toHaveLength(1);
        expect(out.at(-1)?.type).toBe("message_end");
    });

    it("a stream that ends before message_stop is truncated: E_PROVIDER_STREAM, retryable", async () => {
        const events = wireEvents(toolTurn);
        const error = await translateError(events.slice(0, -2));
        expect(error).toMatchObject({ code: ErrorCode.ProviderStream, retryable: true });
    });

    it("unparsable tool arguments are a protocol error, not a tool call", async () => {
        const error = await translateError(
            wireEvents({
                blocks: [{ type: "tool_use", id: "t", name: "run", json: ['{"cmd": "ls'] }],
                stopReason: "tool_use",
            }),
        );
        expect(error).toMatchObject({
            code: ErrorCode.ProviderStream,
            message: expect.stringContaining('tool "run" arguments are not valid JSON') as string,
        });
    });

    it("an aborted stream throws the abort, not a truncation", async () => {
        const controller = new AbortController();
        controller.abort();
        const events = wireEvents(toolTurn).slice(0, 3);
        await expect(translate(events, controller.signal)).rejects.toMatchObject({
            code: ErrorCode.Cancelled,
        });
    });

    it("usage counts cache reads and writes as input, and message_delta output tokens are cumulative", async () => {
        const events = wireEvents({
            blocks: [{ type: "text", deltas: ["x"] }],
            stopReason: "end_turn",
            usage: { input: 5, output: 9 },
        });
        const start = events[0] as RawMessageStreamEvent & { type: "message_start" };
        start.message.usage.cache_read_input_tokens = 100;
        start.message.usage.cache_creation_input_tokens = 20;
        expect((await translate(events)).at(-1)).toMatchObject({
            usage: { input_tokens: 125, output_tokens: 9 },
        });
    });
});

describe("AnthropicProvider.unsupported", () => {
    it("skips a json_object response_format (no Messages API form) and takes json_schema and the rest", () => {
        const provider = new AnthropicProvider({ id: "a", apiKeyEnv: "K", env: { K: "sk-ant-x" } });
        const base = { model: "m", max_tokens: 1, messages: [{ role: "user" as const, content: "x" }] };
        expect(provider.unsupported(base)).toBeUndefined();
        expect(provider.unsupported({ ...base, response_format: { type: "json_object" } })).toContain(
            "json_object",
        );
        const schema = { type: "object", properties: { ok: { type: "boolean" } } };
        const json = { ...base, response_format: { type: "json_schema" as const, schema, name: "n" } };
        expect(provider.unsupported(json)).toBeUndefined();
        expect(toAnthropicParams(json).output_config).toEqual({ format: { type: "json_schema", schema } });
        expect(toAnthropicParams(base)).not.toHaveProperty("output_config");
    });

    it("skips text completions and fill-in-the-middle: they need the local tier", () => {
        const provider = new AnthropicProvider({ id: "a", apiKeyEnv: "K", env: { K: "sk-ant-x" } });
        const completion = {
            model: "m",
            max_tokens: 1,
            messages: [],
            completion: { prompt: "a", suffix: "b" },
        };
        expect(provider.unsupported(completion)).toMatch(/fill-in-the-middle need the local tier/);
        expect(provider.unsupported({ ...completion, completion: { prompt: "a" } })).toMatch(/local tier/);
    });
});

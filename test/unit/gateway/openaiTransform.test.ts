import { describe, expect, it } from "vitest";
import { fromChatCompletionParams } from "../../../src/gateway/openai/chatRequest.js";
import { ChatChunkEncoder } from "../../../src/gateway/openai/chatResponse.js";
import type { ChatCompletionChunk } from "openai/resources/chat/completions/completions";
import type { RouterStreamEvent } from "../../../src/index.js";
import { messageStart } from "../../helpers/messageStart.js";

describe("fromChatCompletionParams", () => {
    it("joins system and developer messages, gathers consecutive tool results into one user turn", () => {
        const parsed = fromChatCompletionParams({
            model: "auto",
            max_tokens: 5,
            max_completion_tokens: 9,
            stop: "\n\n",
            messages: [
                { role: "developer", content: "Be brief." },
                { role: "system", content: [{ type: "text", text: "Use tools." }] },
                { role: "user", content: "two files" },
                {
                    role: "assistant",
                    content: null,
                    tool_calls: [
                        { id: "a", type: "function", function: { name: "read", arguments: '{"p":"1"}' } },
                        { id: "b", type: "function", function: { name: "read", arguments: "" } },
                    ],
                },
                { role: "tool", tool_call_id: "a", content: "one" },
                { role: "tool", tool_call_id: "b", content: "two" },
            ],
        });
        expect(parsed.request).toEqual({
            system: "Be brief.\n\nUse tools.",
            max_tokens: 9,
            stop: ["\n\n"],
            messages: [
                { role: "user", content: "two files" },
                {
                    role: "assistant",
                    content: [
                        { type: "tool_call", id: "a", name: "read", arguments: { p: "1" } },
                        { type: "tool_call", id: "b", name: "read", arguments: {} },
                    ],
                },
                {
                    role: "user",
                    content: [
                        { type: "tool_result", tool_call_id: "a", content: "one" },
                        { type: "tool_result", tool_call_id: "b", content: "two" },
                    ],
                },
            ],
        });
    });

    it("maps response_format json_object and json_schema to the router's, and text to nothing", () => {
        const base = { model: "auto", messages: [{ role: "user", content: "hi" }] };
        const schema = { type: "object", properties: { a: { type: "string" } } };
        expect(
            fromChatCompletionParams({ ...base, response_format: { type: "text" } }).request.response_format,
        ).toBe(undefined);
        expect(
            fromChatCompletionParams({ ...base, response_format: { type: "json_object" } }).request
                .response_format,
        ).toEqual({ type: "json_object" });
        expect(
            fromChatCompletionParams({
                ...base,
                response_format: { type: "json_schema", json_schema: { name: "x", schema, strict: true } },
            }).request.response_format,
        ).toEqual({ type: "json_schema", schema, name: "x", strict: true });
    });

    it.each([
        [
            { response_format: { type: "json_schema", json_schema: { name: "x" } } },
            /json_schema\.schema` must be/,
        ],
        [{ response_format: { type: "yaml" } }, /"yaml" is not supported/],
        [{ n: 2 }, /only n = 1/],
        [{ logprobs: true }, /remove `logprobs`/],
        [{ model: undefined }, /`model` is required/],
        [
            {
                messages: [
                    {
                        role: "assistant",
                        content: null,
                        tool_calls: [{ id: "a", type: "function", function: { name: "f", arguments: "{" } }],
                    },
                ],
            },
            /messages\[0\]\.tool_calls\[0\]\.function\.arguments is not valid JSON/,
        ],
        [
            { messages: [{ role: "user", content: [{ type: "video_url", video_url: { url: "x" } }] }] },
            /messages\[0\]\.content\[0\]: "video_url" is not a Chat Completions content part type/,
        ],
    ])("refuses %j with a message naming the field", (patch, message) => {
        const body = { model: "auto", messages: [{ role: "user", content: "hi" }], ...patch };
        expect(() => fromChatCompletionParams(body)).toThrow(message);
    });

    it("keeps image, audio and file parts as placeholders, named for a target that reads the body as written", () => {
        const parsed = fromChatCompletionParams({
            model: "auto",
            messages: [
                {
                    role: "user",
                    content: [
                        { type: "text", text: "what is wrong here?" },
                        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
                    ],
                },
            ],
        });
        expect(parsed.request.messages).toEqual([
            {
                role: "user",
                content: [
                    { type: "text", text: "what is wrong here?" },
                    { type: "text", text: "[image_url]" },
                ],
            },
        ]);
        expect(parsed.only).toBe("image_url parts (no form outside Chat Completions)");
        expect(
            fromChatCompletionParams({ model: "auto", messages: [{ role: "user", content: "hi" }] }).only,
        ).toBeUndefined();
    });
});

describe("ChatChunkEncoder", () => {
    it("returns each chunk serialized, members in the API's order, the shared ones written once", () => {
        const encoder = new ChatChunkEncoder("chatcmpl-1", 7, true);
        const frames = [
            messageStart,
            { type: "text_delta", index: 0, text: 'say "hi"\n' },
            {
                type: "message_end",
                stop_reason: "end_turn",
                stop_sequence: null,
                usage: { input_tokens: 3, output_tokens: 2 },
            },
        ].flatMap((event) => encoder.encode(event as RouterStreamEvent));
        expect(frames[1]).toBe(
            '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"m",' +
                '"choices":[{"index":0,"delta":{"content":"say \\"hi\\"\\n"},"logprobs":null,"finish_reason":null}],"usage":null}',
        );
        const base = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 7, model: "m" };
        const choice = (delta: object, finish: string | null): object => ({
            ...base,
            choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
            usage: null,
        });
        expect(frames.map((frame) => JSON.parse(frame) as unknown)).toEqual([
            choice({ role: "assistant", content: "", refusal: null }, null),
            choice({ content: 'say "hi"\n' }, null),
            choice({}, "stop"),
            { ...base, choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
        ]);
    });

    it("keys tool-call fragments by the call's own index, not the content index", () => {
        const encoder = new ChatChunkEncoder("id", 1, false);
        encoder.encode(messageStart);
        encoder.encode({ type: "text_delta", index: 0, text: "Let me look." });
        const call = encoder.encode({ type: "tool_call_start", index: 1, id: "c1", name: "f" });
        const delta = encoder.encode({ type: "tool_call_delta", index: 1, arguments_delta: '{"x":' });
        const first = (frames: string[]): ChatCompletionChunk =>
            JSON.parse(frames[0]!) as ChatCompletionChunk;
        expect(first(call).choices[0]?.delta.tool_calls?.[0]).toMatchObject({ index: 0, id: "c1" });
        expect(first(delta).choices[0]?.delta.tool_calls?.[0]).toEqual({
            index: 0,
            function: { arguments: '{"x":' },
        });
    });
});

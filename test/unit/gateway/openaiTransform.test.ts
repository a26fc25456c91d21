import { describe, expect, it } from "vitest";
import { fromChatCompletionParams } from "../../../src/gateway/openai/chatRequest.js";
import { ChatChunkEncoder } from "../../../src/gateway/openai/chatResponse.js";

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
            { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }] },
            /messages\[0\]\.content\[0\]: image_url parts are not supported/,
        ],
    ])("refuses %j with a message naming the field", (patch, message) => {
        const body = { model: "auto", messages: [{ role: "user", content: "hi" }], ...patch };
        expect(() => fromChatCompletionParams(body)).toThrow(message);
    });
});

describe("ChatChunkEncoder", () => {
    it("keys tool-call fragments by the call's own index, not the content index", () => {
        const encoder = new ChatChunkEncoder("id", 1, false);
        encoder.encode({
            type: "message_start",
            model: "m",
            tier: "t",
            provider: "p",
            model_used: "m",
            routing_reason: "default",
        });
        encoder.encode({ type: "text_delta", index: 0, text: "Let me look." });
        const start = encoder.encode({ type: "tool_call_start", index: 1, id: "c1", name: "f" });
        const delta = encoder.encode({ type: "tool_call_delta", index: 1, arguments_delta: '{"x":' });
        expect(start[0]?.choices[0]?.delta.tool_calls?.[0]).toMatchObject({ index: 0, id: "c1" });
        expect(delta[0]?.choices[0]?.delta.tool_calls?.[0]).toEqual({
            index: 0,
            function: { arguments: '{"x":' },
        });
    });
});

import type { RawContentBlockDeltaEvent } from "@anthropic-ai/sdk/resources/messages/messages";
import { describe, expect, it } from "vitest";
import type { RouterStreamEvent } from "../../../src/index.js";
import { fromMessageParams } from "../../../src/gateway/anthropic/messagesRequest.js";
import { MessageEventEncoder } from "../../../src/gateway/anthropic/messagesResponse.js";
import { GatewayError } from "../../../src/gateway/GatewayError.js";
import { claudeCodeRequest } from "../../helpers/fixtures/claudeCodeRequest.js";
import { messageStart } from "../../helpers/messageStart.js";

const parse = (body: Record<string, unknown>) => fromMessageParams(body, { requireMaxTokens: true });

describe("fromMessageParams", () => {
    it("leaves Claude Code's billing block out of the system prompt, so two turns give the same prompt", () => {
        const one = parse(claudeCodeRequest("aaaa"));
        const two = parse(claudeCodeRequest("bbbbbbbb"));
        expect(one.request.system).not.toContain("x-anthropic-billing-header");
        expect(one.request).toEqual(two.request);
        expect(one.request.system).toMatch(
            /^You are Claude Code.*\n\nYou are an interactive.*\n\nCurrent working directory/s,
        );
    });

    it("maps tool_use / tool_result blocks, drops earlier thinking, ignores server tools and names them", () => {
        const parsed = parse({
            model: "auto",
            max_tokens: 10,
            tools: [
                { name: "Read", input_schema: { type: "object" } },
                { type: "web_search_20250305", name: "web_search" },
            ],
            tool_choice: { type: "any" },
            top_k: 5,
            messages: [
                { role: "user", content: "read a.txt" },
                {
                    role: "assistant",
                    content: [
                        { type: "thinking", thinking: "hmm", signature: "sig" },
                        { type: "tool_use", id: "t1", name: "Read", input: { file_path: "a.txt" } },
                    ],
                },
                {
                    role: "user",
                    content: [
                        {
                            type: "tool_result",
                            tool_use_id: "t1",
                            is_error: true,
                            content: [
                                { type: "text", text: "no such" },
                                { type: "text", text: "file" },
                            ],
                        },
                    ],
                },
            ],
        });
        expect(parsed.request.messages).toEqual([
            { role: "user", content: "read a.txt" },
            {
                role: "assistant",
                content: [{ type: "tool_call", id: "t1", name: "Read", arguments: { file_path: "a.txt" } }],
            },
            {
                role: "user",
                content: [
                    { type: "tool_result", tool_call_id: "t1", content: "no such\nfile", is_error: true },
                ],
            },
        ]);
        expect(parsed.request.tools).toEqual([{ name: "Read", input_schema: { type: "object" } }]);
        expect(parsed.request.tool_choice).toBe("required");
        expect(parsed.request.top_k).toBe(5);
        expect(parsed.ignored.sort()).toEqual(["thinking blocks", "tools (web_search_20250305)"]);
    });

    it("keeps blocks with no normalized form as placeholders, and names them for a target that reads the body", () => {
        const parsed = parse({
            model: "auto",
            max_tokens: 1,
            messages: [
                {
                    role: "user",
                    content: [
                        { type: "document", source: {} },
                        { type: "text", text: "summarize" },
                    ],
                },
                {
                    role: "assistant",
                    content: [{ type: "server_tool_use", id: "s", name: "web_search", input: {} }],
                },
                {
                    role: "user",
                    content: [
                        { type: "tool_result", tool_use_id: "t", content: [{ type: "image", source: {} }] },
                    ],
                },
            ],
        });
        expect(parsed.only).toBe(
            "document, image, server_tool_use blocks (no form outside the Messages API)",
        );
        expect(parsed.request.messages).toEqual([
            {
                role: "user",
                content: [
                    { type: "text", text: "[document]" },
                    { type: "text", text: "summarize" },
                ],
            },
            { role: "assistant", content: [{ type: "text", text: "[server_tool_use]" }] },
            { role: "user", content: [{ type: "tool_result", tool_call_id: "t", content: "[image]" }] },
        ]);
        expect(
            parse({ model: "auto", max_tokens: 1, messages: [{ role: "user", content: "hi" }] }).only,
        ).toBeUndefined();
    });

    it.each([
        [{ model: "auto", messages: [{ role: "user", content: "x" }] }, /max_tokens: Field required/],
        [{ model: "", max_tokens: 1, messages: [{ role: "user", content: "x" }] }, /model: Field required/],
        [{ model: "auto", max_tokens: 1, messages: [] }, /messages: must be a non-empty array/],
        [
            {
                model: "auto",
                max_tokens: 1,
                messages: [{ role: "user", content: [{ type: "video", source: {} }] }],
            },
            /messages\.0\.content\.0: "video" is not a Messages API content block type here/,
        ],
    ])("refuses %j with a 400 saying what to fix", (body, message) => {
        expect(() => parse(body)).toThrow(message);
        try {
            parse(body);
        } catch (error) {
            expect((error as GatewayError).kind).toBe("invalid_request");
        }
    });
});

describe("MessageEventEncoder", () => {
    it("closes a text block before a tool block, numbers blocks from 0, and sends whole tool input once", () => {
        const encoder = new MessageEventEncoder("msg_1");
        const frames = [
            encoder.encode(messageStart),
            encoder.encode({ type: "text_delta", index: 0, text: "hi" }),
            encoder.encode({ type: "tool_call_start", index: 1, id: "c", name: "f" }),
            encoder.encode({ type: "tool_call_end", index: 1, arguments: { a: 1 } }),
            encoder.encode({
                type: "message_end",
                stop_reason: "tool_use",
                stop_sequence: null,
                usage: { input_tokens: 3, output_tokens: 4 },
                routing: {} as never,
            }),
        ]
            .flat()
            .map((f) => {
                const parsed = JSON.parse(f.data) as { type: string; index?: number };
                expect(parsed.type).toBe(f.event);
                return parsed;
            });
        expect(frames.map((f) => (f.index === undefined ? f.type : `${f.type}:${f.index}`))).toEqual([
            "message_start",
            "ping",
            "content_block_start:0",
            "content_block_delta:0",
            "content_block_stop:0",
            "content_block_start:1",
            "content_block_delta:1",
            "content_block_stop:1",
            "message_delta",
            "message_stop",
        ]);
        expect(frames[6]).toMatchObject({ delta: { type: "input_json_delta", partial_json: '{"a":1}' } });
        expect(frames[8]).toMatchObject({
            delta: { stop_reason: "tool_use" },
            usage: { input_tokens: 3, output_tokens: 4 },
        });
    });

    it("serializes each delta as JSON.stringify of the SDK-typed event, byte for byte", () => {
        const texts = [
            "hi",
            'say "hi"\n',
            "\u0000\u001f\t",
            "é漢字🙂",
            "\u2028\u2029",
            "\\",
            "\ud800",
            "</script>",
        ];
        const encoder = new MessageEventEncoder("msg_1");
        const events: RouterStreamEvent[] = [
            messageStart,
            ...texts.map((text): RouterStreamEvent => ({ type: "text_delta", index: 0, text })),
            { type: "tool_call_start", index: 1, id: "c", name: "f" },
            ...texts.map((t): RouterStreamEvent => ({
                type: "tool_call_delta",
                index: 1,
                arguments_delta: t,
            })),
            { type: "tool_call_end", index: 1, arguments: {} },
            ...texts.map((text): RouterStreamEvent => ({ type: "text_delta", index: 2, text })),
            { type: "tool_call_start", index: 3, id: "d", name: "g" },
            { type: "tool_call_end", index: 3, arguments: { path: 'a"b', n: [1, 2] } },
        ];
        const deltas = events
            .flatMap((event) => encoder.encode(event))
            .filter((f) => f.event === "content_block_delta");
        const expected: RawContentBlockDeltaEvent[] = [
            ...texts.map((text): RawContentBlockDeltaEvent => ({
                type: "content_block_delta",
                index: 0,
                delta: { type: "text_delta", text },
            })),
            ...texts.map((partial_json): RawContentBlockDeltaEvent => ({
                type: "content_block_delta",
                index: 1,
                delta: { type: "input_json_delta", partial_json },
            })),
            ...texts.map((text): RawContentBlockDeltaEvent => ({
                type: "content_block_delta",
                index: 2,
                delta: { type: "text_delta", text },
            })),
            {
                type: "content_block_delta",
                index: 3,
                delta: { type: "input_json_delta", partial_json: '{"path":"a\\"b","n":[1,2]}' },
            },
        ];
        expect(deltas.map((f) => f.data)).toEqual(expected.map((event) => JSON.stringify(event)));
    });
});

import type {
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseTextDeltaEvent,
} from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import type { RouterStreamEvent } from "../../../src/index.js";
import { fromResponsesParams } from "../../../src/gateway/openai/responsesRequest.js";
import { ResponseEventEncoder } from "../../../src/gateway/openai/responsesResponse.js";
import { codexRequest } from "../../helpers/fixtures/codexRequest.js";

describe("fromResponsesParams", () => {
    it("joins function_call items to the assistant turn and outputs into one user turn; ignores reasoning", () => {
        const parsed = fromResponsesParams(
            codexRequest([
                { type: "reasoning", id: "rs_1", summary: [], encrypted_content: "..." },
                { type: "message", role: "assistant", content: [{ type: "output_text", text: "Looking." }] },
                { type: "function_call", call_id: "c1", name: "shell", arguments: '{"command":["ls"]}' },
                { type: "function_call", call_id: "c2", name: "shell", arguments: '{"command":["pwd"]}' },
                { type: "function_call_output", call_id: "c1", output: "a.txt" },
                { type: "function_call_output", call_id: "c2", output: "/home" },
            ]),
        );
        expect(parsed.request.messages.slice(-2)).toEqual([
            {
                role: "assistant",
                content: [
                    { type: "text", text: "Looking." },
                    { type: "tool_call", id: "c1", name: "shell", arguments: { command: ["ls"] } },
                    { type: "tool_call", id: "c2", name: "shell", arguments: { command: ["pwd"] } },
                ],
            },
            {
                role: "user",
                content: [
                    { type: "tool_result", tool_call_id: "c1", content: "a.txt" },
                    { type: "tool_result", tool_call_id: "c2", content: "/home" },
                ],
            },
        ]);
        expect(parsed.request.tools?.map((t) => t.name)).toEqual(["shell"]);
        expect(parsed.request.tool_choice).toBe("auto");
        expect(parsed.ignored).toContain("input items (reasoning)");
        expect(parsed.stream).toBe(true);
    });

    it.each([
        [{ previous_response_id: "resp_1" }, /stateless/],
        [{ input: [] }, /`input` must be a non-empty/],
        [
            { input: [{ type: "function_call", name: "f", arguments: "{}" }] },
            /input\[0\]\.call_id is required/,
        ],
        [
            { input: [{ role: "user", content: [{ type: "input_image", image_url: "x" }] }] },
            /input_image parts are not supported/,
        ],
    ])("refuses %j with a 400 naming the field", (patch, message) => {
        expect(() => fromResponsesParams({ model: "auto", input: "hi", ...patch })).toThrow(message);
    });
});

describe("ResponseEventEncoder", () => {
    it("sends whole tool arguments as one delta when the provider streamed none", () => {
        const encoder = new ResponseEventEncoder("resp_1", 1);
        encoder.encode({
            type: "message_start",
            model: "m",
            tier: "t",
            provider: "p",
            model_used: "m",
            routing_reason: "default",
            decided_tier: "t",
        });
        encoder.encode({ type: "tool_call_start", index: 0, id: "c", name: "f" });
        const events = encoder
            .encode({ type: "tool_call_end", index: 0, arguments: { a: 1 } })
            .map((f) => ({ event: f.event, ...(JSON.parse(f.data) as { type: string; delta?: string }) }));
        for (const e of events) expect(e.type).toBe(e.event);
        expect(events.map((e) => e.type)).toEqual([
            "response.function_call_arguments.delta",
            "response.function_call_arguments.done",
            "response.output_item.done",
        ]);
        expect(events[0]).toMatchObject({ delta: '{"a":1}' });
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
        const encoder = new ResponseEventEncoder("resp_1", 1);
        const events: RouterStreamEvent[] = [
            {
                type: "message_start",
                model: "m",
                tier: "t",
                provider: "p",
                model_used: "m",
                routing_reason: "default",
                decided_tier: "t",
            },
            ...texts.map((text): RouterStreamEvent => ({ type: "text_delta", index: 0, text })),
            { type: "tool_call_start", index: 1, id: "c", name: "f" },
            ...texts.map((t): RouterStreamEvent => ({
                type: "tool_call_delta",
                index: 1,
                arguments_delta: t,
            })),
            { type: "tool_call_end", index: 1, arguments: {} },
            { type: "tool_call_start", index: 2, id: "d", name: "g" },
            { type: "tool_call_end", index: 2, arguments: { path: 'a"b' } },
            ...texts.map((text): RouterStreamEvent => ({ type: "text_delta", index: 3, text })),
        ];
        const frames = events.flatMap((event) => encoder.encode(event));
        const parsed = frames.map(
            (f) => JSON.parse(f.data) as { type: string; sequence_number: number; item?: { id: string } },
        );
        expect(parsed.map((e) => e.sequence_number)).toEqual(parsed.map((_, i) => i));
        expect(parsed.map((e) => e.type)).toEqual(frames.map((f) => f.event));
        const itemIds = parsed.filter((e) => e.type === "response.output_item.added").map((e) => e.item!.id);
        const inputs: ["text" | "arguments", number, string][] = [
            ...texts.map((t): ["text", number, string] => ["text", 0, t]),
            ...texts.map((t): ["arguments", number, string] => ["arguments", 1, t]),
            ["arguments", 2, '{"path":"a\\"b"}'],
            ...texts.map((t): ["text", number, string] => ["text", 3, t]),
        ];
        const deltas = frames.flatMap((f, i) =>
            f.event.endsWith(".delta") ? [{ data: f.data, sequence: i }] : [],
        );
        expect(deltas).toHaveLength(inputs.length);
        deltas.forEach(({ data, sequence }, i) => {
            const [kind, outputIndex, delta] = inputs[i]!;
            const itemId = itemIds[outputIndex]!;
            const text: ResponseTextDeltaEvent = {
                type: "response.output_text.delta",
                item_id: itemId,
                output_index: outputIndex,
                content_index: 0,
                delta,
                logprobs: [],
                sequence_number: sequence,
            };
            const args: ResponseFunctionCallArgumentsDeltaEvent = {
                type: "response.function_call_arguments.delta",
                item_id: itemId,
                output_index: outputIndex,
                delta,
                sequence_number: sequence,
            };
            expect(data).toBe(JSON.stringify(kind === "text" ? text : args));
        });
    });
});

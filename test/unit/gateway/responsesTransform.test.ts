import { describe, expect, it } from "vitest";
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
        });
        encoder.encode({ type: "tool_call_start", index: 0, id: "c", name: "f" });
        const events = encoder.encode({ type: "tool_call_end", index: 0, arguments: { a: 1 } });
        expect(events.map((e) => e.type)).toEqual([
            "response.function_call_arguments.delta",
            "response.function_call_arguments.done",
            "response.output_item.done",
        ]);
        expect(events[0]).toMatchObject({ delta: '{"a":1}' });
    });
});

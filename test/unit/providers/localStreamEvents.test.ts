import { describe, expect, it } from "vitest";
import type { GenerateChunk__Output } from "../../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import { StreamEvents } from "../../../src/providers/local/StreamEvents.js";

function chunk(fields: Partial<GenerateChunk__Output>): GenerateChunk__Output {
    return {
        text: "",
        token_ids: [],
        finish_reason: "FINISH_REASON_UNSPECIFIED",
        usage: null,
        stats: null,
        tool_call_deltas: [],
        tool_calls: [],
        ...fields,
    };
}

describe("local stream events", () => {
    it("text, then a call started by its name, its argument fragments, and its end with the final arguments", () => {
        const events = new StreamEvents();
        const out = [
            ...events.of(chunk({ text: "Reading." })),
            ...events.of(
                chunk({ tool_call_deltas: [{ index: 0, id: "call_0", name: "read", arguments_json: "" }] }),
            ),
            ...events.of(
                chunk({ tool_call_deltas: [{ index: 0, id: "", name: "", arguments_json: '{"path"' }] }),
            ),
            ...events.of(
                chunk({
                    tool_call_deltas: [{ index: 0, id: "", name: "", arguments_json: ': "a.py"}' }],
                    finish_reason: "FINISH_REASON_TOOL_CALLS",
                    tool_calls: [{ id: "call_0", name: "read", arguments_json: '{"path": "a.py"}' }],
                }),
            ),
        ];
        expect(out).toEqual([
            { type: "text_delta", index: 0, text: "Reading." },
            { type: "tool_call_start", index: 1, id: "call_0", name: "read" },
            { type: "tool_call_delta", index: 1, arguments_delta: '{"path"' },
            { type: "tool_call_delta", index: 1, arguments_delta: ': "a.py"}' },
            { type: "tool_call_end", index: 1, arguments: { path: "a.py" } },
        ]);
    });

    it("a call cut short by max_tokens still ends (with {}), text after a call is a new part", () => {
        const events = new StreamEvents();
        const out = [
            ...events.of(
                chunk({
                    tool_call_deltas: [{ index: 0, id: "call_0", name: "read", arguments_json: '{"pa' }],
                }),
            ),
            ...events.of(chunk({ text: "x", finish_reason: "FINISH_REASON_LENGTH" })),
        ];
        expect(out).toEqual([
            { type: "tool_call_start", index: 0, id: "call_0", name: "read" },
            { type: "tool_call_delta", index: 0, arguments_delta: '{"pa' },
            { type: "text_delta", index: 1, text: "x" },
            { type: "tool_call_end", index: 0, arguments: {} },
        ]);
    });
});

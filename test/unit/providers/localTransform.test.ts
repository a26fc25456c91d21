import { describe, expect, it } from "vitest";
import {
    fromFinishReason,
    fromGenerateResponse,
    fromProtoStats,
    toGenerateRequest,
    toProtoMessages,
} from "../../../src/providers/local/transform.js";

describe("local tier translation", () => {
    it("sends the conversation as chat messages, tool calls and results as the wire's tool fields", () => {
        const request = toGenerateRequest({
            model: "tiercel-code-target",
            max_tokens: 64,
            temperature: 0,
            stop: ["\n\n"],
            system: "complete code",
            hints: { session_id: "s1", cache_scope: "key-1a2b", namespace: "key-1a2b/repo", tags: ["x"] },
            tools: [{ name: "read", description: "Read a file", input_schema: { type: "object" } }],
            tool_choice: { name: "read" },
            messages: [
                { role: "user", content: "def add(a, b):" },
                {
                    role: "assistant",
                    content: [{ type: "tool_call", id: "t", name: "read", arguments: { path: "a.py" } }],
                },
                {
                    role: "user",
                    content: [
                        { type: "tool_result", tool_call_id: "t", content: "x = 1", is_error: true },
                        { type: "text", text: "go on" },
                    ],
                },
            ],
        });
        expect(request).toEqual({
            messages: [
                { role: "system", content: "complete code" },
                { role: "user", content: "def add(a, b):" },
                {
                    role: "assistant",
                    content: "",
                    tool_calls: [{ id: "t", name: "read", arguments_json: '{"path":"a.py"}' }],
                },
                { role: "tool", tool_call_id: "t", content: "[error] x = 1" },
                { role: "user", content: "go on" },
            ],
            tools: [{ name: "read", description: "Read a file", parameters_json: '{"type":"object"}' }],
            tool_choice: "read",
            model: "tiercel-code-target",
            max_tokens: 64,
            temperature: 0,
            stop: ["\n\n"],
            session_id: "s1",
            cache_scope: "key-1a2b",
        });
        expect(toProtoMessages({ role: "user", content: "plain" })).toEqual([
            { role: "user", content: "plain" },
        ]);
        const auto = toGenerateRequest({
            model: "",
            max_tokens: 1,
            messages: [],
            tools: [{ name: "r", input_schema: {} }],
        });
        expect(auto.tool_choice).toBe("");
    });

    it("maps the answer's tool calls to tool_call parts after its text, and FINISH_REASON_TOOL_CALLS to tool_use", () => {
        const request = { model: "", max_tokens: 1, messages: [{ role: "user" as const, content: "x" }] };
        const result = fromGenerateResponse(
            {
                text: "Reading.",
                token_ids: [1],
                usage: { prompt_tokens: 3, completion_tokens: 1 },
                stats: null,
                finish_reason: "FINISH_REASON_TOOL_CALLS",
                tool_calls: [{ id: "call_0", name: "read", arguments_json: '{"path": "a.py"}' }],
            },
            request,
            "local",
        );
        expect(result).toMatchObject({
            content: [
                { type: "text", text: "Reading." },
                { type: "tool_call", id: "call_0", name: "read", arguments: { path: "a.py" } },
            ],
            stop_reason: "tool_use",
        });
    });

    it.each([
        ["FINISH_REASON_EOS", ["x"], { stop_reason: "end_turn", stop_sequence: null }],
        ["FINISH_REASON_LENGTH", undefined, { stop_reason: "max_tokens", stop_sequence: null }],
        ["FINISH_REASON_STOP_SEQUENCE", ["END"], { stop_reason: "stop_sequence", stop_sequence: "END" }],
        // With several stop strings the server does not say which one matched.
        ["FINISH_REASON_STOP_SEQUENCE", ["A", "B"], { stop_reason: "stop_sequence", stop_sequence: null }],
        ["FINISH_REASON_UNSPECIFIED", undefined, undefined],
    ] as const)("%s with stop %j", (reason, stop, expected) => {
        expect(fromFinishReason(reason, stop)).toEqual(expected);
    });

    it("a response without a finish reason is not an answer", () => {
        const base = {
            text: "x",
            token_ids: [1],
            usage: { prompt_tokens: 3, completion_tokens: 1 },
            stats: null,
            tool_calls: [],
        };
        const request = { model: "", max_tokens: 1, messages: [{ role: "user" as const, content: "x" }] };
        expect(
            fromGenerateResponse({ ...base, finish_reason: "FINISH_REASON_UNSPECIFIED" }, request, "local"),
        ).toBeUndefined();
        expect(
            fromGenerateResponse({ ...base, finish_reason: "FINISH_REASON_EOS" }, request, "local"),
        ).toEqual({
            content: [{ type: "text", text: "x" }],
            stop_reason: "end_turn",
            stop_sequence: null,
            usage: { input_tokens: 3, output_tokens: 1 },
            model: "local",
        });
    });

    it("passes response_format: the schema as JSON text, json_object as the flag", () => {
        const base = { model: "t", max_tokens: 8, messages: [{ role: "user" as const, content: "x" }] };
        const schema = { type: "object", properties: { ok: { type: "boolean" } } };
        expect(
            toGenerateRequest({ ...base, response_format: { type: "json_schema", schema, name: "n" } })
                .response_format,
        ).toEqual({ json_schema: JSON.stringify(schema) });
        expect(
            toGenerateRequest({ ...base, response_format: { type: "json_object" } }).response_format,
        ).toEqual({
            json_object: true,
        });
        expect(toGenerateRequest(base)).not.toHaveProperty("response_format");
    });

    it("sends every sampling field of a chat request", () => {
        const sampling = {
            temperature: 0.7,
            top_p: 0.8,
            top_k: 5,
            seed: 11,
            presence_penalty: 0.5,
            frequency_penalty: -0.25,
        };
        const request = toGenerateRequest({
            model: "t",
            max_tokens: 8,
            messages: [{ role: "user", content: "hi" }],
            ...sampling,
        });
        expect(request).toMatchObject(sampling);
    });

    it("sends a completion as the raw prompt and suffix with its sampling, no chat messages", () => {
        const request = toGenerateRequest({
            model: "t",
            max_tokens: 16,
            temperature: 0,
            stop: ["\n\n"],
            messages: [],
            completion: { prompt: "def add(a, b):\n    ", suffix: "\nprint(add(1, 2))" },
            top_p: 0.9,
            seed: 7,
            hints: { session_id: "s" },
        });
        expect(request).toEqual({
            model: "t",
            max_tokens: 16,
            prompt: "def add(a, b):\n    ",
            suffix: "\nprint(add(1, 2))",
            top_p: 0.9,
            seed: 7,
            temperature: 0,
            stop: ["\n\n"],
            session_id: "s",
        });
        const plain = toGenerateRequest({
            model: "t",
            max_tokens: 4,
            messages: [],
            completion: { prompt: "x" },
        });
        expect(plain).toEqual({ model: "t", max_tokens: 4, prompt: "x" });
    });

    it("asks for confidence only when the router wants it", () => {
        const base = { model: "", max_tokens: 4, messages: [{ role: "user" as const, content: "x" }] };
        expect(toGenerateRequest(base)).not.toHaveProperty("return_confidence");
        expect(toGenerateRequest({ ...base, confidence: true }).return_confidence).toBe(true);
    });

    it("maps the stats a cascade reads; no drafts means no acceptance evidence", () => {
        const stats = {
            proposer: "d",
            mode: "SPECULATION_MODE_AUTO" as const,
            drafts: 2,
            drafted_tokens: 8,
            accepted_tokens: 2,
            target_passes: 5,
            acceptance_rate: 0.25,
            mean_acceptance_length: 2,
            accepted_per_position: [2],
            full_map_passes: 0,
            full_map_after_draft: 0,
            drafted_lengths: [],
            explorations: 0,
            observed_per_position: [],
            ttft_ms: 1,
            decode_tokens_per_second: 1,
            prompt_tokens_reused: 0,
            prompt_tokens_copied: 0,
            prompt_tokens_restored: 0,
            queue_ms: 0,
            total_ms: 1,
            selection_reason: "",
            switches: [],
            draft_lengths: [],
            predicted_speedup: 1,
            measured_speedup: 1,
        };
        expect(fromProtoStats(null)).toBeUndefined();
        expect(fromProtoStats(stats)).toEqual({
            acceptance_rate: 0.25,
            drafted_tokens: 8,
            mean_logprob: null,
            min_logprob: null,
        });
        expect(
            fromProtoStats({
                ...stats,
                drafted_tokens: 0,
                acceptance_rate: 0,
                mean_logprob: -0.5,
                min_logprob: -2,
            }),
        ).toEqual({ acceptance_rate: null, drafted_tokens: 0, mean_logprob: -0.5, min_logprob: -2 });
        const response = fromGenerateResponse(
            {
                tool_calls: [],
                text: "x",
                token_ids: [1],
                finish_reason: "FINISH_REASON_LENGTH",
                usage: { prompt_tokens: 3, completion_tokens: 1 },
                stats,
            },
            { ...{ model: "", max_tokens: 1, messages: [{ role: "user" as const, content: "x" }] } },
            "local",
        );
        expect(response?.signals?.acceptance_rate).toBe(0.25);
        expect(response?.stop_reason).toBe("max_tokens");
    });
});

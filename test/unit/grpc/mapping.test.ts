import { describe, expect, it } from "vitest";
import type { ModelInfo } from "../../../src/engine/LocalEngine.js";
import type { GenerationStats } from "../../../src/engine/types.js";
import type { CompatibilityReport } from "../../../src/engine/vocabTypes.js";
import { ErrorCode } from "../../../src/errors/codes.js";
import { isServiceError } from "../../../src/errors/ServiceError.js";
import type { ChatMessage__Output } from "../../../src/grpc/generated/tiercel/v1/ChatMessage.js";
import type { GenerateRequest__Output } from "../../../src/grpc/generated/tiercel/v1/GenerateRequest.js";
import {
    toEngineRequest,
    toProtoChunk,
    toProtoStats,
    toProtoModelInfo,
    toSpeculationMode,
    toTokenizeInput,
} from "../../../src/grpc/mapping.js";

const report = (verdict: CompatibilityReport["verdict"]): CompatibilityReport => ({
    verdict,
    reasons: verdict === "incompatible" ? [{ rule: "vocab_type", message: "SPM vs BPE" }] : [],
    warnings: [{ kind: "chat_template", message: "templates differ" }],
    summary: {
        targetVocabSize: 100,
        draftVocabSize: 100,
        checkedRange: { start: 0, end: 100 },
        differingTextCount: 3,
        differingTypeCount: 1,
    },
});

const models: ModelInfo[] = [
    {
        id: "t",
        role: "target",
        path: "/t.gguf",
        vocabSize: 100,
        contextSize: 512,
        loaded: true,
        capabilities: { chatTemplate: "Qwen", fim: true, toolCalls: true },
    },
    {
        id: "d",
        role: "draft",
        path: "/d.gguf",
        vocabSize: 100,
        contextSize: 512,
        loaded: true,
        compatibility: report("identical"),
        draftMode: "direct",
    },
    {
        id: "x",
        role: "draft",
        path: "/x.gguf",
        vocabSize: 90,
        contextSize: 0,
        loaded: false,
        compatibility: report("incompatible"),
    },
    {
        id: "y",
        role: "draft",
        path: "/y.gguf",
        vocabSize: 300,
        contextSize: 512,
        loaded: true,
        compatibility: report("incompatible"),
        draftMode: "translated",
    },
];

type RequestFields = Partial<Omit<GenerateRequest__Output, "messages">> & {
    messages?: (Partial<ChatMessage__Output> & { role: string; content: string })[];
};

function message(
    fields: Partial<ChatMessage__Output> & { role: string; content: string },
): ChatMessage__Output {
    return { tool_calls: [], tool_call_id: "", name: "", ...fields };
}

function request(fields: RequestFields): GenerateRequest__Output {
    return {
        prompt: "",
        model: "",
        stop: [],
        session_id: "",
        cache_scope: "",
        speculation: null,
        extra_context: [],
        logit_bias: {},
        response_format: null,
        return_confidence: false,
        tools: [],
        tool_choice: "",
        ...fields,
        messages: (fields.messages ?? []).map(message),
    };
}

function errorOf(fn: () => unknown): { code: string; message: string } {
    try {
        fn();
    } catch (error) {
        if (isServiceError(error)) return { code: error.code, message: error.message };
        throw error;
    }
    throw new Error("expected an error");
}

describe("toEngineRequest", () => {
    it("maps a raw prompt with every field", () => {
        const mapped = toEngineRequest(
            request({
                prompt: "def f():",
                max_tokens: 32,
                temperature: 0.7,
                top_p: 0.9,
                top_k: 20,
                seed: 42,
                min_p: 0.05,
                repeat_penalty: 1.1,
                repeat_last_n: 32,
                presence_penalty: 0.5,
                frequency_penalty: -0.5,
                logit_bias: { 7: -100, 12: 2.5 },
                stop: ["\n\n"],
                speculation: { mode: "SPECULATION_MODE_NGRAM", draft_model: "d", max_draft_tokens: 4 },
                return_confidence: true,
            }),
        );
        expect(mapped).toEqual({
            prompt: "def f():",
            maxTokens: 32,
            sampling: {
                temperature: 0.7,
                topP: 0.9,
                topK: 20,
                seed: 42,
                minP: 0.05,
                repeatPenalty: 1.1,
                repeatLastN: 32,
                presencePenalty: 0.5,
                frequencyPenalty: -0.5,
                logitBias: new Map([
                    [7, -100],
                    [12, 2.5],
                ]),
            },
            stop: ["\n\n"],
            speculation: { mode: "ngram", draftModel: "d", maxDraftTokens: 4 },
            returnConfidence: true,
        });
    });

    it("passes session_id as the session of cross-request drafting, and SUFFIX mode", () => {
        const mapped = toEngineRequest(
            request({
                prompt: "x",
                session_id: "s1",
                speculation: { mode: "SPECULATION_MODE_SUFFIX", draft_model: "" },
            }),
        );
        expect(mapped).toMatchObject({ sessionId: "s1", speculation: { mode: "suffix" } });
        expect(toEngineRequest(request({ prompt: "x" }))).not.toHaveProperty("sessionId");
    });

    it("passes cache_scope as the request's KV cache scope; empty is the shared scope", () => {
        expect(toEngineRequest(request({ prompt: "x", cache_scope: "key-1a2b" }))).toMatchObject({
            cacheScope: "key-1a2b",
        });
        expect(toEngineRequest(request({ prompt: "x" }))).not.toHaveProperty("cacheScope");
    });

    it("maps fill-in-the-middle: suffix set (even empty) with an empty prompt, extra context in order", () => {
        const mapped = toEngineRequest(
            request({
                prompt: "",
                suffix: "",
                extra_context: [
                    { name: "a.py", text: "x = 1" },
                    { name: "", text: "y" },
                ],
            }),
        );
        expect(mapped).toMatchObject({
            prompt: "",
            suffix: "",
            extraContext: [
                { name: "a.py", text: "x = 1" },
                { name: "", text: "y" },
            ],
        });
        expect(toEngineRequest(request({ prompt: "def f(" }))).not.toHaveProperty("suffix");
    });

    it("refuses fill-in-the-middle with messages, and extra_context without suffix", () => {
        const chat = [{ role: "user", content: "hi" }];
        const withMessages = errorOf(() => toEngineRequest(request({ suffix: ")", messages: chat })));
        expect(withMessages.code).toBe(ErrorCode.InvalidArgument);
        expect(withMessages.message).toContain(
            "suffix (fill-in-the-middle) takes the text before the cursor",
        );
        const extra = [{ name: "a.py", text: "x" }];
        const extraOnly = errorOf(() => toEngineRequest(request({ prompt: "p", extra_context: extra })));
        expect(extraOnly.code).toBe(ErrorCode.InvalidArgument);
        expect(extraOnly.message).toContain("extra_context is for fill-in-the-middle only");
    });

    it("maps response_format's oneof; the schema text goes to the engine unparsed", () => {
        const schema = '{"type":"object"}';
        expect(
            toEngineRequest(
                request({ prompt: "p", response_format: { format: "json_schema", json_schema: schema } }),
            ).responseFormat,
        ).toEqual({ type: "json_schema", schema });
        expect(
            toEngineRequest(
                request({ prompt: "p", response_format: { format: "json_object", json_object: true } }),
            ).responseFormat,
        ).toEqual({ type: "json_object" });
        expect(toEngineRequest(request({ prompt: "p" }))).not.toHaveProperty("responseFormat");
        for (const empty of [{}, { format: "json_object" as const, json_object: false }]) {
            const error = errorOf(() => toEngineRequest(request({ prompt: "p", response_format: empty })));
            expect(error.code).toBe(ErrorCode.InvalidArgument);
            expect(error.message).toContain("response_format is set without a format");
        }
    });

    it("passes max_tokens over the context to the engine, which clamps it to the room left", () => {
        expect(toEngineRequest(request({ prompt: "a", max_tokens: 128_000 })).maxTokens).toBe(128_000);
    });

    it("leaves unset optional fields to the engine's defaults", () => {
        const mapped = toEngineRequest(request({ prompt: "x" }));
        expect(mapped.maxTokens).toBeUndefined();
        expect(mapped.sampling).toEqual({
            temperature: undefined,
            topP: undefined,
            topK: undefined,
            seed: undefined,
        });
        expect(mapped.speculation).toBeUndefined();
    });

    it("passes messages to the engine, which renders them with the target's template", () => {
        const mapped = toEngineRequest(
            request({
                messages: [
                    { role: "system", content: "s" },
                    { role: "user", content: "u" },
                ],
                stop: ["END"],
            }),
        );
        expect(mapped.prompt).toBeUndefined();
        expect(mapped.stop).toEqual(["END"]);
        expect(mapped.messages).toEqual([
            { role: "system", content: "s" },
            { role: "user", content: "u" },
        ]);
    });

    it("maps tools, tool choice, tool calls and tool results", () => {
        const mapped = toEngineRequest(
            request({
                messages: [
                    { role: "user", content: "weather?" },
                    {
                        role: "assistant",
                        content: "",
                        tool_calls: [{ id: "c1", name: "get", arguments_json: '{"city":"Oslo"}' }],
                    },
                    { role: "tool", content: "rain", tool_call_id: "c1", name: "get" },
                ],
                tools: [{ name: "get", description: "Weather", parameters_json: '{"type":"object"}' }],
                tool_choice: "get",
            }),
        );
        expect(mapped.tools).toEqual([
            { name: "get", description: "Weather", parametersJson: '{"type":"object"}' },
        ]);
        expect(mapped.toolChoice).toEqual({ name: "get" });
        expect(mapped.messages).toEqual([
            { role: "user", content: "weather?" },
            {
                role: "assistant",
                content: "",
                toolCalls: [{ id: "c1", name: "get", argumentsJson: '{"city":"Oslo"}' }],
            },
            { role: "tool", content: "rain", toolCallId: "c1", name: "get" },
        ]);
        expect(toEngineRequest(request({ prompt: "a", tool_choice: "required" })).toolChoice).toBe(
            "required",
        );
        expect(toEngineRequest(request({ prompt: "a" }))).not.toHaveProperty("toolChoice");
    });

    it("maps tool-call deltas and the final calls of a chunk", () => {
        const chunk = toProtoChunk({
            tokens: [1],
            text: "",
            toolCallDeltas: [
                { index: 0, id: "call_0", name: "get", argumentsJson: "" },
                { index: 0, argumentsJson: "{}" },
            ],
        });
        expect(chunk.tool_call_deltas).toEqual([
            { index: 0, id: "call_0", name: "get", arguments_json: "" },
            { index: 0, arguments_json: "{}" },
        ]);
    });

    it.each([
        ["SPECULATION_MODE_UNSPECIFIED", undefined],
        ["SPECULATION_MODE_AUTO", "auto"],
        ["SPECULATION_MODE_OFF", "off"],
        ["SPECULATION_MODE_DRAFT_MODEL", "draft_model"],
        ["SPECULATION_MODE_NGRAM", "ngram"],
    ])("maps %s", (proto, mode) => {
        expect(toSpeculationMode(proto)).toBe(mode);
    });

    const invalid: [string, RequestFields, string, RegExp][] = [
        [
            "both prompt and messages",
            { prompt: "a", messages: [{ role: "user", content: "b" }] },
            ErrorCode.InvalidArgument,
            /either prompt or messages, not both/,
        ],
        ["neither prompt nor messages", {}, ErrorCode.InvalidArgument, /prompt or messages is required/],
        [
            "unknown mode number",
            { prompt: "a", speculation: { mode: 9 as never, draft_model: "" } },
            ErrorCode.InvalidArgument,
            /unknown speculation mode 9; use SPECULATION_MODE_AUTO/,
        ],
        [
            "unknown mode name",
            { prompt: "a", speculation: { mode: "FAST" as never, draft_model: "" } },
            ErrorCode.InvalidArgument,
            /unknown speculation mode "FAST"/,
        ],
        [
            "unknown role",
            {
                messages: [
                    { role: "user", content: "a" },
                    { role: "function", content: "b" },
                ],
            },
            ErrorCode.InvalidArgument,
            /messages\[1\]\.role must be "system", "user", "assistant" or "tool", got "function"/,
        ],
        [
            "a tool message without tool_call_id",
            { messages: [{ role: "tool", content: "b" }] },
            ErrorCode.InvalidArgument,
            /messages\[0\]\.tool_call_id is required on tool messages/,
        ],
        [
            "tool calls on a user message",
            {
                messages: [
                    {
                        role: "user",
                        content: "b",
                        tool_calls: [{ id: "c", name: "f", arguments_json: "{}" }],
                    },
                ],
            },
            ErrorCode.InvalidArgument,
            /messages\[0\]\.tool_calls is only for assistant messages/,
        ],
        [
            "empty stop",
            { prompt: "a", stop: ["x", ""] },
            ErrorCode.InvalidArgument,
            /stop\[1\] is an empty string/,
        ],
    ];

    it("passes model and draft ids through unchecked: the engine resolves them (resolveRequest.ts)", () => {
        const mapped = toEngineRequest(
            request({
                prompt: "a",
                model: "big",
                speculation: { mode: "SPECULATION_MODE_DRAFT_MODEL", draft_model: "q" },
            }),
        );
        expect(mapped.model).toBe("big");
        expect(mapped.speculation?.draftModel).toBe("q");
        expect(toEngineRequest(request({ prompt: "a" })).model).toBeUndefined();
    });

    it("accepts a translated draft by name", () => {
        const mapped = toEngineRequest(
            request({ prompt: "a", speculation: { mode: "SPECULATION_MODE_DRAFT_MODEL", draft_model: "y" } }),
        );
        expect(mapped.speculation).toEqual({
            mode: "draft_model",
            draftModel: "y",
            maxDraftTokens: undefined,
        });
    });

    it.each(invalid)("rejects %s", (_name, fields, code, message) => {
        const error = errorOf(() => toEngineRequest(request(fields)));
        expect(error.code).toBe(code);
        expect(error.message).toMatch(message);
    });
});

describe("toTokenizeInput", () => {
    it("accepts empty text (BOS only) but not text and messages together", () => {
        expect(toTokenizeInput({ text: "", messages: [], model: "", tools: [], cache_scope: "" })).toBe("");
        expect(
            toTokenizeInput({
                text: "",
                messages: [message({ role: "user", content: "a" })],
                model: "",
                tools: [],
                cache_scope: "",
            }),
        ).toEqual({ messages: [{ role: "user", content: "a" }], tools: [] });
        expect(
            errorOf(() =>
                toTokenizeInput({
                    text: "a",
                    messages: [message({ role: "user", content: "a" })],
                    model: "",
                    tools: [],
                    cache_scope: "",
                }),
            ).message,
        ).toMatch(/either text or messages/);
    });
});

describe("responses", () => {
    const stats: GenerationStats = {
        proposer: "d",
        speculation: {
            chosen: "d",
            reason: "fixed mode DRAFT_MODEL",
            switches: [{ atToken: 4, from: "d", to: "ngram", reason: "faster" }],
            draftLengths: [1, 0, 0, 0, 2],
            explorations: 0,
            predictedSpeedup: 1.8,
        },
        measuredSpeedup: 1.5,
        mode: "draft_model",
        promptTokens: 10,
        promptTokensReused: 4,
        promptTokensCopied: 3,
        promptTokensRestored: 1,
        completionTokens: 9,
        spec: {
            drafts: 2,
            targetPasses: 5,
            draftTokens: 8,
            acceptedTokens: 5,
            acceptedPerPos: [2, 2, 1, 0],
            observedPerPos: [2, 2, 2, 1],
            draftedLengths: [0, 0, 0, 0, 2],
            acceptanceRate: 5 / 8,
            meanAcceptanceLength: 3.5,
            fullMapPasses: 3,
            fullMapAfterDraft: 1,
        },
        ttftMs: 12.5,
        queueMs: 1.5,
        totalMs: 40,
        decodeTokensPerSecond: 300,
    };

    it("puts finish reason, usage and stats on the last chunk only", () => {
        expect(toProtoChunk({ tokens: [5, 6], text: "ab" })).toEqual({ text: "ab", token_ids: [5, 6] });
        expect(toProtoChunk({ tokens: [], text: "c", finish: { reason: "stop_sequence", stats } })).toEqual({
            text: "c",
            token_ids: [],
            finish_reason: "FINISH_REASON_STOP_SEQUENCE",
            usage: { prompt_tokens: 10, completion_tokens: 9 },
            stats: {
                proposer: "d",
                mode: "SPECULATION_MODE_DRAFT_MODEL",
                drafts: 2,
                drafted_tokens: 8,
                accepted_tokens: 5,
                target_passes: 5,
                acceptance_rate: 0.625,
                mean_acceptance_length: 3.5,
                accepted_per_position: [2, 2, 1, 0],
                full_map_passes: 3,
                full_map_after_draft: 1,
                drafted_lengths: [0, 0, 0, 0, 2],
                explorations: 0,
                observed_per_position: [2, 2, 2, 1],
                ttft_ms: 12.5,
                decode_tokens_per_second: 300,
                prompt_tokens_reused: 4,
                prompt_tokens_copied: 3,
                prompt_tokens_restored: 1,
                queue_ms: 1.5,
                total_ms: 40,
                selection_reason: "fixed mode DRAFT_MODEL",
                switches: [{ at_token: 4, from: "d", to: "ngram", reason: "faster" }],
                draft_lengths: [1, 0, 0, 0, 2],
                predicted_speedup: 1.8,
                measured_speedup: 1.5,
            },
        });
    });

    it("maps the confidence signal only when the engine measured one", () => {
        expect(toProtoStats(stats)).not.toHaveProperty("mean_logprob");
        expect(toProtoStats(stats)).not.toHaveProperty("min_logprob");
        const measured = toProtoStats({
            ...stats,
            confidence: { meanLogprob: -0.75, minLogprob: -3.25, tokens: 9 },
        });
        expect(measured).toMatchObject({ mean_logprob: -0.75, min_logprob: -3.25 });
    });

    it("maps model info with the compatibility report (drafts) and without (target)", () => {
        expect(toProtoModelInfo(models[0]!).compatibility).toBeUndefined();
        expect(toProtoModelInfo(models[0]!)).toMatchObject({
            chat_template: "Qwen",
            fim: true,
            tool_calls: true,
        });
        expect(toProtoModelInfo(models[0]!).draft_mode).toBe("DRAFT_MODE_UNSPECIFIED");
        expect(toProtoModelInfo(models[1]!).draft_mode).toBe("DRAFT_MODE_DIRECT");
        expect(toProtoModelInfo(models[3]!).draft_mode).toBe("DRAFT_MODE_TRANSLATED");
        expect(toProtoModelInfo(models[2]!)).toEqual({
            id: "x",
            role: "MODEL_ROLE_DRAFT",
            vocab_size: 90,
            context_size: 0,
            loaded: false,
            draft_mode: "DRAFT_MODE_UNSPECIFIED",
            chat_template: "",
            fim: false,
            tool_calls: false,
            compatibility: {
                verdict: "COMPATIBILITY_VERDICT_INCOMPATIBLE",
                reasons: [{ rule: "vocab_type", message: "SPM vs BPE" }],
                warnings: [{ kind: "chat_template", message: "templates differ" }],
                differing_text_count: 3,
                differing_type_count: 1,
            },
        });
    });
});

/** Normalized ↔ OpenAI Chat Completions translation, pure (wire chunks from the fake server's builders). */
import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions/completions";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import {
    fromOpenAICompletion,
    fromOpenAIStream,
    toOpenAIParams,
} from "../../../src/providers/openai/transform.js";
import { OpenAIProvider } from "../../../src/providers/openai/OpenAIProvider.js";
import type { ProviderRequest } from "../../../src/providers/Provider.js";
import type { ProviderStreamEvent } from "../../../src/chat/types.js";
import { openaiCompletion, openaiFrames, type OpenAITurn } from "../../helpers/fakeOpenAIServer.js";
import { iterate } from "../../helpers/providerStreams.js";

/** The chunks the SDK yields: every frame but `[DONE]`, parsed. */
const wireChunks = (turn: OpenAITurn): ChatCompletionChunk[] =>
    openaiFrames(turn)
        .filter((frame) => frame.data !== "[DONE]")
        .map((frame) => frame.data as ChatCompletionChunk);

async function translate(chunks: readonly ChatCompletionChunk[], signal = new AbortController().signal) {
    const out: ProviderStreamEvent[] = [];
    for await (const event of fromOpenAIStream("openai", iterate(chunks), signal)) out.push(event);
    return out;
}

const completion = (turn: OpenAITurn): ChatCompletion => {
    const reply = openaiCompletion(turn);
    if (reply.kind !== "json") throw new Error("unreachable");
    return reply.body as ChatCompletion;
};

describe("toOpenAIParams", () => {
    it("maps system, tool calls, tool results (errors flagged in text), tools, choice, stop and temperature", () => {
        const request: ProviderRequest = {
            model: "gpt-5.1-codex",
            max_tokens: 256,
            system: "be terse",
            temperature: 0.3,
            stop: ["END"],
            messages: [
                { role: "user", content: "fix it" },
                {
                    role: "assistant",
                    content: [
                        { type: "text", text: "Running." },
                        { type: "tool_call", id: "call_1", name: "run", arguments: { cmd: "npm test" } },
                        { type: "tool_call", id: "call_2", name: "read", arguments: { path: "a.ts" } },
                    ],
                },
                {
                    role: "user",
                    content: [
                        { type: "text", text: "here you go" },
                        { type: "tool_result", tool_call_id: "call_1", content: "1 failed", is_error: true },
                        { type: "tool_result", tool_call_id: "call_2", content: "export {}" },
                    ],
                },
            ],
            tools: [{ name: "run", input_schema: { type: "object" } }],
            tool_choice: { name: "run" },
        };
        expect(toOpenAIParams(request)).toEqual({
            model: "gpt-5.1-codex",
            max_completion_tokens: 256,
            temperature: 0.3,
            stop: ["END"],
            messages: [
                { role: "system", content: "be terse" },
                { role: "user", content: "fix it" },
                {
                    role: "assistant",
                    content: "Running.",
                    tool_calls: [
                        {
                            id: "call_1",
                            type: "function",
                            function: { name: "run", arguments: '{"cmd":"npm test"}' },
                        },
                        {
                            id: "call_2",
                            type: "function",
                            function: { name: "read", arguments: '{"path":"a.ts"}' },
                        },
                    ],
                },
                { role: "tool", tool_call_id: "call_1", content: "[tool error] 1 failed" },
                { role: "tool", tool_call_id: "call_2", content: "export {}" },
                { role: "user", content: "here you go" },
            ],
            tools: [{ type: "function", function: { name: "run", parameters: { type: "object" } } }],
            tool_choice: { type: "function", function: { name: "run" } },
        });
    });

    it("an assistant turn with only tool calls has null content", () => {
        const params = toOpenAIParams({
            model: "m",
            max_tokens: 1,
            messages: [
                { role: "assistant", content: [{ type: "tool_call", id: "c", name: "n", arguments: {} }] },
            ],
        });
        expect(params.messages[0]).toMatchObject({ role: "assistant", content: null });
    });
});

describe("toOpenAIParams response_format", () => {
    const base = { model: "m", max_tokens: 1, messages: [{ role: "user" as const, content: "x" }] };
    it('sends json_schema with its name (default "response") and strict, and json_object as is', () => {
        const schema = { type: "object", properties: { a: { type: "string" } } };
        expect(
            toOpenAIParams({ ...base, response_format: { type: "json_schema", schema, strict: true } })
                .response_format,
        ).toEqual({ type: "json_schema", json_schema: { name: "response", schema, strict: true } });
        expect(
            toOpenAIParams({ ...base, response_format: { type: "json_schema", schema, name: "edit" } })
                .response_format,
        ).toEqual({ type: "json_schema", json_schema: { name: "edit", schema } });
        expect(toOpenAIParams({ ...base, response_format: { type: "json_object" } }).response_format).toEqual(
            {
                type: "json_object",
            },
        );
        expect(toOpenAIParams(base)).not.toHaveProperty("response_format");
    });
});

describe("fromOpenAICompletion", () => {
    it.each([
        ["stop", "end_turn"],
        ["length", "max_tokens"],
        ["content_filter", "refusal"],
        ["tool_calls", "tool_use"],
    ])("finish_reason %s → %s", (finish, normalized) => {
        expect(
            fromOpenAICompletion("openai", completion({ text: ["x"], finishReason: finish })).stop_reason,
        ).toBe(normalized);
    });

    it("text, tool calls with parsed arguments, usage", () => {
        const result = fromOpenAICompletion(
            "openai",
            completion({
                text: ["Checking."],
                toolCalls: [{ id: "call_1", name: "read", args: ['{"path":', '"a.ts"}'] }],
                finishReason: "tool_calls",
                usage: { prompt: 30, completion: 8 },
            }),
        );
        expect(result).toEqual({
            content: [
                { type: "text", text: "Checking." },
                { type: "tool_call", id: "call_1", name: "read", arguments: { path: "a.ts" } },
            ],
            stop_reason: "tool_use",
            stop_sequence: null,
            usage: { input_tokens: 30, output_tokens: 8 },
            model: "gpt-5.1-codex",
        });
    });

    it("finish_reason stop with tool calls (compatible servers) is tool_use", () => {
        const result = fromOpenAICompletion(
            "openai",
            completion({ toolCalls: [{ id: "c", name: "n", args: ["{}"] }], finishReason: "stop" }),
        );
        expect(result.stop_reason).toBe("tool_use");
    });

    it("a body without choices is a protocol error", () => {
        expect(() =>
            fromOpenAICompletion("openai", { ...completion({ finishReason: "stop" }), choices: [] }),
        ).toThrow(expect.objectContaining({ code: ErrorCode.ProviderStream }) as Error);
    });
});

describe("fromOpenAIStream", () => {
    it("text, then a tool call assembled from index-keyed fragments, then usage from the final chunk", async () => {
        const out = await translate(
            wireChunks({
                text: ["Let me ", "look."],
                toolCalls: [{ id: "call_7", name: "read_file", args: ['{"pa', 'th": "src/', 'app.ts"}'] }],
                finishReason: "tool_calls",
                usage: { prompt: 50, completion: 12 },
            }),
        );
        expect(out).toEqual([
            { type: "message_start", model: "gpt-5.1-codex" },
            { type: "text_delta", index: 0, text: "Let me " },
            { type: "text_delta", index: 0, text: "look." },
            { type: "tool_call_start", index: 1, id: "call_7", name: "read_file" },
            { type: "tool_call_delta", index: 1, arguments_delta: '{"pa' },
            { type: "tool_call_delta", index: 1, arguments_delta: 'th": "src/' },
            { type: "tool_call_delta", index: 1, arguments_delta: 'app.ts"}' },
            { type: "tool_call_end", index: 1, arguments: { path: "src/app.ts" } },
            {
                type: "message_end",
                stop_reason: "tool_use",
                stop_sequence: null,
                usage: { input_tokens: 50, output_tokens: 12 },
            },
        ]);
    });

    it("two parallel tool calls each end exactly once", async () => {
        const out = await translate(
            wireChunks({
                toolCalls: [
                    { id: "a", name: "one", args: ['{"x":1}'] },
                    { id: "b", name: "two", args: ["{", '"y":2}'] },
                ],
                finishReason: "tool_calls",
            }),
        );
        expect(out.filter((e) => e.type === "tool_call_end")).toEqual([
            { type: "tool_call_end", index: 0, arguments: { x: 1 } },
            { type: "tool_call_end", index: 1, arguments: { y: 2 } },
        ]);
    });

    it("keeps arguments sent whole in the first fragment (the args-lost bug)", async () => {
        const chunks = wireChunks({
            toolCalls: [{ id: "a", name: "grep", args: [] }],
            finishReason: "tool_calls",
        });
        const first = chunks.find((c) => c.choices[0]?.delta.tool_calls !== undefined)!;
        first.choices[0]!.delta.tool_calls![0]!.function!.arguments = '{"pattern":"TODO"}';
        const out = await translate(chunks);
        expect(out.find((e) => e.type === "tool_call_end")).toMatchObject({ arguments: { pattern: "TODO" } });
    });

    it("finish_reason stop on a tool-call turn is tool_use (vLLM-style servers)", async () => {
        const out = await translate(
            wireChunks({ toolCalls: [{ id: "a", name: "n", args: ["{}"] }], finishReason: "stop" }),
        );
        expect(out.at(-1)).toMatchObject({ stop_reason: "tool_use" });
    });

    it("length is max_tokens; a missing usage chunk reads as zero usage", async () => {
        const out = await translate(wireChunks({ text: ["abc"], finishReason: "length", usage: null }));
        expect(out.at(-1)).toEqual({
            type: "message_end",
            stop_reason: "max_tokens",
            stop_sequence: null,
            usage: { input_tokens: 0, output_tokens: 0 },
        });
    });

    it("tolerates choices: null (vLLM) on the usage chunk", async () => {
        const chunks = wireChunks({ text: ["a"], finishReason: "stop" });
        (chunks.at(-1) as unknown as { choices: null }).choices = null;
        expect((await translate(chunks)).at(-1)).toMatchObject({
            usage: { input_tokens: 11, output_tokens: 6 },
        });
    });

    it("text after a tool call starts a new text part", async () => {
        const chunks = wireChunks({
            text: ["a"],
            toolCalls: [{ id: "t", name: "n", args: ["{}"] }],
            finishReason: "tool_calls",
        });
        const after = structuredClone(chunks[1]!);
        after.choices[0]!.delta = { content: "b" };
        chunks.splice(chunks.length - 2, 0, after);
        const out = await translate(chunks);
        expect(out.flatMap((e) => (e.type === "text_delta" ? [e.index] : []))).toEqual([0, 2]);
    });

    it("a stream without a finish_reason is truncated: E_PROVIDER_STREAM", async () => {
        const chunks = wireChunks({ text: ["a", "b"], finishReason: "stop" }).slice(0, 3);
        await expect(translate(chunks)).rejects.toMatchObject({
            code: ErrorCode.ProviderStream,
            retryable: true,
        });
    });

    it("unparsable arguments are a protocol error", async () => {
        await expect(
            translate(
                wireChunks({
                    toolCalls: [{ id: "a", name: "n", args: ['{"x":'] }],
                    finishReason: "tool_calls",
                }),
            ),
        ).rejects.toMatchObject({
            code: ErrorCode.ProviderStream,
        });
    });

    it("a tool call fragment without id and name first is a protocol error", async () => {
        const chunks = wireChunks({
            toolCalls: [{ id: "a", name: "n", args: ["{}"] }],
            finishReason: "tool_calls",
        });
        const startAt = chunks.findIndex((c) => c.choices[0]?.delta.tool_calls?.[0]?.id !== undefined);
        chunks.splice(startAt, 1);
        await expect(translate(chunks)).rejects.toMatchObject({ code: ErrorCode.ProviderStream });
    });
});

describe("OpenAIProvider.unsupported", () => {
    it("skips text completions and fill-in-the-middle (Chat Completions has neither) and takes chat", () => {
        const provider = new OpenAIProvider({ id: "o", apiKeyEnv: "K", env: { K: "sk-x" } });
        const chat = { model: "m", max_tokens: 1, messages: [{ role: "user" as const, content: "x" }] };
        expect(provider.unsupported(chat)).toBeUndefined();
        const completion = {
            model: "m",
            max_tokens: 1,
            messages: [],
            completion: { prompt: "a", suffix: "b" },
        };
        expect(provider.unsupported(completion)).toMatch(/fill-in-the-middle need the local tier/);
    });
});

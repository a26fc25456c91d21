/**
 * Tool calls over gRPC on the bundled pair (no chat template: ChatML, with node-llama-cpp's default call
 * syntax `||call: name(args)`): tool_choice required or a name forces one call that parses back to a tool
 * of the request with arguments matching its schema, token-identical with every proposer at temperature 0;
 * the stream's deltas join to the final calls; a call and its result in the history render and continue;
 * bad tool definitions are INVALID_ARGUMENT naming the field.
 */
import { status as Status } from "@grpc/grpc-js";
import { getLlama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GenerateRequest } from "../../src/grpc/generated/tiercel/v1/GenerateRequest.js";
import type { GenerateResponse__Output } from "../../src/grpc/generated/tiercel/v1/GenerateResponse.js";
import type { TokenizeRequest } from "../../src/grpc/generated/tiercel/v1/TokenizeRequest.js";
import { bundledModelPath } from "../helpers/bundledModels.js";
import { expectGrpcError, startTestServer, type TestServer } from "../helpers/startTestServer.js";

const readFile = {
    type: "object",
    properties: { path: { type: "string", maxLength: 24 }, lines: { type: "integer" } },
    required: ["path", "lines"],
    additionalProperties: false,
} as const;
const listDir = {
    type: "object",
    properties: { dir: { type: "string", maxLength: 16 } },
    required: ["dir"],
    additionalProperties: false,
} as const;
const tools: GenerateRequest["tools"] = [
    { name: "read_file", description: "Read a file", parameters_json: JSON.stringify(readFile) },
    { name: "list_dir", description: "List a directory", parameters_json: JSON.stringify(listDir) },
];
const messages: GenerateRequest["messages"] = [
    { role: "user", content: "def main():\n    # open the config" },
];
let server: TestServer;

beforeAll(async () => {
    server = await startTestServer({
        models: {
            target: { id: "t", path: bundledModelPath("target") },
            drafts: [{ id: "d", path: bundledModelPath("draft") }],
        },
        engine: { sequences: 1 },
        speculation: { stateFile: null },
    });
});

afterAll(async () => {
    await server.close();
});

describe("tool calls", () => {
    it("tool_choice required: one call of a listed tool, valid arguments, the same with every proposer", async () => {
        const base: GenerateRequest = { messages, tools, tool_choice: "required", max_tokens: 120 };
        const runs: [string, GenerateRequest["speculation"]][] = [
            ["off", { mode: "SPECULATION_MODE_OFF" }],
            ["ngram", { mode: "SPECULATION_MODE_NGRAM" }],
            ["draft", { mode: "SPECULATION_MODE_DRAFT_MODEL", draft_model: "d" }],
            ["auto", { mode: "SPECULATION_MODE_AUTO" }],
        ];
        const results = new Map<string, GenerateResponse__Output>();
        for (const [name, speculation] of runs)
            results.set(name, await server.generate({ ...base, speculation }));
        const plain = results.get("off")!;
        expect(plain.finish_reason).toBe("FINISH_REASON_TOOL_CALLS");
        expect(plain.text).toBe("");
        expect(plain.tool_calls).toHaveLength(1);
        const call = plain.tool_calls[0]!;
        expect(call.id).toBe("call_0");
        expect(["read_file", "list_dir"]).toContain(call.name);
        const llama = await getLlama({ gpu: false, build: "never" });
        const validator =
            call.name === "read_file"
                ? await llama.createGrammarForJsonSchema(readFile)
                : await llama.createGrammarForJsonSchema(listDir);
        expect(() => validator.parse(call.arguments_json)).not.toThrow();
        for (const [name, r] of results) {
            expect(r.token_ids, name).toEqual(plain.token_ids);
            expect(r.tool_calls, name).toEqual(plain.tool_calls);
        }
        expect(results.get("draft")!.stats!.drafted_tokens).toBeGreaterThan(0);
    });

    it("a named tool_choice calls that tool; the stream's deltas join to the final call", async () => {
        const request: GenerateRequest = {
            messages,
            tools,
            tool_choice: "list_dir",
            max_tokens: 120,
            speculation: { mode: "SPECULATION_MODE_DRAFT_MODEL", draft_model: "d" },
        };
        const unary = await server.generate(request);
        expect(unary.finish_reason).toBe("FINISH_REASON_TOOL_CALLS");
        expect(unary.tool_calls.map((c) => c.name)).toEqual(["list_dir"]);
        const args = JSON.parse(unary.tool_calls[0]!.arguments_json) as Record<string, unknown>;
        expect(Object.keys(args)).toEqual(["dir"]);

        const chunks = await server.stream(request).chunks;
        const deltas = chunks.flatMap((c) => c.tool_call_deltas);
        expect(deltas[0]).toMatchObject({ index: 0, id: "call_0", name: "list_dir", arguments_json: "" });
        expect(deltas.length).toBeGreaterThan(2);
        expect(deltas.map((d) => d.arguments_json).join("")).toBe(unary.tool_calls[0]!.arguments_json);
        expect(chunks.map((c) => c.text).join("")).toBe("");
        expect(chunks.flatMap((c) => c.token_ids)).toEqual(unary.token_ids);
        const last = chunks.at(-1)!;
        expect(last.finish_reason).toBe("FINISH_REASON_TOOL_CALLS");
        expect(last.tool_calls).toEqual(unary.tool_calls);
    });

    it("renders an earlier call and its result, and continues the turn after them", async () => {
        const history: GenerateRequest["messages"] = [
            ...messages,
            {
                role: "assistant",
                content: "",
                tool_calls: [{ id: "c1", name: "list_dir", arguments_json: '{"dir": "src"}' }],
            },
            { role: "tool", tool_call_id: "c1", content: '["main.py"]' },
        ];
        const tokens = await server.tokenize({ messages: history });
        const text = await server.tokenize({ messages });
        expect(tokens.token_ids.length).toBeGreaterThan(text.token_ids.length);
        const r = await server.generate({ messages: history, tools, max_tokens: 8 });
        expect(r.usage!.prompt_tokens).toBeGreaterThan(0);
        expect(["FINISH_REASON_LENGTH", "FINISH_REASON_EOS", "FINISH_REASON_TOOL_CALLS"]).toContain(
            r.finish_reason,
        );
    });

    it("refuses bad tool definitions and tool messages with INVALID_ARGUMENT naming the field", async () => {
        const tool = (fields: Partial<NonNullable<GenerateRequest["tools"]>[number]>) => [
            { name: "f", parameters_json: '{"type":"object"}', ...fields },
        ];
        const cases: [GenerateRequest, RegExp][] = [
            [
                { messages, tools: tool({ name: "bad name" }) },
                /tools\[0\]\.name "bad name" is not a valid tool name/,
            ],
            [
                { messages, tools: tool({ parameters_json: "{type" }) },
                /tools\[0\]\.parameters_json is not valid JSON/,
            ],
            [
                { messages, tools: tool({ parameters_json: '{"type":"string"}' }) },
                /tools\[0\]\.parameters_json must have "type": "object"/,
            ],
            [
                {
                    messages,
                    tools: tool({
                        parameters_json: '{"type":"object","properties":{"n":{"type":"integer","enum":[]}}}',
                    }),
                },
                /tools\[0\]\.parameters_json: \$\.properties\.n\.enum must be a non-empty array/,
            ],
            [
                { messages, tools: tool({}), tool_choice: "g" },
                /tool_choice "g" is not one of the tools \(f\)/,
            ],
            [{ messages, tool_choice: "required" }, /tool_choice "required" needs tools/],
            [{ prompt: "x", tools: tool({}) }, /tools need messages/],
            [
                { messages: [...messages, { role: "tool", tool_call_id: "nope", content: "1" }] },
                /messages\[1\]\.tool_call_id "nope" names no tool call/,
            ],
        ];
        for (const [request, message] of cases) {
            const error = await expectGrpcError(server.generate({ max_tokens: 4, ...request }));
            expect(error.code, String(message)).toBe(Status.INVALID_ARGUMENT);
            expect(error.details).toMatch(message);
        }
    });

    it("Tokenize counts the tools' definitions as Generate renders them (an agent's tool list is most of its prompt)", async () => {
        const generated = await server.generate({ messages, tools, max_tokens: 1 });
        const counted = await server.tokenize({ messages, tools });
        const bare = await server.tokenize({ messages });
        expect(counted.token_ids).toHaveLength(generated.usage!.prompt_tokens);
        expect(counted.token_ids.length).toBeGreaterThan(bare.token_ids.length + 20);
        const refused: [TokenizeRequest, RegExp][] = [
            [{ text: "a", tools }, /tools need messages/],
            [{ messages, tools: [{ name: "bad name", parameters_json: "{}" }] }, /tools\[0\]\.name/],
        ];
        for (const [request, message] of refused) {
            const error = await expectGrpcError(server.tokenize(request));
            expect(error.code).toBe(Status.INVALID_ARGUMENT);
            expect(error.details).toMatch(message);
        }
    });
});

import { describe, expect, it } from "vitest";
import { resolveTools } from "../../../src/engine/resolveTools.js";
import type { GenerateRequest } from "../../../src/engine/types.js";
import { ErrorCode } from "../../../src/errors/codes.js";
import { isServiceError } from "../../../src/errors/ServiceError.js";

const messages: GenerateRequest["messages"] = [{ role: "user", content: "hi" }];
const object = '{"type": "object", "properties": {"path": {"type": "string"}}}';

function errorOf(request: GenerateRequest): string {
    try {
        resolveTools(request);
    } catch (error) {
        if (isServiceError(error) && error.code === ErrorCode.InvalidArgument) return error.message;
        throw error;
    }
    throw new Error("expected INVALID_ARGUMENT");
}

describe("resolveTools", () => {
    it("no tools, no choice: nothing to resolve", () => {
        expect(resolveTools({ messages })).toBeUndefined();
        expect(resolveTools({ prompt: "x", toolChoice: "auto" })).toBeUndefined();
    });

    it("resolves each choice to the tools a call may be one of", () => {
        const tools = [
            { name: "read", parametersJson: object },
            { name: "list-dir_2", description: "" },
        ];
        const auto = resolveTools({ messages, tools })!;
        expect(auto.choice).toBe("auto");
        expect(auto.tools[1]).toEqual({
            name: "list-dir_2",
            description: undefined,
            schema: { type: "object", properties: {} },
        });
        expect(resolveTools({ messages, tools, toolChoice: "none" })!.choice).toBe("none");
        const required = resolveTools({ messages, tools, toolChoice: "required" })!.choice;
        expect(required).toEqual({ forced: auto.tools });
        const named = resolveTools({ messages, tools, toolChoice: { name: "read" } })!.choice;
        expect(named).toEqual({ forced: [auto.tools[0]] });
    });

    it.each<[string, GenerateRequest, RegExp]>([
        [
            "a bad name",
            { messages, tools: [{ name: "a b" }] },
            /tools\[0\]\.name "a b" is not a valid tool name/,
        ],
        ["a long name", { messages, tools: [{ name: "x".repeat(65) }] }, /tools\[0\]\.name .* 1 to 64/],
        [
            "a duplicate name",
            { messages, tools: [{ name: "a" }, { name: "a" }] },
            /tools\[1\]\.name "a" is used by an earlier tool/,
        ],
        [
            "schema not JSON",
            { messages, tools: [{ name: "a", parametersJson: "{" }] },
            /tools\[0\]\.parameters_json is not valid JSON/,
        ],
        [
            "schema not an object",
            { messages, tools: [{ name: "a", parametersJson: "[1]" }] },
            /tools\[0\]\.parameters_json must be a JSON object schema/,
        ],
        [
            "schema of another type",
            { messages, tools: [{ name: "a", parametersJson: '{"type": "array"}' }] },
            /tools\[0\]\.parameters_json must have "type": "object".*"array"/,
        ],
        [
            "a property schema that is not a schema object",
            {
                messages,
                tools: [{ name: "a", parametersJson: '{"type": "object", "properties": {"x": true}}' }],
            },
            /tools\[0\]\.parameters_json: \$\.properties\.x must be a schema object/,
        ],
        [
            "an unknown tool choice",
            { messages, tools: [{ name: "a" }], toolChoice: { name: "b" } },
            /tool_choice "b" is not one of the tools \(a\)/,
        ],
        [
            "a choice without tools",
            { messages, toolChoice: "required" },
            /tool_choice "required" needs tools/,
        ],
        ["tools without messages", { prompt: "x", tools: [{ name: "a" }] }, /tools need messages/],
        [
            "tools with response_format",
            { messages, tools: [{ name: "a" }], responseFormat: { type: "json_object" } },
            /tools and response_format cannot be combined/,
        ],
        [
            "a tool message answering no call",
            { messages: [...messages, { role: "tool", content: "1", toolCallId: "c9" }] },
            /messages\[1\]\.tool_call_id "c9" names no tool call/,
        ],
        [
            "a tool message naming another tool",
            {
                messages: [
                    {
                        role: "assistant",
                        content: "",
                        toolCalls: [{ id: "c1", name: "a", argumentsJson: "{}" }],
                    },
                    { role: "tool", content: "1", toolCallId: "c1", name: "b" },
                ],
            },
            /messages\[1\]\.name "b" is not the name of call "c1" \("a"\)/,
        ],
    ])("refuses %s", (_name, request, message) => {
        expect(errorOf(request)).toMatch(message);
    });

    it("describes to the model what the grammar cannot enforce in a tool's schema, instead of refusing the tool", () => {
        // Claude Code's WebFetch (`format: "uri"`) and an MCP server's bounds and pattern.
        const parametersJson = JSON.stringify({
            type: "object",
            properties: {
                url: { type: "string", format: "uri", description: "The URL to fetch" },
                pages: { type: "integer", minimum: 1, maximum: 20 },
                tags: { type: "array", items: { type: "string", pattern: "^[a-z]+$" }, uniqueItems: true },
            },
            required: ["url"],
            additionalProperties: false,
            $schema: "http://json-schema.org/draft-07/schema#",
        });
        const resolved = resolveTools({ messages, tools: [{ name: "WebFetch", parametersJson }] });
        expect(resolved?.tools[0]?.schema).toEqual({
            type: "object",
            properties: {
                url: { type: "string", description: 'The URL to fetch (also: format "uri")' },
                pages: { type: "integer", description: "(also: minimum 1, maximum 20)" },
                tags: {
                    type: "array",
                    items: { type: "string", description: '(also: pattern "^[a-z]+$")' },
                    description: "(also: uniqueItems true)",
                },
            },
            required: ["url"],
            additionalProperties: false,
            $schema: "http://json-schema.org/draft-07/schema#",
        });
    });
});

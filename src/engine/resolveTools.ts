/**
 * Checks a request's tools, tool choice and tool messages, and resolves them into what rendering
 * (renderChat.ts), the forced-call grammar (toolCallGrammar.ts) and the call parser (ToolCallStream.ts)
 * use. Pure. Every message names the wire field to fix (`tools[1].parameters_json`, `tool_choice`,
 * `messages[3].tool_call_id`).
 *
 * Rules: tools need `messages` and exclude `response_format`; names are 1 to 64 characters of
 * [a-zA-Z0-9_-] (what OpenAI and Anthropic accept, and what a call's syntax can carry), unique;
 * `parameters_json` is JSON of an object schema ({"type": "object"}), empty for no arguments; keywords
 * checkJsonSchema.ts cannot enforce are described to the model instead (`describeUnenforced`); a named tool choice names one of the tools; a choice other than
 * auto needs tools; a `tool` message answers a call of an earlier assistant message by its id.
 */
import type { GbnfJsonSchema } from "node-llama-cpp";
import { InvalidArgumentError } from "../errors/ServiceError.js";
import { checkJsonSchema } from "./checkJsonSchema.js";
import type { ChatMessage, GenerateRequest, ToolChoice } from "./types.js";

export const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/;

/** A checked tool: its schema in node-llama-cpp's form (what its grammar and validator take). */
export interface ResolvedTool {
    name: string;
    description: string | undefined;
    schema: GbnfJsonSchema;
}

export interface ResolvedTools {
    tools: readonly ResolvedTool[];
    /** `auto`, `none`, or the tools a call must be one of (`required`: all; a name: that one). */
    choice: "auto" | "none" | { forced: readonly ResolvedTool[] };
}

const noArguments = { type: "object", properties: {} } as const;

/** Undefined when the request has no tools (and then no tool choice). */
export function resolveTools(request: GenerateRequest): ResolvedTools | undefined {
    const choice: ToolChoice = request.toolChoice ?? "auto";
    const given = request.tools ?? [];
    if (request.messages) checkToolMessages(request.messages);
    if (given.length === 0) {
        if (choice !== "auto")
            throw new InvalidArgumentError(
                `tool_choice ${JSON.stringify(typeof choice === "string" ? choice : choice.name)} needs tools; send tools or leave tool_choice empty`,
            );
        return undefined;
    }
    if (!request.messages || request.messages.length === 0)
        throw new InvalidArgumentError(
            "tools need messages (a chat): send the conversation as messages instead of prompt",
        );
    if (request.responseFormat)
        throw new InvalidArgumentError(
            "tools and response_format cannot be combined; constrain a tool's arguments with its parameters_json",
        );
    const seen = new Set<string>();
    const tools = given.map((tool, i): ResolvedTool => {
        if (!toolNamePattern.test(tool.name))
            throw new InvalidArgumentError(
                `tools[${i}].name ${JSON.stringify(tool.name)} is not a valid tool name; use 1 to 64 characters of a-z, A-Z, 0-9, _ and -`,
            );
        if (seen.has(tool.name))
            throw new InvalidArgumentError(
                `tools[${i}].name "${tool.name}" is used by an earlier tool; tool names must be unique`,
            );
        seen.add(tool.name);
        const description = tool.description === "" ? undefined : tool.description;
        return { name: tool.name, description, schema: parametersOf(tool.parametersJson ?? "", i) };
    });
    if (choice === "auto" || choice === "none") return { tools, choice };
    if (choice === "required") return { tools, choice: { forced: tools } };
    const named = tools.find((t) => t.name === choice.name);
    if (!named)
        throw new InvalidArgumentError(
            `tool_choice "${choice.name}" is not one of the tools (${tools.map((t) => t.name).join(", ")}); use "", "none", "required" or one of their names`,
        );
    return { tools, choice: { forced: [named] } };
}

function parametersOf(json: string, i: number): GbnfJsonSchema {
    const where = `tools[${i}].parameters_json`;
    if (json.trim() === "") return noArguments;
    let schema: unknown;
    try {
        schema = JSON.parse(json);
    } catch (cause) {
        throw new InvalidArgumentError(
            `${where} is not valid JSON (${(cause as Error).message}); send the JSON Schema of the arguments as JSON text`,
        );
    }
    if (typeof schema !== "object" || schema === null || Array.isArray(schema) || !("type" in schema))
        throw new InvalidArgumentError(
            `${where} must be a JSON object schema such as {"type": "object", "properties": {...}}`,
        );
    if (schema.type !== "object")
        throw new InvalidArgumentError(
            `${where} must have "type": "object" (a tool's arguments are a JSON object), got ${JSON.stringify(schema.type)}`,
        );
    return checkJsonSchema(schema, where, { describeUnenforced: true });
}

/** Each `tool` message names a call of an earlier assistant message; tool fields only where they belong. */
function checkToolMessages(messages: readonly ChatMessage[]): void {
    const calls = new Map<string, string>();
    messages.forEach((m, i) => {
        if (m.role === "assistant") {
            m.toolCalls?.forEach((call, j) => {
                if (!toolNamePattern.test(call.name))
                    throw new InvalidArgumentError(
                        `messages[${i}].tool_calls[${j}].name ${JSON.stringify(call.name)} is not a valid tool name; use 1 to 64 characters of a-z, A-Z, 0-9, _ and -`,
                    );
                if (call.id === "")
                    throw new InvalidArgumentError(
                        `messages[${i}].tool_calls[${j}].id is empty; give each call the id its tool message answers`,
                    );
                calls.set(call.id, call.name);
            });
        } else if (m.role === "tool") {
            const name = calls.get(m.toolCallId);
            if (name === undefined)
                throw new InvalidArgumentError(
                    `messages[${i}].tool_call_id ${JSON.stringify(m.toolCallId)} names no tool call of an earlier assistant message; set it to the id of the call this result answers`,
                );
            if (m.name !== undefined && m.name !== "" && m.name !== name)
                throw new InvalidArgumentError(
                    `messages[${i}].name "${m.name}" is not the name of call "${m.toolCallId}" ("${name}"); fix it or leave it empty`,
                );
        }
    });
}

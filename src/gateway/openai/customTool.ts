/**
 * OpenAI custom tools (Responses `type: "custom"`: the model's input is free text, optionally in a lark
 * or regex grammar) on tiers that only know JSON tools. Codex CLI declares its `apply_patch` this way for
 * the gpt-5 Codex models, and resends every earlier patch as a `custom_tool_call` item with its
 * `custom_tool_call_output`: dropped, the local and Anthropic tiers could not edit files and would not
 * see the patches already made. Such a tool becomes a JSON tool with one string argument, `input`, whose
 * description carries the format; a call of it comes back to the caller as a `custom_tool_call` with that
 * string as its input. An OpenAI tier on the Responses wire is sent the caller's own body (nativeBody.ts),
 * custom tools and all, and needs none of this.
 */
import type { CustomTool } from "openai/resources/responses/responses";
import type { ToolDefinition } from "../../index.js";
import { GatewayError } from "../GatewayError.js";

/** The argument that carries a custom tool's free-text input on a JSON-tool tier. */
export const customToolArgument = "input";

/** A custom tool as a JSON tool whose one argument, `input`, is the free text. */
export function customToolDefinition(tool: CustomTool, where: string): ToolDefinition {
    if (typeof tool.name !== "string" || tool.name === "")
        throw new GatewayError("invalid_request", `${where}.name is required`);
    const definition: ToolDefinition = {
        name: tool.name,
        input_schema: {
            type: "object",
            properties: {
                [customToolArgument]: { type: "string", description: inputDescription(tool.format) },
            },
            required: [customToolArgument],
            additionalProperties: false,
        },
    };
    if (typeof tool.description === "string") definition.description = tool.description;
    return definition;
}

/**
 * A custom tool call's input from the arguments a JSON-tool tier gave it: the `input` string where the
 * tier kept to the schema (the local tier's grammar does), else the arguments' JSON, which the caller's
 * tool then refuses as malformed input, as it would a bad patch, rather than receiving nothing.
 */
export function customToolInput(args: Record<string, unknown>): string {
    const input = args[customToolArgument];
    return typeof input === "string" && Object.keys(args).length === 1 ? input : JSON.stringify(args);
}

function inputDescription(format: CustomTool["format"]): string {
    const head = "The tool's input, as plain text (not JSON-encoded beyond this string)";
    // Read as the caller's JSON: a format of another shape says nothing more than plain text.
    if (format?.type !== "grammar" || typeof format.definition !== "string") return `${head}.`;
    const syntax = typeof format.syntax === "string" ? `${format.syntax} ` : "";
    return `${head}. It must match this ${syntax}grammar:\n${format.definition}`;
}

/**
 * What a Responses request's tools were before they became JSON tools, so that their calls go back as
 * the caller declared them: custom tools (above) as `custom_tool_call` items, and the functions of a
 * `namespace` tool (Codex CLI groups each MCP server's tools in one) as `function_call` items with the
 * `namespace` field, under their own name. On a JSON-tool tier such a function is `<namespace>__<name>`.
 */
export interface ResponsesToolNames {
    custom: ReadonlySet<string>;
    /** Flattened name → the namespace and the function's own name. */
    namespaced: ReadonlyMap<string, { namespace: string; name: string }>;
}

export const noToolNames: ResponsesToolNames = { custom: new Set(), namespaced: new Map() };

/** A namespace function's name on a JSON-tool tier (what `namespaced` maps back). */
export const namespacedToolName = (namespace: string, name: string): string => `${namespace}__${name}`;

/**
 * An OpenAI Responses request body (`responses.create`, as Codex CLI sends it) → the router's normalized
 * ChatRequest. Stateless: `previous_response_id` is refused (nothing is stored; send the whole `input`,
 * as Codex does with `store: false`). Where the two differ:
 * - `instructions` and `system` / `developer` messages become the system prompt;
 * - `function_call` items join the assistant turn before them as tool calls, and `function_call_output`
 *   items become tool results of one user turn;
 * - `custom` tools (free-text input; Codex's `apply_patch` for its gpt-5 Codex models) become JSON tools
 *   with one string argument, and their `custom_tool_call` / `custom_tool_call_output` items tool calls
 *   and results like a function's (customTool.ts);
 * - `input_image` and `input_file` parts have no normalized form: a placeholder stands in, and only a
 *   target sent the body as written (OpenAI on the Responses API) takes the request (OpaqueContent.ts);
 * - other input items (a `compaction` summary of the turns before it, built-in tools' calls and outputs,
 *   item references) are content only the Responses API reads: only a target sent the body as written
 *   answers (OpaqueContent.ts);
 * - a `namespace` tool's functions (Codex CLI's MCP tools) become JSON tools named `<namespace>__<name>`,
 *   and calls of them (in `input` and in answers) carry the namespace as the API does (customTool.ts);
 * - `reasoning` items (only the model that wrote them can read them) and tools other than `function`,
 *   `custom` and `namespace` (Codex sends `web_search`, ...) are ignored and named in the ignored-fields header, as
 *   are fields the router does not take (`reasoning`, `store`, `include`, `prompt_cache_key`, ...);
 * - `text.format` json_schema / json_object becomes the router's `response_format` (enforced by the
 *   local tier's grammar and by OpenAI; tiers that cannot enforce it are skipped); `text.verbosity` is
 *   ignored.
 */
import type {
    NamespaceTool,
    ResponseCreateParamsBase,
    ResponseInputContent,
} from "openai/resources/responses/responses";
import type {
    ChatRequest,
    RouterChatMessage,
    TextPart,
    ToolCallPart,
    ToolChoice,
    ToolDefinition,
    ToolResultPart,
} from "../../index.js";
import { GatewayError } from "../GatewayError.js";
import { isJsonObject, requireObject, requireObjects } from "../jsonShape.js";
import { collectIgnored } from "../ignoredFields.js";
import { OpaqueContent } from "../OpaqueContent.js";
import {
    customToolArgument,
    customToolDefinition,
    namespacedToolName,
    type ResponsesToolNames,
} from "./customTool.js";
import { parseToolArguments } from "../parseToolArguments.js";

export interface ParsedResponsesRequest {
    request: ChatRequest;
    model: string;
    stream: boolean;
    ignored: string[];
    /** Content only the Responses API reads, named (NativeRequest.only); undefined when there is none. */
    only?: string;
    /** What its custom and namespace tools were, to answer their calls as declared (customTool.ts). */
    toolNames: ResponsesToolNames;
}

const handled = new Set([
    "model",
    "input",
    "instructions",
    "tools",
    "tool_choice",
    "max_output_tokens",
    "temperature",
    "top_p",
    "stream",
    "previous_response_id",
    "text",
]);

/** An input item as the caller's JSON has it: checked field by field below. */
interface InputItem {
    type?: string;
    role?: string;
    content?: unknown;
    call_id?: string;
    name?: string;
    arguments?: string;
    input?: unknown;
    output?: unknown;
    /** A namespace function's call: its namespace (the tool's `name` is the function's own). */
    namespace?: unknown;
}

export function fromResponsesParams(body: Record<string, unknown>): ParsedResponsesRequest {
    const params = body as unknown as ResponseCreateParamsBase;
    if (typeof params.model !== "string" || params.model === "") {
        throw new GatewayError(
            "invalid_request",
            '`model` is required: a model id from GET /v1/models, or "auto"',
        );
    }
    if (typeof params.previous_response_id === "string") {
        throw new GatewayError(
            "invalid_request",
            "previous_response_id: this gateway is stateless and stores no responses; send the whole conversation in `input` (Codex CLI does, with store = false)",
        );
    }
    const ignored = new Set(collectIgnored(body, handled));
    const opaque = new OpaqueContent();
    const systemParts: string[] =
        typeof params.instructions === "string" && params.instructions !== "" ? [params.instructions] : [];
    const messages: RouterChatMessage[] = [];
    const input: readonly InputItem[] =
        typeof params.input === "string"
            ? [{ role: "user", content: params.input }]
            : requireObjects((params.input ?? []) as readonly InputItem[], "input");
    if (input.length === 0)
        throw new GatewayError("invalid_request", "`input` must be a non-empty string or array of items");
    let assistant: (TextPart | ToolCallPart)[] | undefined;
    let results: ToolResultPart[] | undefined;
    input.forEach((item, i) => {
        const where = `input[${i}]`;
        const type = item.type ?? "message";
        const call = type === "function_call" || type === "custom_tool_call";
        const output = type === "function_call_output" || type === "custom_tool_call_output";
        if (!call) assistant = type === "message" && item.role === "assistant" ? assistant : undefined;
        if (!output) results = undefined;
        switch (type) {
            case "message": {
                const text = messageText(item.content, where, opaque);
                if (item.role === "system" || item.role === "developer") systemParts.push(text);
                else if (item.role === "user") messages.push({ role: "user", content: text });
                else if (item.role === "assistant") {
                    assistant = text === "" ? [] : [{ type: "text", text }];
                    messages.push({ role: "assistant", content: assistant });
                } else
                    throw new GatewayError(
                        "invalid_request",
                        `${where}.role: "${String(item.role)}" is not supported`,
                    );
                return;
            }
            case "function_call":
            case "custom_tool_call": {
                const name = requireString(item.name, `${where}.name`);
                const call: ToolCallPart = {
                    type: "tool_call",
                    id: requireString(item.call_id, `${where}.call_id`),
                    name:
                        typeof item.namespace === "string" && item.namespace !== ""
                            ? namespacedToolName(item.namespace, name)
                            : name,
                    arguments:
                        type === "function_call"
                            ? parseToolArguments(item.arguments ?? "", `${where}.arguments`)
                            : { [customToolArgument]: requireText(item.input, `${where}.input`) },
                };
                if (assistant === undefined) {
                    assistant = [];
                    messages.push({ role: "assistant", content: assistant });
                }
                assistant.push(call);
                return;
            }
            case "function_call_output":
            case "custom_tool_call_output": {
                const part: ToolResultPart = {
                    type: "tool_result",
                    tool_call_id: requireString(item.call_id, `${where}.call_id`),
                    content:
                        typeof item.output === "string"
                            ? item.output
                            : messageText(item.output, `${where}.output`, opaque),
                };
                if (results === undefined) {
                    results = [part];
                    messages.push({ role: "user", content: results });
                } else results.push(part);
                return;
            }
            case "reasoning":
                // Encrypted thinking only the model that wrote it reads; the answer does not depend on it.
                ignored.add("input items (reasoning)");
                return;
            default:
                // A compaction summary (the conversation before it), a built-in tool's call or output, a
                // stored item's reference: dropping it would answer without part of the conversation.
                opaque.note(type, "items");
        }
    });
    if (messages.length === 0)
        throw new GatewayError(
            "invalid_request",
            "`input` has no user, assistant or function_call_output item",
        );

    const request: ChatRequest = { messages };
    if (systemParts.length > 0) request.system = systemParts.join("\n\n");
    const tools: ToolDefinition[] = [];
    const customTools = new Set<string>();
    const namespaced = new Map<string, { namespace: string; name: string }>();
    for (const [i, tool] of (params.tools == null ? [] : requireObjects(params.tools, "tools")).entries()) {
        if (tool.type === "custom") {
            tools.push(customToolDefinition(tool, `tools[${i}]`));
            customTools.add(tool.name);
            continue;
        }
        if (tool.type === "namespace") {
            const functions = namespaceFunctions(tool, `tools[${i}]`);
            for (const { own, definition } of functions) {
                namespaced.set(definition.name, { namespace: tool.name, name: own });
                tools.push(definition);
            }
            if (functions.length === 0) ignored.add("tools (namespace)");
            continue;
        }
        if (tool.type !== "function") {
            ignored.add(`tools (${tool.type})`);
            continue;
        }
        const definition: ToolDefinition = {
            name: tool.name,
            input_schema: tool.parameters ?? { type: "object", properties: {} },
        };
        if (typeof tool.description === "string") definition.description = tool.description;
        tools.push(definition);
    }
    if (tools.length > 0) {
        request.tools = tools;
        const choice = toolChoice(params.tool_choice);
        if (choice !== undefined) request.tool_choice = choice;
    }
    const responseFormat = convertTextFormat(body.text, ignored);
    if (responseFormat !== undefined) request.response_format = responseFormat;
    if (typeof params.max_output_tokens === "number") request.max_tokens = params.max_output_tokens;
    if (typeof params.temperature === "number") request.temperature = params.temperature;
    if (typeof params.top_p === "number") request.top_p = params.top_p;
    const parsed: ParsedResponsesRequest = {
        request,
        model: params.model,
        stream: params.stream === true,
        ignored: [...ignored].sort(),
        toolNames: { custom: customTools, namespaced },
    };
    const only = opaque.only("the Responses API");
    if (only !== undefined) parsed.only = only;
    return parsed;
}

/**
 * A `namespace` tool's functions as JSON tools named `<namespace>__<name>` (its custom tools are not
 * taken: named in the ignored header by the caller when none is left), each with its flattened name.
 */
function namespaceFunctions(
    tool: NamespaceTool,
    where: string,
): { own: string; definition: ToolDefinition }[] {
    const namespace = requireString(tool.name, `${where}.name`);
    // The caller's JSON: `tools` may be missing whatever the SDK's type says.
    const given = tool.tools as NamespaceTool["tools"] | null | undefined;
    const inner = given == null ? [] : requireObjects(given, `${where}.tools`);
    return inner.flatMap((fn, j): { own: string; definition: ToolDefinition }[] => {
        if (fn.type !== "function") return [];
        const own = requireString(fn.name, `${where}.tools[${j}].name`);
        const definition: ToolDefinition = {
            name: namespacedToolName(namespace, own),
            input_schema: (fn.parameters ?? { type: "object", properties: {} }) as Record<string, unknown>,
        };
        const description = [tool.description, fn.description].filter(
            (d) => typeof d === "string" && d !== "",
        );
        if (description.length > 0) definition.description = description.join("\n\n");
        return [{ own, definition }];
    });
}

/** A string that may be empty (a custom tool's input). */
function requireText(value: unknown, where: string): string {
    if (typeof value !== "string") throw new GatewayError("invalid_request", `${where} must be a string`);
    return value;
}

function requireString(value: unknown, where: string): string {
    if (typeof value !== "string" || value === "")
        throw new GatewayError("invalid_request", `${where} is required`);
    return value;
}

/** Input part types with no normalized form, each the SDK declares (a new one is a compile error). */
const opaqueParts: ReadonlySet<string> = new Set(
    Object.keys({ input_image: true, input_file: true } satisfies Record<
        Exclude<ResponseInputContent["type"], "input_text">,
        true
    >),
);

/**
 * A message's content: a string, or input_text / output_text parts, images and files as placeholders
 * (OpaqueContent.ts); anything else is refused.
 */
function messageText(content: unknown, where: string, opaque: OpaqueContent): string {
    if (typeof content === "string") return content;
    if (!Array.isArray(content))
        throw new GatewayError("invalid_request", `${where}.content must be a string or an array of parts`);
    return requireObjects(content as readonly { type?: string; text?: unknown }[], `${where}.content`)
        .map((part, i) => {
            if ((part.type === "input_text" || part.type === "output_text") && typeof part.text === "string")
                return part.text;
            if (typeof part.type === "string" && opaqueParts.has(part.type))
                return opaque.placeholder(part.type, "parts").text;
            throw new GatewayError(
                "invalid_request",
                `${where}.content[${i}]: ${JSON.stringify(part.type)} is not a Responses API content part type here; send input_text, input_image or input_file`,
            );
        })
        .join("\n");
}

function toolChoice(choice: ResponseCreateParamsBase["tool_choice"]): ToolChoice | undefined {
    if (choice == null) return undefined;
    if (choice === "auto" || choice === "none" || choice === "required") return choice;
    const object = requireObject(choice, "tool_choice");
    if (object.type === "function" || object.type === "custom") return { name: object.name };
    throw new GatewayError(
        "invalid_request",
        `tool_choice: "${object.type}" is not supported; use auto, none, required, a function or a custom tool`,
    );
}

/**
 * The Responses API's `text` config → the router's `response_format`: `format` text is the default
 * (nothing to say); json_object and json_schema (its fields beside `type`, unlike Chat Completions'
 * nested `json_schema`) map over. Read as untrusted JSON.
 */
function convertTextFormat(text: unknown, ignored: Set<string>): ChatRequest["response_format"] {
    if (text == null) return undefined;
    if (typeof text !== "object" || Array.isArray(text))
        throw new GatewayError(
            "invalid_request",
            '`text` must be an object such as {format: {type: "text"}}',
        );
    const { format, verbosity } = text as { format?: unknown; verbosity?: unknown };
    if (verbosity != null) ignored.add("text.verbosity");
    if (format == null) return undefined;
    const f = format as { type?: unknown; schema?: unknown; name?: unknown; strict?: unknown };
    if (f.type === "text") return undefined;
    if (f.type === "json_object") return { type: "json_object" };
    if (f.type === "json_schema") {
        if (!isJsonObject(f.schema))
            throw new GatewayError("invalid_request", "`text.format.schema` must be a JSON Schema object");
        return {
            type: "json_schema",
            schema: f.schema,
            ...(typeof f.name === "string" && f.name !== "" ? { name: f.name } : {}),
            ...(typeof f.strict === "boolean" ? { strict: f.strict } : {}),
        };
    }
    throw new GatewayError(
        "invalid_request",
        `\`text.format.type\` ${JSON.stringify(f.type)} is not supported; use text, json_object or json_schema`,
    );
}

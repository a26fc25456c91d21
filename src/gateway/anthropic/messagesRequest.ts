/**
 * An Anthropic Messages request body (@anthropic-ai/sdk's MessageCreateParams) → the router's normalized
 * ChatRequest. Where the two differ:
 * - `system` (a string or text blocks, plus any `role: "system"` messages, which Claude Code sends) becomes
 *   one system prompt; Claude Code's billing block (`x-anthropic-billing-header: ... cch=<hash>`, new on
 *   every request) is left out, so the prompt, the response cache key and the local tier's KV prefix stay
 *   the same from one turn to the next;
 * - `tool_use` / `tool_result` blocks become `tool_call` / `tool_result` parts;
 * - earlier `thinking` blocks are dropped (only the model that wrote them can read them) and named in
 *   the ignored-fields header, as are `cache_control`, `thinking`, `metadata` and other fields the
 *   router does not take; server tools (web search, code execution, ...) are ignored the same way;
 * - `output_config.format` (structured output: `{type: "json_schema", schema}`) becomes the router's
 *   `response_format`, enforced by the local tier's grammar and sent on to Anthropic; the rest of
 *   `output_config` (`effort`) is ignored and named;
 * - images, documents, search results and a hosted server tool's blocks in the history (the Messages
 *   API's other block types) have no normalized form: a placeholder (`[image]`) stands in the normalized
 *   messages, and the request is marked for a target that is sent the body as written
 *   (`NativeRequest.only`): Anthropic answers, the local tier and other protocols are skipped with that
 *   reason. Claude Code sends them when a screenshot is pasted, an image or PDF is read, or it searched
 *   the web earlier in the session; a 400 would break every later turn of that session.
 */
import type {
    ContentBlockParam,
    MessageCreateParamsBase,
    MessageParam,
    TextBlockParam,
    ToolChoice as AnthropicToolChoice,
    ToolResultBlockParam,
    ToolUnion,
} from "@anthropic-ai/sdk/resources/messages/messages";
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
import { isJsonObject, jsonKind, requireObject, requireObjects } from "../jsonShape.js";
import { collectIgnored } from "../ignoredFields.js";
import { OpaqueContent } from "../OpaqueContent.js";

export interface ParsedMessages {
    request: ChatRequest;
    model: string;
    stream: boolean;
    /** Fields and blocks accepted but not applied, for the `x-tiercel-ignored` header. */
    ignored: string[];
    /** Blocks only the Messages API reads, named (NativeRequest.only); undefined when there are none. */
    only?: string;
}

/** Block types with a normalized form; every other block type of the Messages API is opaque (below). */
type NormalizedBlockType = "text" | "tool_use" | "tool_result" | "thinking" | "redacted_thinking";
/** Inside a tool result, text is the only normalized form. */
type ToolResultInner = Exclude<NonNullable<ToolResultBlockParam["content"]>, string>[number];

/**
 * The Messages API's block types with no normalized form, in messages and inside tool results: each one
 * the SDK declares (a new one is a compile error here until it is placed), so a type it does not know is
 * still a 400 naming it.
 */
const opaqueBlocks: ReadonlySet<string> = new Set(
    Object.keys({
        image: true,
        document: true,
        search_result: true,
        container_upload: true,
        server_tool_use: true,
        web_search_tool_result: true,
        web_fetch_tool_result: true,
        code_execution_tool_result: true,
        bash_code_execution_tool_result: true,
        text_editor_code_execution_tool_result: true,
        tool_search_tool_result: true,
        tool_reference: true,
        browser_state: true,
    } satisfies Record<
        Exclude<ContentBlockParam["type"] | ToolResultInner["type"], NormalizedBlockType>,
        true
    >),
);

/** Claude Code's per-request billing block starts with this. */
export const billingBlockPrefix = "x-anthropic-billing-header";

const handled = new Set([
    "model",
    "messages",
    "system",
    "max_tokens",
    "tools",
    "tool_choice",
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "stream",
]);

/** Options: count_tokens bodies carry no `max_tokens`. */
export function fromMessageParams(
    body: Record<string, unknown>,
    options: { requireMaxTokens: boolean },
): ParsedMessages {
    const params = body as unknown as MessageCreateParamsBase;
    if (typeof params.model !== "string" || params.model === "") {
        throw new GatewayError(
            "invalid_request",
            'model: Field required (a model id from GET /v1/models, or "auto")',
        );
    }
    if (options.requireMaxTokens && !(Number.isInteger(params.max_tokens) && params.max_tokens > 0)) {
        throw new GatewayError("invalid_request", "max_tokens: Field required (a positive integer)");
    }
    if (!Array.isArray(params.messages) || params.messages.length === 0) {
        throw new GatewayError("invalid_request", "messages: must be a non-empty array");
    }
    const ignored = new Set(collectIgnored(body, handled));
    const responseFormat = convertOutputFormat(body.output_config);
    if (responseFormat.onlyFormat) ignored.delete("output_config");
    const systemParts = params.system == null ? [] : systemText(params.system, "system");
    const messages: RouterChatMessage[] = [];
    const opaque = new OpaqueContent();
    requireObjects(params.messages, "messages", "dots").forEach((message: MessageParam, i) => {
        const where = `messages.${i}`;
        if (message.role === "system") {
            systemParts.push(...systemText(message.content, `${where}.content`));
            return;
        }
        if (typeof message.content === "string") {
            messages.push({ role: message.role, content: message.content });
            return;
        }
        const blocks = contentBlocks(message.content, `${where}.content`);
        if (message.role === "user") {
            messages.push({
                role: "user",
                content: blocks.map((b, j) => userPart(b, `${where}.content.${j}`, opaque)),
            });
            return;
        }
        const parts: (TextPart | ToolCallPart)[] = [];
        blocks.forEach((block, j) => {
            if (block.type === "thinking" || block.type === "redacted_thinking") {
                ignored.add("thinking blocks");
                return;
            }
            if (block.type === "text") parts.push({ type: "text", text: block.text });
            else if (opaqueBlocks.has(block.type)) parts.push(opaque.placeholder(block.type, "blocks"));
            else if (block.type === "tool_use") {
                parts.push({
                    type: "tool_call",
                    id: block.id,
                    name: block.name,
                    arguments: toolInput(block.input, `${where}.content.${j}.input`),
                });
            } else throw unsupportedBlock(block.type, `${where}.content.${j}`);
        });
        messages.push({ role: "assistant", content: parts });
    });

    const request: ChatRequest = { messages };
    const system = systemParts.join("\n\n");
    if (system !== "") request.system = system;
    const tools = convertTools(params.tools, ignored);
    if (tools.length > 0) request.tools = tools;
    if (params.tool_choice != null && tools.length > 0) {
        const choice = convertToolChoice(requireObject(params.tool_choice, "tool_choice"));
        if (choice !== undefined) request.tool_choice = choice;
    }
    if (responseFormat.format !== undefined) request.response_format = responseFormat.format;
    if (options.requireMaxTokens) request.max_tokens = params.max_tokens;
    // `temperature`, `top_p` and `top_k` are not in the 2026 Messages API types, but older clients send
    // them; the local tier honours them.
    if (typeof body.temperature === "number") request.temperature = body.temperature;
    if (typeof body.top_p === "number") request.top_p = body.top_p;
    if (typeof body.top_k === "number") request.top_k = body.top_k;
    if (params.stop_sequences != null && params.stop_sequences.length > 0)
        request.stop = params.stop_sequences;
    const parsed: ParsedMessages = {
        request,
        model: params.model,
        stream: body.stream === true,
        ignored: [...ignored],
    };
    const only = opaque.only("the Messages API");
    if (only !== undefined) parsed.only = only;
    return parsed;
}

/**
 * `output_config.format` → the router's `response_format`; `onlyFormat` when `output_config` holds
 * nothing else (it is then not named as ignored). Read as untrusted JSON.
 */
function convertOutputFormat(config: unknown): {
    format: ChatRequest["response_format"];
    onlyFormat: boolean;
} {
    if (!isJsonObject(config)) return { format: undefined, onlyFormat: false };
    const { format, ...rest } = config as { format?: unknown };
    const onlyFormat = Object.values(rest).every((v) => v == null);
    if (format == null) return { format: undefined, onlyFormat };
    const f = format as { type?: unknown; schema?: unknown };
    if (f.type !== "json_schema") {
        throw new GatewayError(
            "invalid_request",
            `output_config.format.type: ${JSON.stringify(f.type)} is not supported; use "json_schema"`,
        );
    }
    if (!isJsonObject(f.schema))
        throw new GatewayError(
            "invalid_request",
            "output_config.format.schema: must be a JSON Schema object",
        );
    return { format: { type: "json_schema", schema: f.schema }, onlyFormat };
}

/** System text blocks; typed loosely because the body is the caller's JSON, checked here. */
function systemText(system: string | readonly TextBlockParam[], where: string): string[] {
    if (typeof system === "string") return system === "" ? [] : [system];
    const blocks: readonly { type: string; text?: unknown }[] = contentBlocks(system, where);
    return blocks
        .map((block, i) => {
            if (block.type !== "text" || typeof block.text !== "string")
                throw unsupportedBlock(block.type, `${where}.${i}`);
            return block.text;
        })
        .filter((text) => !text.trimStart().startsWith(billingBlockPrefix));
}

function userPart(block: ContentBlockParam, where: string, opaque: OpaqueContent): TextPart | ToolResultPart {
    if (block.type === "text") return { type: "text", text: block.text };
    if (opaqueBlocks.has(block.type)) return opaque.placeholder(block.type, "blocks");
    if (block.type !== "tool_result") throw unsupportedBlock(block.type, where);
    let content = "";
    if (typeof block.content === "string") content = block.content;
    else if (block.content != null) {
        content = contentBlocks(block.content, `${where}.content`)
            .map((inner, k) => {
                if (inner.type === "text") return inner.text;
                if (opaqueBlocks.has(inner.type)) return opaque.placeholder(inner.type, "blocks").text;
                throw unsupportedBlock(inner.type, `${where}.content.${k}`);
            })
            .join("\n");
    }
    const part: ToolResultPart = { type: "tool_result", tool_call_id: block.tool_use_id, content };
    if (block.is_error === true) part.is_error = true;
    return part;
}

/** A content field that is not a string: an array of block objects, or a 400 naming what it found. */
function contentBlocks<T>(content: string | readonly T[], where: string): readonly NonNullable<T>[] {
    if (!Array.isArray(content))
        throw new GatewayError(
            "invalid_request",
            `${where}: must be a string or an array of content blocks, not ${jsonKind(content)}`,
        );
    return requireObjects(content as readonly T[], where, "dots");
}

function toolInput(input: unknown, where: string): Record<string, unknown> {
    if (!isJsonObject(input)) {
        throw new GatewayError("invalid_request", `${where}: tool_use input must be a JSON object`);
    }
    return input;
}

function unsupportedBlock(type: string, where: string): GatewayError {
    return new GatewayError(
        "invalid_request",
        `${where}: ${JSON.stringify(type)} is not a Messages API content block type here`,
    );
}

function convertTools(tools: readonly ToolUnion[] | undefined, ignored: Set<string>): ToolDefinition[] {
    const definitions: ToolDefinition[] = [];
    for (const tool of tools == null ? [] : requireObjects(tools, "tools", "dots")) {
        if ("type" in tool && tool.type != null && tool.type !== "custom") {
            ignored.add(`tools (${tool.type})`);
            continue;
        }
        const custom = tool; // narrowed to a custom tool by the check above
        const definition: ToolDefinition = { name: custom.name, input_schema: custom.input_schema };
        if (custom.description != null) definition.description = custom.description;
        definitions.push(definition);
    }
    return definitions;
}

function convertToolChoice(choice: AnthropicToolChoice): ToolChoice | undefined {
    switch (choice.type) {
        case "auto":
            return "auto";
        case "any":
            return "required";
        case "none":
            return "none";
        case "tool":
            return { name: choice.name };
    }
}

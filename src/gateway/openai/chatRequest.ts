/**
 * An OpenAI Chat Completions request body (the `openai` SDK's ChatCompletionCreateParams) → the router's
 * normalized ChatRequest. Where the two differ:
 * - `system` and `developer` messages become the system prompt (joined in order);
 * - `tool` messages become `tool_result` parts of a user turn (consecutive ones share the turn);
 * - assistant `tool_calls` carry JSON text arguments, parsed here (bad JSON is the caller's 400);
 * - `response_format` json_schema / json_object becomes the router's `response_format` (enforced by the
 *   local tier's grammar and by OpenAI; tiers that cannot enforce it are skipped);
 * - image, audio and file parts of user messages have no normalized form: a placeholder stands in, and
 *   only a target sent the body as written (OpenAI) takes the request (OpaqueContent.ts);
 * - fields that change what the answer must be and that no tier honours yet (`n` > 1, `logprobs`,
 *   audio) are refused with a 400 naming the field; the sampling fields (temperature, top_p, seed,
 *   presence/frequency penalties, stop) reach the tier that serves the request, as far as its API takes
 *   them; bookkeeping (`user`, ...) and `logit_bias` (token ids of one vocabulary) are accepted and
 *   listed as ignored.
 */
import type {
    ChatCompletionContentPart,
    ChatCompletionCreateParamsBase,
    ChatCompletionMessageParam,
    ChatCompletionToolChoiceOption,
} from "openai/resources/chat/completions/completions";
import type {
    ChatRequest,
    RouterChatMessage,
    TextPart,
    ToolCallPart,
    ToolChoice,
    ToolDefinition,
    ToolResultPart,
} from "../../index.js";
import { GatewayError, refuse } from "../GatewayError.js";
import { isJsonObject, jsonKind, requireObject, requireObjects } from "../jsonShape.js";
import { OpaqueContent } from "../OpaqueContent.js";
import { parseToolArguments } from "../parseToolArguments.js";
import { parseOpenAIRequest, sharedOpenAIFields, type ParsedOpenAIRequest } from "./parseOpenAIRequest.js";

/** Fields read below and by parseOpenAIRequest; everything else is ignored and named in the header. */
const handled = new Set<string>([
    ...sharedOpenAIFields,
    "messages",
    "tools",
    "tool_choice",
    "max_tokens",
    "max_completion_tokens",
    "n",
    "logprobs",
    "top_logprobs",
    "response_format",
    "audio",
    "modalities",
]);

/** User content part types with no normalized form, each the SDK declares (a new one is a compile error). */
const opaqueParts: ReadonlySet<string> = new Set(
    Object.keys({ image_url: true, input_audio: true, file: true } satisfies Record<
        Exclude<ChatCompletionContentPart["type"], "text">,
        true
    >),
);

export function fromChatCompletionParams(body: Record<string, unknown>): ParsedOpenAIRequest {
    const opaque = new OpaqueContent();
    const parsed = parseOpenAIRequest(body, handled, () => {
        const params = body as unknown as ChatCompletionCreateParamsBase;
        if (!Array.isArray(params.messages) || params.messages.length === 0) {
            throw new GatewayError("invalid_request", "`messages` must be a non-empty array");
        }
        refuse(
            params.n != null && params.n !== 1,
            "n",
            "only n = 1 is supported; send one request per choice",
        );
        refuse(
            params.logprobs === true,
            "logprobs",
            "log-probabilities are not returned by the gateway; remove `logprobs`",
        );
        refuse(
            params.audio != null || params.modalities?.includes("audio") === true,
            "audio",
            "audio output is not supported",
        );

        const { system, messages } = convertMessages(requireObjects(params.messages, "messages"), opaque);
        const request: ChatRequest = { messages };
        if (system !== undefined) request.system = system;
        const tools = convertTools(params.tools);
        if (tools !== undefined) request.tools = tools;
        if (params.tool_choice != null) request.tool_choice = convertToolChoice(params.tool_choice);
        const responseFormat = convertResponseFormat(params.response_format);
        if (responseFormat !== undefined) request.response_format = responseFormat;
        // `max_tokens` is deprecated in favour of `max_completion_tokens`, but editors still send it.
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        const maxTokens = params.max_completion_tokens ?? params.max_tokens;
        if (maxTokens != null) request.max_tokens = maxTokens;
        return request;
    });
    const only = opaque.only("Chat Completions");
    if (only !== undefined) parsed.only = only;
    return parsed;
}

function convertMessages(
    input: readonly ChatCompletionMessageParam[],
    opaque: OpaqueContent,
): {
    system: string | undefined;
    messages: RouterChatMessage[];
} {
    const systemParts: string[] = [];
    const messages: RouterChatMessage[] = [];
    let toolResults: ToolResultPart[] | undefined;
    input.forEach((message, i) => {
        const where = `messages[${i}]`;
        if (message.role !== "tool") toolResults = undefined;
        switch (message.role) {
            case "system":
            case "developer":
                systemParts.push(textContent(message.content, where));
                return;
            case "user":
                messages.push({ role: "user", content: userContent(message.content, where, opaque) });
                return;
            case "assistant": {
                const content: (TextPart | ToolCallPart)[] = [];
                const text = message.content == null ? "" : textContent(message.content, where);
                if (text !== "") content.push({ type: "text", text });
                const calls =
                    message.tool_calls == null
                        ? []
                        : requireObjects(message.tool_calls, `${where}.tool_calls`);
                calls.forEach((call, j) => {
                    if (call.type !== "function") {
                        throw new GatewayError(
                            "invalid_request",
                            `${where}.tool_calls[${j}]: only function tool calls are supported`,
                        );
                    }
                    const fn = requireObject(call.function, `${where}.tool_calls[${j}].function`);
                    content.push({
                        type: "tool_call",
                        id: call.id,
                        name: fn.name,
                        arguments: parseToolArguments(
                            fn.arguments,
                            `${where}.tool_calls[${j}].function.arguments`,
                        ),
                    });
                });
                messages.push({ role: "assistant", content });
                return;
            }
            case "tool": {
                const part: ToolResultPart = {
                    type: "tool_result",
                    tool_call_id: message.tool_call_id,
                    content: textContent(message.content, where),
                };
                if (toolResults === undefined) {
                    toolResults = [part];
                    messages.push({ role: "user", content: toolResults });
                } else toolResults.push(part);
                return;
            }
            default:
                throw new GatewayError(
                    "invalid_request",
                    `${where}.role: "${(message as { role: string }).role}" is not supported; use system, developer, user, assistant or tool`,
                );
        }
    });
    return { system: systemParts.length > 0 ? systemParts.join("\n\n") : undefined, messages };
}

function textContent(content: string | readonly { type: string; text?: string }[], where: string): string {
    if (typeof content === "string") return content;
    return requireContentParts(content, where)
        .map((part, i) => {
            if (part.type !== "text" || typeof part.text !== "string") {
                throw new GatewayError(
                    "invalid_request",
                    `${where}.content[${i}]: only text parts are supported here`,
                );
            }
            return part.text;
        })
        .join("\n");
}

function userContent(
    content: string | readonly ChatCompletionContentPart[],
    where: string,
    opaque: OpaqueContent,
): string | TextPart[] {
    if (typeof content === "string") return content;
    return requireContentParts(content, where).map((part, i): TextPart => {
        if (part.type === "text") return { type: "text", text: part.text };
        if (opaqueParts.has(part.type)) return opaque.placeholder(part.type, "parts");
        throw new GatewayError(
            "invalid_request",
            `${where}.content[${i}]: ${JSON.stringify(part.type)} is not a Chat Completions content part type`,
        );
    });
}

function convertTools(tools: ChatCompletionCreateParamsBase["tools"]): ToolDefinition[] | undefined {
    if (tools == null || (Array.isArray(tools) && tools.length === 0)) return undefined;
    return requireObjects(tools, "tools").map((tool, i) => {
        if (tool.type !== "function") {
            throw new GatewayError(
                "invalid_request",
                `tools[${i}]: only function tools are supported, got "${tool.type}"`,
            );
        }
        const fn = requireObject(tool.function, `tools[${i}].function`);
        const definition: ToolDefinition = {
            name: fn.name,
            input_schema: fn.parameters ?? { type: "object", properties: {} },
        };
        if (fn.description != null) definition.description = fn.description;
        return definition;
    });
}

function convertToolChoice(choice: ChatCompletionToolChoiceOption): ToolChoice {
    if (typeof choice === "string") return choice;
    requireObject(choice, "tool_choice");
    if (choice.type === "function")
        return { name: requireObject(choice.function, "tool_choice.function").name };
    throw new GatewayError(
        "invalid_request",
        `tool_choice: "${choice.type}" is not supported; use auto, none, required or a function`,
    );
}

/** A message's content array: every part an object (`<where>.content[i]` names one that is not). */
function requireContentParts<T>(content: string | readonly T[], where: string): readonly NonNullable<T>[] {
    if (!Array.isArray(content))
        throw new GatewayError(
            "invalid_request",
            `${where}.content must be a string or an array of content parts, not ${jsonKind(content)}`,
        );
    return requireObjects<T>(content, `${where}.content`);
}

/**
 * OpenAI's `response_format` → the router's: text is the default (nothing to say), JSON kinds map over.
 * Read as untrusted JSON (the SDK's types describe what a well-behaved client sends).
 */
function convertResponseFormat(
    format: ChatCompletionCreateParamsBase["response_format"],
): ChatRequest["response_format"] {
    const f = format as
        | { type?: unknown; json_schema?: { schema?: unknown; name?: unknown; strict?: unknown } }
        | null
        | undefined;
    if (f == null || f.type === "text") return undefined;
    if (f.type === "json_object") return { type: "json_object" };
    if (f.type === "json_schema") {
        const schema = f.json_schema?.schema;
        if (!isJsonObject(schema))
            throw new GatewayError(
                "invalid_request",
                "`response_format.json_schema.schema` must be a JSON Schema object",
            );
        const { name, strict } = f.json_schema ?? {};
        return {
            type: "json_schema",
            schema: schema,
            ...(typeof name === "string" && name !== "" ? { name } : {}),
            ...(typeof strict === "boolean" ? { strict } : {}),
        };
    }
    throw new GatewayError(
        "invalid_request",
        `\`response_format.type\` ${JSON.stringify(f.type)} is not supported; use text, json_object or json_schema`,
    );
}

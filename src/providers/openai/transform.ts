/**
 * Normalized format ↔ OpenAI Chat Completions (the `openai` SDK 6.x), both directions, streaming
 * included. Differences from the normalized form, and how they are bridged:
 * - tool results are `role: "tool"` messages, one per result, placed before the rest of the user turn;
 * - tool arguments travel as JSON text; streamed as `tool_calls[{index, id?, function:{name?, arguments?}}]`
 *   fragments keyed by `index`, sometimes with the whole arguments in the first fragment (kept);
 * - `finish_reason: "stop"` covers both a natural end and a stop sequence (no `stop_sequence` is
 *   reported), and some compatible servers say `stop` for tool-call turns (vLLM, Bifrost #3638): a turn
 *   with tool calls is `tool_use`;
 * - usage arrives in a final chunk with `choices: []` when `stream_options.include_usage` is set; some
 *   compatible servers send `choices: null`, so choices are read leniently.
 */
import type {
    ChatCompletion,
    ChatCompletionAssistantMessageParam,
    ChatCompletionChunk,
    ChatCompletionCreateParamsBase,
    ChatCompletionMessageFunctionToolCall,
    ChatCompletionMessageParam,
    ChatCompletionToolChoiceOption,
} from "openai/resources/chat/completions/completions";
import { ErrorCode } from "../../errors/codes.js";
import { partsOf } from "../../chat/messages.js";
import type {
    ChatMessage,
    CompletionResult,
    ProviderStreamEvent,
    StopReason,
    TextPart,
    ToolCallPart,
    ToolChoice,
    Usage,
} from "../../chat/types.js";
import { throwIfAborted } from "../../util/abort.js";
import type { ProviderRequest } from "../Provider.js";
import { ProviderError } from "../ProviderError.js";
import { parseToolArguments } from "../toolArguments.js";

/** Chat Completions accepts at most this many stop sequences (the API returns 400 beyond it). */
export const openaiMaxStopSequences = 4;

/** The request body without `stream` (the provider adds it). */
export function toOpenAIParams(request: ProviderRequest): ChatCompletionCreateParamsBase {
    const messages: ChatCompletionMessageParam[] = [];
    if (request.system !== undefined && request.system !== "")
        messages.push({ role: "system", content: request.system });
    for (const message of request.messages) pushOpenAIMessages(messages, message);
    const params: ChatCompletionCreateParamsBase = {
        model: request.model,
        messages,
        // max_tokens is deprecated and refused by reasoning models; max_completion_tokens works for all.
        max_completion_tokens: request.max_tokens,
    };
    if (request.temperature !== undefined) params.temperature = request.temperature;
    if (request.top_p !== undefined) params.top_p = request.top_p;
    // Deprecated in the SDK's types (best-effort determinism) but still accepted by the API; callers send it.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    if (request.seed !== undefined) params.seed = request.seed;
    if (request.presence_penalty !== undefined) params.presence_penalty = request.presence_penalty;
    if (request.frequency_penalty !== undefined) params.frequency_penalty = request.frequency_penalty;
    if (request.stop !== undefined && request.stop.length > 0) params.stop = [...request.stop];
    const format = request.response_format;
    if (format?.type === "json_object") params.response_format = { type: "json_object" };
    else if (format?.type === "json_schema")
        params.response_format = {
            type: "json_schema",
            json_schema: {
                name: format.name ?? "response",
                schema: format.schema,
                ...(format.strict !== undefined && { strict: format.strict }),
            },
        };
    if (request.tools !== undefined && request.tools.length > 0) {
        params.tools = request.tools.map((tool) => ({
            type: "function",
            function: {
                name: tool.name,
                ...(tool.description === undefined ? {} : { description: tool.description }),
                parameters: tool.input_schema,
            },
        }));
        if (request.tool_choice !== undefined) params.tool_choice = toOpenAIToolChoice(request.tool_choice);
    }
    return params;
}

function toOpenAIToolChoice(choice: ToolChoice): ChatCompletionToolChoiceOption {
    if (typeof choice === "string") return choice;
    return { type: "function", function: { name: choice.name } };
}

function pushOpenAIMessages(out: ChatCompletionMessageParam[], message: ChatMessage): void {
    if (typeof message.content === "string") {
        out.push({ role: message.role, content: message.content });
        return;
    }
    if (message.role === "assistant") {
        let text = "";
        const toolCalls: ChatCompletionMessageFunctionToolCall[] = [];
        for (const part of partsOf(message)) {
            if (part.type === "text") text += part.text;
            else if (part.type === "tool_call") {
                toolCalls.push({
                    id: part.id,
                    type: "function",
                    function: { name: part.name, arguments: JSON.stringify(part.arguments) },
                });
            }
        }
        const assistant: ChatCompletionAssistantMessageParam = {
            role: "assistant",
            content: text === "" ? null : text,
        };
        if (toolCalls.length > 0) assistant.tool_calls = toolCalls;
        out.push(assistant);
        return;
    }
    // Tool results answer the previous assistant turn's calls, so they come first, in order.
    const texts: string[] = [];
    for (const part of partsOf(message)) {
        if (part.type === "tool_result") {
            // Chat Completions has no error flag on tool messages; the model reads the prefix.
            const content = part.is_error === true ? `[tool error] ${part.content}` : part.content;
            out.push({ role: "tool", tool_call_id: part.tool_call_id, content });
        } else if (part.type === "text") texts.push(part.text);
    }
    if (texts.length > 0) out.push({ role: "user", content: texts.join("\n") });
}

type FinishReason = ChatCompletion.Choice["finish_reason"];

/** OpenAI finish reasons in the normalized vocabulary; a turn that called tools is always `tool_use`. */
export function fromOpenAIFinishReason(reason: FinishReason | null, calledTools: boolean): StopReason {
    if (calledTools && reason !== "length" && reason !== "content_filter") return "tool_use";
    switch (reason) {
        case "length":
            return "max_tokens";
        case "tool_calls":
        case "function_call":
            return "tool_use";
        case "content_filter":
            return "refusal";
        default:
            return "end_turn";
    }
}

function fromUsage(
    usage:
        | {
              prompt_tokens: number;
              completion_tokens: number;
              prompt_tokens_details?: { cached_tokens?: number } | null;
          }
        | null
        | undefined,
): Usage {
    const out: Usage = {
        input_tokens: usage?.prompt_tokens ?? 0,
        output_tokens: usage?.completion_tokens ?? 0,
    };
    // Prompt tokens OpenAI served from its prompt cache (billed at a discount).
    const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
    if (cached > 0) out.cache_read_input_tokens = cached;
    return out;
}

/** A unary response, normalized. */
export function fromOpenAICompletion(provider: string, completion: ChatCompletion): CompletionResult {
    const choice = (completion.choices as ChatCompletion.Choice[] | null | undefined)?.[0];
    if (typeof choice?.message !== "object") {
        throw new ProviderError(
            provider,
            ErrorCode.ProviderStream,
            "malformed response: no choices[0].message",
            { retryable: true },
        );
    }
    const content: (TextPart | ToolCallPart)[] = [];
    const { message } = choice;
    if (typeof message.content === "string" && message.content !== "")
        content.push({ type: "text", text: message.content });
    for (const call of message.tool_calls ?? []) {
        if (call.type !== "function") continue;
        content.push({
            type: "tool_call",
            id: call.id,
            name: call.function.name,
            arguments: parseToolArguments(provider, call.function.name, call.function.arguments),
        });
    }
    const calledTools = content.some((p) => p.type === "tool_call");
    return {
        content,
        stop_reason: fromOpenAIFinishReason(choice.finish_reason, calledTools),
        stop_sequence: null,
        usage: fromUsage(completion.usage),
        model: completion.model,
    };
}

interface ToolState {
    index: number;
    id: string;
    name: string;
    json: string;
    ended: boolean;
}

/**
 * Translates the SDK's chunks into normalized events (`native`: the request's own body was sent, which
 * `message_start` says; its chunks are not relayed). Throws E_PROVIDER_STREAM when the chunks end
 * without a finish_reason (truncated), and the signal's AbortedError when they ended because of our abort
 * (the SDK ends the iteration silently then).
 */
export async function* fromOpenAIStream(
    provider: string,
    chunks: AsyncIterable<ChatCompletionChunk>,
    signal: AbortSignal,
    native = false,
): AsyncGenerator<ProviderStreamEvent> {
    const tools = new Map<number, ToolState>();
    let nextIndex = 0;
    let textIndex = -1;
    let started = false;
    let finish: FinishReason | null = null;
    let usage: Usage | undefined;

    const endTools = function* (): Generator<ProviderStreamEvent> {
        for (const tool of tools.values()) {
            if (tool.ended) continue;
            tool.ended = true;
            yield {
                type: "tool_call_end",
                index: tool.index,
                arguments: parseToolArguments(provider, tool.name, tool.json),
            };
        }
    };

    for await (const chunk of chunks) {
        if (!started) {
            started = true;
            yield native
                ? {
                      type: "message_start",
                      model: chunk.model,
                      native: { protocol: "openai-chat", relayed: false },
                  }
                : { type: "message_start", model: chunk.model };
        }
        if (chunk.usage) usage = fromUsage(chunk.usage);
        const choice = (chunk.choices as ChatCompletionChunk.Choice[] | null | undefined)?.[0];
        if (!choice) continue;
        const { delta } = choice;
        if (typeof delta.content === "string" && delta.content !== "") {
            // Text after a tool call starts a new text part, so content order is kept.
            if (textIndex < 0 || textIndex !== nextIndex - 1) textIndex = nextIndex++;
            yield { type: "text_delta", index: textIndex, text: delta.content };
        }
        for (const fragment of delta.tool_calls ?? []) {
            let tool = tools.get(fragment.index);
            if (!tool) {
                const id = fragment.id;
                const name = fragment.function?.name;
                if (id === undefined || name === undefined || name === "") {
                    throw new ProviderError(
                        provider,
                        ErrorCode.ProviderStream,
                        `tool call ${fragment.index} started without id and name`,
                        {
                            retryable: true,
                        },
                    );
                }
                tool = { index: nextIndex++, id, name, json: "", ended: false };
                tools.set(fragment.index, tool);
                yield { type: "tool_call_start", index: tool.index, id, name };
            }
            const args = fragment.function?.arguments;
            if (args !== undefined && args !== "" && !tool.ended) {
                tool.json += args;
                yield { type: "tool_call_delta", index: tool.index, arguments_delta: args };
            }
        }
        if (choice.finish_reason !== null) finish = choice.finish_reason;
    }
    if (finish === null) {
        throwIfAborted(signal);
        throw new ProviderError(
            provider,
            ErrorCode.ProviderStream,
            "stream ended without a finish_reason (truncated)",
            {
                retryable: true,
            },
        );
    }
    yield* endTools();
    yield {
        type: "message_end",
        stop_reason: fromOpenAIFinishReason(finish, tools.size > 0),
        stop_sequence: null,
        usage: usage ?? { input_tokens: 0, output_tokens: 0 },
    };
}

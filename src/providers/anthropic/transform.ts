/**
 * Normalized format ↔ Anthropic Messages API (version 2026-10-21, @anthropic-ai/sdk 1.x), both
 * directions, streaming included. Known gateway failures this guards against, each with a test:
 * - one tool_use block producing two `content_block_stop` events (LiteLLM #37273: Claude Code ran the
 *   tool twice): a block ends once, repeated stops are dropped;
 * - `end_turn` reported for a turn that called tools (LiteLLM #34692): tool calls make it `tool_use`;
 * - a spurious empty leading text block: empty text never becomes a content part;
 * - tool input sent whole in `content_block_start` with no deltas (the args-lost bug, LiteLLM #25561):
 *   used when no `input_json_delta` arrives;
 * - stop sequences: always sent as `stop_sequences`, and `stop_sequence` is reported back.
 * Unknown event types (the SDK yields them since 0.136) and `ping` are ignored, as the API asks.
 */
import type {
    ContentBlock,
    ContentBlockParam,
    Message,
    MessageCreateParamsBase,
    MessageParam,
    RawMessageStreamEvent,
    StopReason as AnthropicStopReason,
    Tool,
    ToolChoice as AnthropicToolChoice,
} from "@anthropic-ai/sdk/resources/messages/messages";
import { ErrorCode } from "../../errors/codes.js";
import { partsOf } from "../../chat/messages.js";
import { throwIfAborted } from "../../util/abort.js";
import type {
    CompletionResult,
    ProviderStreamEvent,
    StopReason,
    TextPart,
    ToolCallPart,
    ToolChoice,
    Usage,
} from "../../chat/types.js";
import type { ProviderRequest } from "../Provider.js";
import { ProviderError } from "../ProviderError.js";
import { isPlainObject, parseToolArguments } from "../toolArguments.js";

/** The request body without `stream` (the provider adds it). */
export function toAnthropicParams(request: ProviderRequest): MessageCreateParamsBase {
    const params: MessageCreateParamsBase = {
        model: request.model,
        max_tokens: request.max_tokens,
        messages: request.messages.map(toAnthropicMessage),
    };
    if (request.system !== undefined && request.system !== "") params.system = request.system;
    if (request.stop !== undefined && request.stop.length > 0) params.stop_sequences = [...request.stop];
    // Structured output: json_schema only (AnthropicProvider.unsupported declines json_object).
    if (request.response_format?.type === "json_schema")
        params.output_config = { format: { type: "json_schema", schema: request.response_format.schema } };
    if (request.tools !== undefined && request.tools.length > 0) {
        params.tools = request.tools.map((tool): Tool => ({
            name: tool.name,
            ...(tool.description === undefined ? {} : { description: tool.description }),
            input_schema: { ...tool.input_schema, type: "object" },
        }));
        if (request.tool_choice !== undefined)
            params.tool_choice = toAnthropicToolChoice(request.tool_choice);
    }
    return params;
}

function toAnthropicToolChoice(choice: ToolChoice): AnthropicToolChoice {
    if (choice === "auto") return { type: "auto" };
    if (choice === "none") return { type: "none" };
    if (choice === "required") return { type: "any" };
    return { type: "tool", name: choice.name };
}

function toAnthropicMessage(message: ProviderRequest["messages"][number]): MessageParam {
    if (typeof message.content === "string") return { role: message.role, content: message.content };
    const blocks: ContentBlockParam[] = [];
    for (const part of partsOf(message)) {
        switch (part.type) {
            case "text":
                // The API rejects empty text blocks.
                if (part.text !== "") blocks.push({ type: "text", text: part.text });
                break;
            case "tool_call":
                blocks.push({ type: "tool_use", id: part.id, name: part.name, input: part.arguments });
                break;
            case "tool_result":
                blocks.push({
                    type: "tool_result",
                    tool_use_id: part.tool_call_id,
                    content: part.content,
                    ...(part.is_error === true ? { is_error: true } : {}),
                });
                break;
        }
    }
    return { role: message.role, content: blocks };
}

const stopReasonByAnthropic: Readonly<Record<AnthropicStopReason, StopReason>> = {
    end_turn: "end_turn",
    pause_turn: "end_turn",
    tool_use: "tool_use",
    max_tokens: "max_tokens",
    model_context_window_exceeded: "max_tokens",
    stop_sequence: "stop_sequence",
    refusal: "refusal",
};

/**
 * Anthropic stop reasons in the normalized vocabulary (types.ts StopReason). A reason newer than this
 * table reads as `end_turn`.
 */
export function fromAnthropicStopReason(
    reason: AnthropicStopReason | null,
    calledTools: boolean,
): StopReason {
    const normalized =
        reason === null
            ? "end_turn"
            : ((stopReasonByAnthropic[reason] as StopReason | undefined) ?? "end_turn");
    // A turn that called tools is a tool_use turn whatever was reported (LiteLLM #34692).
    return calledTools && normalized === "end_turn" ? "tool_use" : normalized;
}

interface AnthropicInputUsage {
    input_tokens: number | null;
    cache_read_input_tokens: number | null;
    cache_creation_input_tokens: number | null;
}

/**
 * Anthropic's prompt-token counts into `usage`: the total (Anthropic reports cache reads and cache writes
 * apart from `input_tokens`), and the cached shares where there are any (they are billed differently).
 */
function setInputTokens(usage: Usage, reported: AnthropicInputUsage): void {
    const read = reported.cache_read_input_tokens ?? 0;
    const written = reported.cache_creation_input_tokens ?? 0;
    usage.input_tokens = (reported.input_tokens ?? 0) + read + written;
    if (read > 0) usage.cache_read_input_tokens = read;
    if (written > 0) usage.cache_creation_input_tokens = written;
}

function usageOf(reported: AnthropicInputUsage & { output_tokens: number }): Usage {
    const usage: Usage = { input_tokens: 0, output_tokens: reported.output_tokens };
    setInputTokens(usage, reported);
    return usage;
}

/** A unary response, normalized. */
export function fromAnthropicMessage(provider: string, message: Message): CompletionResult {
    if (!Array.isArray(message.content) || typeof message.usage !== "object") {
        throw new ProviderError(
            provider,
            ErrorCode.ProviderStream,
            "malformed response: no content or usage",
            { retryable: true },
        );
    }
    const content: (TextPart | ToolCallPart)[] = [];
    for (const block of message.content as readonly ContentBlock[]) {
        if (block.type === "text") {
            if (block.text !== "") content.push({ type: "text", text: block.text });
        } else if (block.type === "tool_use") {
            if (!isPlainObject(block.input)) {
                throw new ProviderError(
                    provider,
                    ErrorCode.ProviderStream,
                    `tool "${block.name}" input is not an object`,
                    {
                        retryable: true,
                    },
                );
            }
            content.push({ type: "tool_call", id: block.id, name: block.name, arguments: block.input });
        }
        // thinking, redacted_thinking and server-tool blocks have no normalized form and are dropped.
    }
    const calledTools = content.some((p) => p.type === "tool_call");
    return {
        content,
        stop_reason: fromAnthropicStopReason(message.stop_reason, calledTools),
        stop_sequence: message.stop_sequence,
        usage: usageOf(message.usage),
        model: message.model,
    };
}

interface BlockState {
    kind: "text" | "tool" | "other";
    /** Normalized content index; -1 until the block produced something (empty text blocks never do). */
    index: number;
    id: string;
    name: string;
    json: string;
    /** Input sent whole in content_block_start (used only when no delta arrives). */
    startInput: Record<string, unknown> | undefined;
    stopped: boolean;
}

/**
 * Translates the SDK's stream events into normalized events; `relay`: each SDK event is also yielded as
 * a `native` event (ProviderStreamEvent), before the normalized ones it produced. Throws E_PROVIDER_STREAM when the events
 * end before `message_stop` (a truncated stream), and the signal's AbortedError when the events ended
 * because of our abort (the SDK ends the iteration silently when its request is aborted).
 */
export async function* fromAnthropicStream(
    provider: string,
    events: AsyncIterable<RawMessageStreamEvent>,
    signal: AbortSignal,
    relay = false,
): AsyncGenerator<ProviderStreamEvent> {
    const blocks = new Map<number, BlockState>();
    let nextIndex = 0;
    let calledTools = false;
    let started = false;
    let stopReason: AnthropicStopReason | null = null;
    let stopSequence: string | null = null;
    const usage: Usage = { input_tokens: 0, output_tokens: 0 };

    const closeTool = (block: BlockState): ProviderStreamEvent => {
        block.stopped = true;
        return {
            type: "tool_call_end",
            index: block.index,
            arguments: parseToolArguments(provider, block.name, block.json, block.startInput),
        };
    };

    for await (const event of events) {
        // Relayed: each event of the API's own stream first (message_start after the normalized one,
        // which every stream starts with), then what it means in the normalized form.
        if (relay && event.type !== "message_start")
            // A block's start carries no output yet (the first token commits the stream), nor a ping (which
            // the SDK drops, but an SDK that passed it on must not commit either).
            yield {
                type: "native",
                event: event.type,
                data: event,
                output: event.type !== "content_block_start" && (event.type as string) !== "ping",
            };
        switch (event.type) {
            case "message_start": {
                if (started) break;
                started = true;
                setInputTokens(usage, event.message.usage);
                usage.output_tokens = event.message.usage.output_tokens;
                if (!relay) {
                    yield { type: "message_start", model: event.message.model };
                    break;
                }
                yield {
                    type: "message_start",
                    model: event.message.model,
                    native: { protocol: "anthropic-messages", relayed: true },
                };
                yield { type: "native", event: event.type, data: event, output: false };
                break;
            }
            case "content_block_start": {
                if (blocks.has(event.index)) break; // a repeated start is a duplicate; the block exists
                const block = event.content_block;
                const state: BlockState = {
                    kind: block.type === "text" ? "text" : block.type === "tool_use" ? "tool" : "other",
                    index: -1,
                    id: "",
                    name: "",
                    json: "",
                    startInput: undefined,
                    stopped: false,
                };
                blocks.set(event.index, state);
                if (block.type === "text" && block.text !== "") {
                    state.index = nextIndex++;
                    yield { type: "text_delta", index: state.index, text: block.text };
                } else if (block.type === "tool_use") {
                    state.index = nextIndex++;
                    state.id = block.id;
                    state.name = block.name;
                    if (isPlainObject(block.input) && Object.keys(block.input).length > 0)
                        state.startInput = block.input;
                    calledTools = true;
                    yield { type: "tool_call_start", index: state.index, id: block.id, name: block.name };
                }
                break;
            }
            case "content_block_delta": {
                const state = blocks.get(event.index);
                if (!state || state.stopped) break;
                const delta = event.delta;
                if (delta.type === "text_delta" && state.kind === "text" && delta.text !== "") {
                    if (state.index < 0) state.index = nextIndex++;
                    yield { type: "text_delta", index: state.index, text: delta.text };
                } else if (
                    delta.type === "input_json_delta" &&
                    state.kind === "tool" &&
                    delta.partial_json !== ""
                ) {
                    state.json += delta.partial_json;
                    yield {
                        type: "tool_call_delta",
                        index: state.index,
                        arguments_delta: delta.partial_json,
                    };
                }
                // thinking, signature and citations deltas have no normalized form.
                break;
            }
            case "content_block_stop": {
                const state = blocks.get(event.index);
                // One end per block: a second stop for the same block is dropped (LiteLLM #37273).
                if (state?.kind === "tool" && !state.stopped) yield closeTool(state);
                else if (state) state.stopped = true;
                break;
            }
            case "message_delta": {
                if (event.delta.stop_reason !== null) stopReason = event.delta.stop_reason;
                if (event.delta.stop_sequence !== null) stopSequence = event.delta.stop_sequence;
                // message_delta usage is cumulative.
                usage.output_tokens = event.usage.output_tokens;
                if (event.usage.input_tokens !== null) setInputTokens(usage, event.usage);
                break;
            }
            case "message_stop": {
                if (!started) {
                    throw new ProviderError(
                        provider,
                        ErrorCode.ProviderStream,
                        "message_stop before message_start",
                        {
                            retryable: true,
                        },
                    );
                }
                // Lenient about a missing content_block_stop: the tool call still ends exactly once.
                for (const state of blocks.values())
                    if (state.kind === "tool" && !state.stopped) yield closeTool(state);
                const stop_reason = fromAnthropicStopReason(stopReason, calledTools);
                yield {
                    type: "message_end",
                    stop_reason,
                    stop_sequence: stop_reason === "stop_sequence" ? stopSequence : null,
                    usage,
                };
                return;
            }
            default:
                // ping and event types newer than this code.
                break;
        }
    }
    throwIfAborted(signal);
    throw new ProviderError(
        provider,
        ErrorCode.ProviderStream,
        "stream ended before message_stop (truncated)",
        {
            retryable: true,
        },
    );
}

/**
 * Normalized format ↔ OpenAI Responses API (`POST /v1/responses`, the `openai` SDK's `responses.create`),
 * both directions, streaming included: the wire OpenAI's Codex models take (GPT-5-Codex and its
 * successors are served by the Responses API only; Chat Completions refuses them). Where the two differ:
 * - the system prompt is `instructions`; turns are `input` items: messages, `function_call` items for the
 *   assistant's tool calls, `function_call_output` items for their results;
 * - requests are sent with `store: false`: the router is stateless and the answer's own id is never
 *   reused (a caller that wants storage sends its own body, which goes on as it is: ../nativeBody.ts);
 * - the API has no stop sequences (a request with them is unsupported here, not sent without them), no
 *   seed, penalties or top_k (not sent: as far as the API takes them, as on Anthropic);
 * - an answer's reasoning items have no normalized form (dropped here; relayed to a Responses caller);
 * - `status: "incomplete"` is `max_tokens` (the output cap) or `refusal` (content filter).
 */
import type {
    FunctionTool,
    Response,
    ResponseCreateParamsBase,
    ResponseInputItem,
    ResponseStreamEvent,
    ResponseUsage,
    ToolChoiceFunction,
    ToolChoiceOptions,
} from "openai/resources/responses/responses";
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
import { parseToolArguments } from "../toolArguments.js";

/** The request body without `stream` (the provider adds it). */
export function toResponsesParams(request: ProviderRequest): ResponseCreateParamsBase {
    const input: ResponseInputItem[] = [];
    for (const message of request.messages) {
        if (typeof message.content === "string") {
            input.push({ role: message.role, content: message.content });
            continue;
        }
        for (const part of partsOf(message)) {
            switch (part.type) {
                case "text":
                    if (part.text !== "") input.push({ role: message.role, content: part.text });
                    break;
                case "tool_call":
                    input.push({
                        type: "function_call",
                        call_id: part.id,
                        name: part.name,
                        arguments: JSON.stringify(part.arguments),
                    });
                    break;
                case "tool_result":
                    input.push({
                        type: "function_call_output",
                        call_id: part.tool_call_id,
                        output: part.content,
                    });
                    break;
            }
        }
    }
    const params: ResponseCreateParamsBase = {
        model: request.model,
        input,
        max_output_tokens: request.max_tokens,
        store: false,
    };
    if (request.system !== undefined && request.system !== "") params.instructions = request.system;
    if (request.temperature !== undefined) params.temperature = request.temperature;
    if (request.top_p !== undefined) params.top_p = request.top_p;
    const format = request.response_format;
    if (format?.type === "json_object") params.text = { format: { type: "json_object" } };
    else if (format?.type === "json_schema")
        params.text = {
            format: {
                type: "json_schema",
                name: format.name ?? "response",
                schema: format.schema,
                ...(format.strict !== undefined && { strict: format.strict }),
            },
        };
    if (request.tools !== undefined && request.tools.length > 0) {
        params.tools = request.tools.map((tool): FunctionTool => ({
            type: "function",
            name: tool.name,
            description: tool.description ?? null,
            parameters: tool.input_schema,
            strict: false,
        }));
        if (request.tool_choice !== undefined) params.tool_choice = toToolChoice(request.tool_choice);
    }
    return params;
}

function toToolChoice(choice: ToolChoice): ToolChoiceOptions | ToolChoiceFunction {
    return typeof choice === "string" ? choice : { type: "function", name: choice.name };
}

function fromUsage(usage: ResponseUsage | null | undefined): Usage {
    const out: Usage = { input_tokens: usage?.input_tokens ?? 0, output_tokens: usage?.output_tokens ?? 0 };
    // A compatible server may leave the details out (the SDK's type says they are always there).
    const details: Partial<ResponseUsage.InputTokensDetails> | undefined = usage?.input_tokens_details;
    const cached = details?.cached_tokens ?? 0;
    if (cached > 0) out.cache_read_input_tokens = cached;
    return out;
}

/** The answer's stop reason from its status; a turn that called tools is a tool_use turn. */
function stopReasonOf(response: Response, calledTools: boolean, refused: boolean): StopReason {
    if (response.status === "incomplete")
        return response.incomplete_details?.reason === "content_filter" ? "refusal" : "max_tokens";
    if (refused) return "refusal";
    return calledTools ? "tool_use" : "end_turn";
}

/** An answer the API could not give (`status: "failed"`, or an `error` event) as a provider failure. */
function failed(provider: string, message: string): ProviderError {
    return new ProviderError(provider, ErrorCode.ProviderStream, message, { retryable: true });
}

/** A unary response, normalized. */
export function fromResponse(provider: string, response: Response): CompletionResult {
    if (!Array.isArray(response.output)) throw failed(provider, "malformed response: no output");
    if (response.status === "failed")
        throw failed(provider, `response failed: ${response.error?.message ?? "no reason given"}`);
    const content: (TextPart | ToolCallPart)[] = [];
    let refused = false;
    for (const item of response.output) {
        if (item.type === "message") {
            for (const part of item.content) {
                if (part.type === "refusal") refused = true;
                else if (part.text !== "") {
                    const last = content.at(-1);
                    if (last?.type === "text") last.text += part.text;
                    else content.push({ type: "text", text: part.text });
                }
            }
        } else if (item.type === "function_call") {
            content.push({
                type: "tool_call",
                id: item.call_id,
                name: item.name,
                arguments: parseToolArguments(provider, item.name, item.arguments),
            });
        }
        // reasoning and built-in tool items have no normalized form.
    }
    const calledTools = content.some((p) => p.type === "tool_call");
    return {
        content,
        stop_reason: stopReasonOf(response, calledTools, refused),
        stop_sequence: null,
        usage: fromUsage(response.usage),
        model: response.model,
    };
}

interface CallState {
    index: number;
    name: string;
    json: string;
    ended: boolean;
}

/** Events that carry no output: they do not commit a relayed stream to its attempt. */
const withoutOutput = new Set([
    "response.created",
    "response.queued",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
]);

/**
 * Translates the SDK's Responses stream events into normalized events; `relay`: each event is also
 * yielded as a `native` event, before the normalized ones it produced (response.created after the
 * normalized message_start, which every stream starts with). Throws E_PROVIDER_STREAM on a failed
 * response, an `error` event, or events that end before the response completes, and the signal's
 * AbortedError when they ended because of our abort.
 */
export async function* fromResponsesStream(
    provider: string,
    events: AsyncIterable<ResponseStreamEvent>,
    signal: AbortSignal,
    relay = false,
): AsyncGenerator<ProviderStreamEvent> {
    const calls = new Map<number, CallState>();
    let nextIndex = 0;
    /** The normalized index of the text part being written, and the output item it belongs to. */
    let text: { index: number; outputIndex: number } | undefined;
    let started = false;
    let refused = false;

    const start = (model: string): ProviderStreamEvent =>
        relay
            ? { type: "message_start", model, native: { protocol: "openai-responses", relayed: true } }
            : { type: "message_start", model };

    for await (const event of events) {
        if (!started) {
            started = true;
            yield start(event.type === "response.created" ? event.response.model : "");
        }
        if (relay)
            yield { type: "native", event: event.type, data: event, output: !withoutOutput.has(event.type) };
        switch (event.type) {
            case "response.output_item.added": {
                const item = event.item;
                if (item.type === "function_call" && !calls.has(event.output_index)) {
                    const call: CallState = { index: nextIndex++, name: item.name, json: "", ended: false };
                    calls.set(event.output_index, call);
                    yield { type: "tool_call_start", index: call.index, id: item.call_id, name: item.name };
                }
                break;
            }
            case "response.output_text.delta": {
                if (event.delta === "") break;
                if (text?.outputIndex !== event.output_index || text.index !== nextIndex - 1)
                    text = { index: nextIndex++, outputIndex: event.output_index };
                yield { type: "text_delta", index: text.index, text: event.delta };
                break;
            }
            case "response.refusal.delta":
                refused = true;
                break;
            case "response.function_call_arguments.delta": {
                const call = calls.get(event.output_index);
                if (!call || call.ended || event.delta === "") break;
                call.json += event.delta;
                yield { type: "tool_call_delta", index: call.index, arguments_delta: event.delta };
                break;
            }
            case "response.output_item.done": {
                const call = calls.get(event.output_index);
                if (!call || call.ended || event.item.type !== "function_call") break;
                call.ended = true;
                // The item's arguments are the whole JSON; the deltas, only what was streamed.
                const json = event.item.arguments !== "" ? event.item.arguments : call.json;
                yield {
                    type: "tool_call_end",
                    index: call.index,
                    arguments: parseToolArguments(provider, call.name, json),
                };
                break;
            }
            case "response.completed":
            case "response.incomplete": {
                for (const call of calls.values()) {
                    if (call.ended) continue;
                    call.ended = true;
                    yield {
                        type: "tool_call_end",
                        index: call.index,
                        arguments: parseToolArguments(provider, call.name, call.json),
                    };
                }
                yield {
                    type: "message_end",
                    stop_reason: stopReasonOf(event.response, calls.size > 0, refused),
                    stop_sequence: null,
                    usage: fromUsage(event.response.usage),
                };
                return;
            }
            case "response.failed":
                throw failed(
                    provider,
                    `response failed: ${event.response.error?.message ?? "no reason given"}`,
                );
            case "error":
                throw failed(provider, `stream error: ${event.message}`);
            default:
                // Reasoning, built-in tools, annotations and events newer than this code.
                break;
        }
    }
    throwIfAborted(signal);
    throw failed(provider, "stream ended before response.completed (truncated)");
}

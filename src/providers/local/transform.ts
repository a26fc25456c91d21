/**
 * Normalized format ↔ tiercel's gRPC API (proto/tiercel/v1/inference.proto). The local tier renders
 * `messages` and `tools` with its model's chat template on the server and parses tool calls back in the
 * model's call syntax: tool calls of earlier turns travel as the assistant message's `tool_calls`, tool
 * results as `tool` messages, and the answer's calls come back as `tool_call` parts (stop reason
 * `tool_use`). `response_format` and a forced tool choice are enforced by the server's grammar (what it
 * cannot enforce comes back as INVALID_ARGUMENT naming it).
 * A `completion` goes as the raw `prompt` (and `suffix`: fill-in-the-middle in the target's FIM layout)
 * with no chat template.
 */
import type { ChatMessage as ProtoChatMessage } from "../../grpc/generated/tiercel/v1/ChatMessage.js";
import type { ToolCall__Output } from "../../grpc/generated/tiercel/v1/ToolCall.js";
import type { FinishReason__Output } from "../../grpc/generated/tiercel/v1/FinishReason.js";
import type { GenerateRequest } from "../../grpc/generated/tiercel/v1/GenerateRequest.js";
import type { GenerateResponse__Output } from "../../grpc/generated/tiercel/v1/GenerateResponse.js";
import type { GenerationStats__Output } from "../../grpc/generated/tiercel/v1/GenerationStats.js";
import type { Usage__Output } from "../../grpc/generated/tiercel/v1/Usage.js";
import { partsOf } from "../../chat/messages.js";
import type {
    ChatMessage,
    CompletionResult,
    GenerationSignals,
    StopReason,
    ToolCallPart,
    ToolChoice,
    Usage,
} from "../../chat/types.js";
import type { ProviderRequest } from "../Provider.js";

export function toGenerateRequest(request: ProviderRequest): GenerateRequest {
    const out: GenerateRequest = { model: request.model, max_tokens: request.max_tokens };
    const completion = request.completion;
    if (completion !== undefined) {
        out.prompt = completion.prompt;
        if (completion.suffix !== undefined) out.suffix = completion.suffix;
    } else {
        const messages: ProtoChatMessage[] = [];
        if (request.system !== undefined && request.system !== "")
            messages.push({ role: "system", content: request.system });
        for (const message of request.messages) messages.push(...toProtoMessages(message));
        out.messages = messages;
    }
    if (request.tools !== undefined && request.tools.length > 0) {
        out.tools = request.tools.map((t) => ({
            name: t.name,
            description: t.description ?? "",
            parameters_json: JSON.stringify(t.input_schema),
        }));
        out.tool_choice = toProtoToolChoice(request.tool_choice ?? "auto");
    }
    if (request.temperature !== undefined) out.temperature = request.temperature;
    if (request.top_p !== undefined) out.top_p = request.top_p;
    if (request.top_k !== undefined) out.top_k = request.top_k;
    if (request.seed !== undefined) out.seed = request.seed;
    if (request.presence_penalty !== undefined) out.presence_penalty = request.presence_penalty;
    if (request.frequency_penalty !== undefined) out.frequency_penalty = request.frequency_penalty;
    if (request.stop !== undefined && request.stop.length > 0) out.stop = [...request.stop];
    const session = request.hints?.session_id;
    if (session !== undefined) out.session_id = session;
    const scope = request.hints?.cache_scope;
    if (scope !== undefined) out.cache_scope = scope;
    if (request.confidence === true) out.return_confidence = true;
    const format = request.response_format;
    if (format !== undefined)
        out.response_format =
            format.type === "json_object"
                ? { json_object: true }
                : { json_schema: JSON.stringify(format.schema) };
    return out;
}

/**
 * One normalized message as wire messages: an assistant turn with its text and `tool_calls`; a user turn's
 * tool results as `tool` messages (a failed tool's output marked as an error), then its text, if any.
 */
export function toProtoMessages(message: ChatMessage): ProtoChatMessage[] {
    const parts = partsOf(message);
    const text = parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("\n");
    if (message.role === "assistant") {
        const calls = parts.flatMap((p) =>
            p.type === "tool_call"
                ? [{ id: p.id, name: p.name, arguments_json: JSON.stringify(p.arguments) }]
                : [],
        );
        return [{ role: "assistant", content: text, ...(calls.length > 0 && { tool_calls: calls }) }];
    }
    const out: ProtoChatMessage[] = parts.flatMap((p) =>
        p.type === "tool_result"
            ? [
                  {
                      role: "tool",
                      tool_call_id: p.tool_call_id,
                      content: p.is_error === true ? `[error] ${p.content}` : p.content,
                  },
              ]
            : [],
    );
    if (text !== "" || out.length === 0) out.push({ role: "user", content: text });
    return out;
}

/** The wire's tool_choice: "" is auto. */
function toProtoToolChoice(choice: ToolChoice): string {
    if (choice === "auto") return "";
    return typeof choice === "string" ? choice : choice.name;
}

/** A generated call as a normalized part; the server sends only calls whose arguments parsed. */
export function fromProtoToolCall(call: ToolCall__Output): ToolCallPart {
    return {
        type: "tool_call",
        id: call.id,
        name: call.name,
        arguments: parseArguments(call.arguments_json),
    };
}

/** A call's arguments object; `{}` when there were none. */
export function parseArguments(json: string): Record<string, unknown> {
    if (json === "") return {};
    const value = JSON.parse(json) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : {};
}

/**
 * The server reports that a stop string ended generation but not which one; with a single stop
 * sequence it can only be that one.
 */
export function fromFinishReason(
    reason: FinishReason__Output,
    stop: readonly string[] | undefined,
): { stop_reason: StopReason; stop_sequence: string | null } | undefined {
    switch (reason) {
        case "FINISH_REASON_EOS":
            return { stop_reason: "end_turn", stop_sequence: null };
        case "FINISH_REASON_LENGTH":
            return { stop_reason: "max_tokens", stop_sequence: null };
        case "FINISH_REASON_STOP_SEQUENCE":
            return { stop_reason: "stop_sequence", stop_sequence: stop?.length === 1 ? stop[0]! : null };
        case "FINISH_REASON_TOOL_CALLS":
            return { stop_reason: "tool_use", stop_sequence: null };
        case "FINISH_REASON_UNSPECIFIED":
            return undefined;
    }
}

/**
 * The server's usage; with its stats, the prompt tokens whose KV cache the sequence reused count as cache
 * reads (the same thing a hosted provider's prompt cache reports), so an agent's usage display and the
 * router's cost see the local tier's prefix reuse.
 */
export function fromProtoUsage(usage: Usage__Output | null, stats?: GenerationStats__Output | null): Usage {
    return {
        input_tokens: usage?.prompt_tokens ?? 0,
        output_tokens: usage?.completion_tokens ?? 0,
        ...(stats && { cache_read_input_tokens: stats.prompt_tokens_reused }),
    };
}

/** The stats a cascade reads; undefined when the server sent none. */
export function fromProtoStats(stats: GenerationStats__Output | null): GenerationSignals | undefined {
    if (stats === null) return undefined;
    return {
        acceptance_rate: stats.drafted_tokens > 0 ? stats.acceptance_rate : null,
        drafted_tokens: stats.drafted_tokens,
        mean_logprob: stats.mean_logprob ?? null,
        min_logprob: stats.min_logprob ?? null,
    };
}

export function fromGenerateResponse(
    response: GenerateResponse__Output,
    request: ProviderRequest,
    model: string,
): CompletionResult | undefined {
    const finish = fromFinishReason(response.finish_reason, request.stop);
    if (!finish) return undefined;
    return {
        content: [
            ...(response.text === "" ? [] : [{ type: "text" as const, text: response.text }]),
            ...response.tool_calls.map(fromProtoToolCall),
        ],
        ...finish,
        usage: fromProtoUsage(response.usage, response.stats),
        model,
        ...signalsOf(response.stats),
    };
}

/** `{ signals }` when the server sent stats, else nothing (spread into results and events). */
export function signalsOf(stats: GenerationStats__Output | null): { signals?: GenerationSignals } {
    const signals = fromProtoStats(stats);
    return signals ? { signals } : {};
}

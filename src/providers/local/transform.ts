/**
 * Normalized format ↔ tiercel's gRPC API (proto/tiercel/v1/inference.proto). The local tier renders
 * `messages` with its model's chat template on the server; it has no tool calling, so tool calls and
 * results in the history are rendered as text, and requests that offer tools are not sent here (the
 * provider reports them unsupported). `response_format` is enforced by the server's grammar (the schema
 * keywords it cannot enforce come back as INVALID_ARGUMENT naming them). A `completion` goes as the raw
 * `prompt` (and `suffix`: fill-in-the-middle in the target's FIM layout) with no chat template.
 */
import type { ChatMessage as ProtoChatMessage } from "../../grpc/generated/tiercel/v1/ChatMessage.js";
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
    Usage,
} from "../../chat/types.js";
import type { ProviderRequest } from "../Provider.js";

export function toGenerateRequest(request: ProviderRequest): GenerateRequest {
    const out: GenerateRequest = { model: request.model, max_tokens: request.max_tokens };
    const completion = request.completion;
    if (completion !== undefined) {
        out.prompt = completion.prompt;
        if (completion.suffix !== undefined) out.suffix = completion.suffix;
        if (completion.top_p !== undefined) out.top_p = completion.top_p;
        if (completion.seed !== undefined) out.seed = completion.seed;
    } else {
        const messages: ProtoChatMessage[] = [];
        if (request.system !== undefined && request.system !== "")
            messages.push({ role: "system", content: request.system });
        for (const message of request.messages)
            messages.push({ role: message.role, content: renderContent(message) });
        out.messages = messages;
    }
    if (request.temperature !== undefined) out.temperature = request.temperature;
    if (request.stop !== undefined && request.stop.length > 0) out.stop = [...request.stop];
    const session = request.hints?.session_id;
    if (session !== undefined) out.session_id = session;
    if (request.confidence === true) out.return_confidence = true;
    const format = request.response_format;
    if (format !== undefined)
        out.response_format =
            format.type === "json_object"
                ? { json_object: true }
                : { json_schema: JSON.stringify(format.schema) };
    return out;
}

/** A message as plain text; tool calls and results become bracketed lines the model can read. */
export function renderContent(message: ChatMessage): string {
    if (typeof message.content === "string") return message.content;
    const lines: string[] = [];
    for (const part of partsOf(message)) {
        switch (part.type) {
            case "text":
                lines.push(part.text);
                break;
            case "tool_call":
                lines.push(`[tool call ${part.name} ${JSON.stringify(part.arguments)}]`);
                break;
            case "tool_result":
                lines.push(`[tool result${part.is_error === true ? " (error)" : ""}]\n${part.content}`);
                break;
        }
    }
    return lines.join("\n");
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
        case "FINISH_REASON_UNSPECIFIED":
            return undefined;
    }
}

export function fromProtoUsage(usage: Usage__Output | null): Usage {
    return { input_tokens: usage?.prompt_tokens ?? 0, output_tokens: usage?.completion_tokens ?? 0 };
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
        content: response.text === "" ? [] : [{ type: "text", text: response.text }],
        ...finish,
        usage: fromProtoUsage(response.usage),
        model,
        ...signalsOf(response.stats),
    };
}

/** `{ signals }` when the server sent stats, else nothing (spread into results and events). */
export function signalsOf(stats: GenerationStats__Output | null): { signals?: GenerationSignals } {
    const signals = fromProtoStats(stats);
    return signals ? { signals } : {};
}

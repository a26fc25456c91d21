/**
 * proto ↔ domain mapping, pure. Requests are checked here only for what the wire format can get wrong
 * (prompt vs messages, roles, enum values, empty stop strings, fields that belong together); everything
 * about the models and the numbers (model and draft ids, ranges, context fit) is the engine's to check
 * (engine/resolveRequest.ts), so every caller gets one rule and one message. Every message says what to
 * change.
 */
import type { SpeculationMode } from "../config/schema.js";
import type { ModelInfo } from "../engine/LocalEngine.js";
import type { DraftMode } from "../engine/loadModels.js";
import {
    chatRoles,
    type ChatMessage,
    type ChatRole,
    type FinishReason,
    type ToolCall,
    type ToolCallDelta,
    type ToolChoice,
    type ToolDefinition,
    type GenerateChunk as EngineChunk,
    type GenerateRequest as EngineRequest,
    type GenerationStats as EngineStats,
    type ResponseFormat,
    type SpeculationOptions as EngineSpeculation,
} from "../engine/types.js";
import type { CompatibilityVerdict } from "../engine/vocabTypes.js";
import { InvalidArgumentError } from "../errors/ServiceError.js";
import type { ChatMessage__Output } from "./generated/tiercel/v1/ChatMessage.js";
import type { DraftMode as ProtoDraftMode } from "./generated/tiercel/v1/DraftMode.js";
import type { CompatibilityVerdict as ProtoVerdict } from "./generated/tiercel/v1/CompatibilityVerdict.js";
import type { FinishReason as ProtoFinishReason } from "./generated/tiercel/v1/FinishReason.js";
import type { GenerateChunk } from "./generated/tiercel/v1/GenerateChunk.js";
import type { GenerateRequest__Output } from "./generated/tiercel/v1/GenerateRequest.js";
import type { GenerationStats } from "./generated/tiercel/v1/GenerationStats.js";
import type { ModelInfo as ProtoModelInfo } from "./generated/tiercel/v1/ModelInfo.js";
import type { ResponseFormat__Output } from "./generated/tiercel/v1/ResponseFormat.js";
import type { SpeculationMode as ProtoSpeculationMode } from "./generated/tiercel/v1/SpeculationMode.js";
import type { SpeculationOptions__Output } from "./generated/tiercel/v1/SpeculationOptions.js";
import type { TokenizeRequest__Output } from "./generated/tiercel/v1/TokenizeRequest.js";
import type { Tool__Output as ProtoTool } from "./generated/tiercel/v1/Tool.js";
import type { ToolCall as ProtoToolCall } from "./generated/tiercel/v1/ToolCall.js";
import type { ToolCallDelta as ProtoToolCallDelta } from "./generated/tiercel/v1/ToolCallDelta.js";
import type { Usage } from "./generated/tiercel/v1/Usage.js";

const modeByProto: Readonly<Record<string, SpeculationMode | undefined>> = {
    SPECULATION_MODE_UNSPECIFIED: undefined,
    SPECULATION_MODE_AUTO: "auto",
    SPECULATION_MODE_OFF: "off",
    SPECULATION_MODE_DRAFT_MODEL: "draft_model",
    SPECULATION_MODE_NGRAM: "ngram",
    SPECULATION_MODE_SUFFIX: "suffix",
};

const protoByMode = {
    auto: "SPECULATION_MODE_AUTO",
    off: "SPECULATION_MODE_OFF",
    draft_model: "SPECULATION_MODE_DRAFT_MODEL",
    ngram: "SPECULATION_MODE_NGRAM",
    suffix: "SPECULATION_MODE_SUFFIX",
} as const satisfies Record<SpeculationMode, ProtoSpeculationMode>;

const protoByFinishReason = {
    eos: "FINISH_REASON_EOS",
    stop_sequence: "FINISH_REASON_STOP_SEQUENCE",
    length: "FINISH_REASON_LENGTH",
    tool_calls: "FINISH_REASON_TOOL_CALLS",
} as const satisfies Record<FinishReason, ProtoFinishReason>;

const protoByVerdict = {
    identical: "COMPATIBILITY_VERDICT_IDENTICAL",
    compatible: "COMPATIBILITY_VERDICT_COMPATIBLE",
    incompatible: "COMPATIBILITY_VERDICT_INCOMPATIBLE",
} as const satisfies Record<CompatibilityVerdict, ProtoVerdict>;

const protoByDraftMode = {
    direct: "DRAFT_MODE_DIRECT",
    translated: "DRAFT_MODE_TRANSLATED",
} as const satisfies Record<DraftMode, ProtoDraftMode>;

/**
 * Enum fields arrive as names, or as numbers when the client sent a value this server does not know
 * (a newer client, or a typo'd number): both are checked against the table.
 */
export function toSpeculationMode(value: unknown): SpeculationMode | undefined {
    if (typeof value === "string" && Object.hasOwn(modeByProto, value)) return modeByProto[value];
    throw new InvalidArgumentError(
        `unknown speculation mode ${JSON.stringify(value)}; use SPECULATION_MODE_AUTO, SPECULATION_MODE_OFF, SPECULATION_MODE_DRAFT_MODEL, SPECULATION_MODE_NGRAM or SPECULATION_MODE_SUFFIX (or leave it unset for the server default)`,
    );
}

/** Wire shape only: known roles, tool fields on the roles they belong to; ids are the engine's to match. */
function toChatMessages(messages: readonly ChatMessage__Output[]): ChatMessage[] {
    return messages.map((m, i): ChatMessage => {
        if (!(chatRoles as readonly string[]).includes(m.role)) {
            throw new InvalidArgumentError(
                `messages[${i}].role must be "system", "user", "assistant" or "tool", got ${JSON.stringify(m.role)}`,
            );
        }
        const role = m.role as ChatRole;
        if (m.tool_calls.length > 0 && role !== "assistant")
            throw new InvalidArgumentError(
                `messages[${i}].tool_calls is only for assistant messages; move the calls to an assistant message`,
            );
        if ((m.tool_call_id !== "" || m.name !== "") && role !== "tool")
            throw new InvalidArgumentError(
                `messages[${i}].tool_call_id and name are only for tool messages; remove them or set role "tool"`,
            );
        switch (role) {
            case "assistant":
                return m.tool_calls.length === 0
                    ? { role, content: m.content }
                    : { role, content: m.content, toolCalls: m.tool_calls.map(fromProtoToolCall) };
            case "tool":
                if (m.tool_call_id === "")
                    throw new InvalidArgumentError(
                        `messages[${i}].tool_call_id is required on tool messages: the id of the call this result answers`,
                    );
                return {
                    role,
                    content: m.content,
                    toolCallId: m.tool_call_id,
                    ...(m.name !== "" && { name: m.name }),
                };
            default:
                return { role, content: m.content };
        }
    });
}

function fromProtoToolCall(call: ProtoToolCall): ToolCall {
    return { id: call.id ?? "", name: call.name ?? "", argumentsJson: call.arguments_json ?? "" };
}

function fromProtoTool(tool: ProtoTool): ToolDefinition {
    return { name: tool.name, description: tool.description, parametersJson: tool.parameters_json };
}

/** "" = auto; names are the engine's to check against the tools (engine/resolveTools.ts). */
function toToolChoice(choice: string): ToolChoice | undefined {
    if (choice === "") return undefined;
    if (choice === "none" || choice === "required") return choice;
    return { name: choice };
}

interface PromptInput {
    prompt?: string;
    messages?: ChatMessage[];
}

function toPrompt(
    text: string,
    messages: readonly ChatMessage__Output[],
    textField: string,
    required: boolean,
): PromptInput {
    if (text !== "" && messages.length > 0) {
        throw new InvalidArgumentError(
            `set either ${textField} or messages, not both: ${textField} is a raw completion, messages a chat`,
        );
    }
    if (messages.length > 0) return { messages: toChatMessages(messages) };
    if (required && text === "") {
        throw new InvalidArgumentError(
            `${textField} or messages is required: ${textField} for a raw completion, messages for a chat`,
        );
    }
    return { prompt: text };
}

/** The wire's map (keys arrive as strings) → token id → logit offset; ranges are the engine's to check. */
function toLogitBias(bias: Readonly<Record<number, number>>): Map<number, number> {
    return new Map(Object.entries(bias).map(([token, value]) => [Number(token), value]));
}

/** A fill-in-the-middle request's prefix: `prompt` text, possibly empty; never `messages`. */
function toInfillPrompt(request: GenerateRequest__Output): PromptInput {
    if (request.messages.length > 0) {
        throw new InvalidArgumentError(
            "suffix (fill-in-the-middle) takes the text before the cursor as prompt, not messages; send prompt, or leave suffix unset for a chat",
        );
    }
    return { prompt: request.prompt };
}

/** The wire's oneof → the engine's format; the schema itself is the engine's to check (ResponseGrammars.ts). */
function toResponseFormat(format: ResponseFormat__Output | null): ResponseFormat | undefined {
    if (format === null) return undefined;
    if (format.format === "json_schema") return { type: "json_schema", schema: format.json_schema ?? "" };
    if (format.format === "json_object" && format.json_object === true) return { type: "json_object" };
    throw new InvalidArgumentError(
        "response_format is set without a format; set json_schema (a JSON Schema as JSON text) or json_object: true, or leave response_format unset for free text",
    );
}

/** The draft id and its range are the engine's to check (engine/resolveRequest.ts). */
function toSpeculation(options: SpeculationOptions__Output | null): EngineSpeculation | undefined {
    if (options === null) return undefined;
    return {
        mode: toSpeculationMode(options.mode),
        draftModel: options.draft_model === "" ? undefined : options.draft_model,
        maxDraftTokens: options.max_draft_tokens,
    };
}

/** Checks a GenerateRequest's wire shape and maps it to the engine's request. */
export function toEngineRequest(request: GenerateRequest__Output): EngineRequest {
    request.stop.forEach((s, i) => {
        if (s === "") throw new InvalidArgumentError(`stop[${i}] is an empty string; remove it`);
    });
    const speculation = toSpeculation(request.speculation);
    const input =
        request.suffix !== undefined
            ? toInfillPrompt(request)
            : toPrompt(request.prompt, request.messages, "prompt", true);
    const toolChoice = toToolChoice(request.tool_choice);
    if (request.suffix === undefined && request.extra_context.length > 0) {
        throw new InvalidArgumentError(
            "extra_context is for fill-in-the-middle only; set suffix (the text after the cursor) or remove extra_context",
        );
    }
    return {
        ...input,
        ...(request.tools.length > 0 && { tools: request.tools.map(fromProtoTool) }),
        ...(toolChoice !== undefined && { toolChoice }),
        ...(request.suffix !== undefined && {
            suffix: request.suffix,
            extraContext: request.extra_context.map((c) => ({ name: c.name, text: c.text })),
        }),
        ...(request.model !== "" && { model: request.model }),
        maxTokens: request.max_tokens,
        sampling: {
            temperature: request.temperature,
            topP: request.top_p,
            topK: request.top_k,
            seed: request.seed,
            minP: request.min_p,
            repeatPenalty: request.repeat_penalty,
            repeatLastN: request.repeat_last_n,
            presencePenalty: request.presence_penalty,
            frequencyPenalty: request.frequency_penalty,
            ...(Object.keys(request.logit_bias).length > 0 && { logitBias: toLogitBias(request.logit_bias) }),
        },
        stop: request.stop,
        speculation,
        returnConfidence: request.return_confidence,
        ...(request.response_format !== null && {
            responseFormat: toResponseFormat(request.response_format),
        }),
        ...(request.session_id !== "" && { sessionId: request.session_id }),
        ...(request.cache_scope !== "" && { cacheScope: request.cache_scope }),
    };
}

/** What Tokenize should tokenize: text (possibly empty: just BOS), or messages (and tools) to render. */
export function toTokenizeInput(
    request: TokenizeRequest__Output,
): string | { messages: ChatMessage[]; tools: ToolDefinition[] } {
    const input = toPrompt(request.text, request.messages, "text", false);
    const tools = request.tools.map(fromProtoTool);
    if (input.messages) return { messages: input.messages, tools };
    if (tools.length > 0)
        throw new InvalidArgumentError("tools need messages (a chat): send the conversation as messages");
    return input.prompt ?? "";
}

export function toProtoMode(mode: SpeculationMode): ProtoSpeculationMode {
    return protoByMode[mode];
}

export function toProtoFinishReason(reason: FinishReason): ProtoFinishReason {
    return protoByFinishReason[reason];
}

export function toProtoStats(stats: EngineStats): GenerationStats {
    const { spec } = stats;
    return {
        proposer: stats.proposer,
        mode: toProtoMode(stats.mode),
        drafts: spec.drafts,
        drafted_tokens: spec.draftTokens,
        accepted_tokens: spec.acceptedTokens,
        target_passes: spec.targetPasses,
        acceptance_rate: spec.acceptanceRate,
        mean_acceptance_length: spec.meanAcceptanceLength,
        accepted_per_position: spec.acceptedPerPos,
        observed_per_position: spec.observedPerPos,
        full_map_passes: spec.fullMapPasses,
        full_map_after_draft: spec.fullMapAfterDraft,
        drafted_lengths: spec.draftedLengths,
        explorations: stats.speculation.explorations,
        ttft_ms: stats.ttftMs,
        decode_tokens_per_second: stats.decodeTokensPerSecond,
        prompt_tokens_reused: stats.promptTokensReused,
        prompt_tokens_copied: stats.promptTokensCopied,
        prompt_tokens_restored: stats.promptTokensRestored,
        queue_ms: stats.queueMs,
        total_ms: stats.totalMs,
        selection_reason: stats.speculation.reason,
        switches: stats.speculation.switches.map((s) => ({
            at_token: s.atToken,
            from: s.from,
            to: s.to,
            reason: s.reason,
        })),
        draft_lengths: stats.speculation.draftLengths,
        predicted_speedup: stats.speculation.predictedSpeedup,
        measured_speedup: stats.measuredSpeedup,
        ...(stats.confidence && {
            mean_logprob: stats.confidence.meanLogprob,
            min_logprob: stats.confidence.minLogprob,
        }),
        ...(stats.seed !== undefined && { seed: stats.seed }),
    };
}

export function toProtoUsage(stats: EngineStats): Usage {
    return { prompt_tokens: stats.promptTokens, completion_tokens: stats.completionTokens };
}

export function toProtoToolCall(call: ToolCall): ProtoToolCall {
    return { id: call.id, name: call.name, arguments_json: call.argumentsJson };
}

function toProtoToolCallDelta(delta: ToolCallDelta): ProtoToolCallDelta {
    return "id" in delta
        ? { index: delta.index, id: delta.id, name: delta.name, arguments_json: "" }
        : { index: delta.index, arguments_json: delta.argumentsJson };
}

export function toProtoChunk(chunk: EngineChunk): GenerateChunk {
    const message: GenerateChunk = { text: chunk.text, token_ids: chunk.tokens };
    if (chunk.toolCallDeltas) message.tool_call_deltas = chunk.toolCallDeltas.map(toProtoToolCallDelta);
    if (chunk.finish) {
        message.finish_reason = toProtoFinishReason(chunk.finish.reason);
        message.usage = toProtoUsage(chunk.finish.stats);
        message.stats = toProtoStats(chunk.finish.stats);
        if (chunk.finish.toolCalls) message.tool_calls = chunk.finish.toolCalls.map(toProtoToolCall);
    }
    return message;
}

export function toProtoModelInfo(info: ModelInfo): ProtoModelInfo {
    const report = info.compatibility;
    return {
        id: info.id,
        role: info.role === "target" ? "MODEL_ROLE_TARGET" : "MODEL_ROLE_DRAFT",
        vocab_size: info.vocabSize,
        context_size: info.contextSize,
        loaded: info.loaded,
        draft_mode:
            info.draftMode === undefined ? "DRAFT_MODE_UNSPECIFIED" : protoByDraftMode[info.draftMode],
        chat_template: info.capabilities?.chatTemplate ?? "",
        fim: info.capabilities?.fim ?? false,
        tool_calls: info.capabilities?.toolCalls ?? false,
        compatibility: report && {
            verdict: protoByVerdict[report.verdict],
            reasons: report.reasons.map((r) => ({ rule: r.rule, message: r.message })),
            warnings: report.warnings.map((w) => ({ kind: w.kind, message: w.message })),
            differing_text_count: report.summary.differingTextCount,
            differing_type_count: report.summary.differingTypeCount,
        },
    };
}

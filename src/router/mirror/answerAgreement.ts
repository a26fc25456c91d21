/**
 * How a mirrored answer compares with the served one, from checks cheap enough to run on every mirrored
 * request (no model, no embedding):
 * - `exact`: the same text (whitespace at the ends ignored) and the same tool calls;
 * - `same_tool_calls`: both call tools, the same tools with the same arguments in the same order (ids
 *   are provider-assigned and ignored; arguments compare as canonical JSON, so key order does not
 *   matter); the text around them may differ;
 * - `differs`: anything else.
 * Pure.
 */
import type { CompletionResult, ToolCallPart } from "../../chat/types.js";
import { canonicalJson } from "../cacheKey.js";

export type AnswerAgreement = "exact" | "same_tool_calls" | "differs";

export function answerAgreement(served: CompletionResult, mirrored: CompletionResult): AnswerAgreement {
    const servedCalls = toolCalls(served);
    const mirroredCalls = toolCalls(mirrored);
    const sameCalls =
        servedCalls.length === mirroredCalls.length && servedCalls.every((c, i) => c === mirroredCalls[i]);
    if (sameCalls && text(served) === text(mirrored)) return "exact";
    return sameCalls && servedCalls.length > 0 ? "same_tool_calls" : "differs";
}

function text(result: CompletionResult): string {
    let out = "";
    for (const part of result.content) if (part.type === "text") out += part.text;
    return out.trim();
}

function toolCalls(result: CompletionResult): string[] {
    return result.content
        .filter((p): p is ToolCallPart => p.type === "tool_call")
        .map((p) => `${p.name}\u0000${canonicalJson(p.arguments)}`);
}

/** Small pure helpers over normalized messages, shared by the policy, the cache and the providers. */
import { toolResultFailed } from "./toolResultFailed.js";
import type { ChatMessage, TextPart, ToolCallPart, ToolResultPart } from "./types.js";

type AnyPart = TextPart | ToolCallPart | ToolResultPart;

/** A message's content as parts (a string is one text part; an empty string none). */
export function partsOf(message: ChatMessage): readonly AnyPart[] {
    const { content } = message;
    if (typeof content !== "string") return content;
    return content === "" ? [] : [{ type: "text", text: content }];
}

/** The text parts of a message, joined with newlines. */
export function textOf(message: ChatMessage): string {
    if (typeof message.content === "string") return message.content;
    let text = "";
    for (const part of message.content) {
        if (part.type === "text") text = text === "" ? part.text : `${text}\n${part.text}`;
    }
    return text;
}

/**
 * Failed tool results at the end of the conversation, counted across user turns (a stalled agent); a user
 * turn without tool results ends the count. Failed = `toolResultFailed` (the flag or an error marker in
 * the output) unless another test is given.
 */
export function toolErrorStreak(
    messages: readonly ChatMessage[],
    failed: (result: ToolResultPart) => boolean = toolResultFailed,
): number {
    let streak = 0;
    for (let i = messages.length - 1; i >= 0; i--) {
        const message = messages[i]!;
        if (message.role === "assistant") continue;
        const parts = partsOf(message);
        for (let j = parts.length - 1; j >= 0; j--) {
            const part = parts[j]!;
            if (part.type !== "tool_result") continue;
            if (!failed(part)) return streak;
            streak++;
        }
        if (!parts.some((p) => p.type === "tool_result")) return streak;
    }
    return streak;
}

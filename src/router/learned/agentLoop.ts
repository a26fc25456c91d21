/**
 * The agent-loop columns of the routing classifier's features (featureVector.ts): one pass over a
 * conversation counting tool calls and results, failed results, the human's turns and the files the
 * assistant's tool calls named. Pure; its cost grows with the number of parts, not with their text (a
 * tool result's head and tail only are searched for an error marker).
 *
 * A tool result counts as failed by the chat leaf's `toolResultFailed` (flagged `is_error`, or an error
 * marker in its head or tail: Codex CLI's function outputs carry no error flag, only the text), the test
 * the routing rules' `minToolErrorStreak` uses too.
 */
import { toolResultFailed } from "../../chat/toolResultFailed.js";
import type { ChatRequest, ToolResultPart } from "../../chat/types.js";

/**
 * Tool results, counted back from the end, whose failure is looked at: enough for the streak (the
 * feature clips it at 5) and for recent trouble, and the cost stays flat however long the session runs.
 */
const toolResultsInspected = 8;

const patchFilePattern = /^\*\*\* (?:Update|Add|Delete) File: (.+)$/gm;
const pathArgumentPattern = /path|file/i;
const noContent: readonly never[] = [];

export interface AgentLoop {
    toolCalls: number;
    toolResults: number;
    /** User messages with text of their own (the human's turns). */
    userTurns: number;
    /** Failed tool results (flagged `is_error` or carrying an error marker) among the last 8. */
    toolErrors: number;
    /** Failed tool results in a row at the end, by the same test (the human's words between them do not break it; at most 8). */
    errorStreak: number;
    touchedFiles: Set<string>;
}

/** One pass over the conversation: tool calls and results, failures, the human's turns, paths touched. */
export function agentLoop(request: ChatRequest): AgentLoop {
    const loop: AgentLoop = {
        toolCalls: 0,
        toolResults: 0,
        userTurns: 0,
        toolErrors: 0,
        errorStreak: 0,
        touchedFiles: new Set(),
    };
    const results: ToolResultPart[] = [];
    for (const message of request.messages) {
        const parts = typeof message.content === "string" ? noContent : message.content;
        if (message.role === "user") {
            let hasText = typeof message.content === "string" && message.content !== "";
            for (const part of parts) {
                if (part.type === "tool_result") results.push(part);
                else if (part.type === "text")
                    hasText ||= part.text !== "" && !part.text.startsWith("<system-reminder>");
            }
            if (hasText) loop.userTurns++;
            continue;
        }
        for (const part of parts) {
            if (part.type !== "tool_call") continue;
            loop.toolCalls++;
            for (const [key, value] of Object.entries(part.arguments)) {
                if (typeof value !== "string") continue;
                if (pathArgumentPattern.test(key)) loop.touchedFiles.add(value);
                else if (value.startsWith("*** Begin Patch")) {
                    for (const match of value.matchAll(patchFilePattern)) loop.touchedFiles.add(match[1]!);
                }
            }
        }
    }
    loop.toolResults = results.length;
    let inStreak = true;
    for (let r = results.length - 1; r >= Math.max(0, results.length - toolResultsInspected); r--) {
        const result = results[r]!;
        if (toolResultFailed(result)) {
            loop.toolErrors++;
            if (inStreak) loop.errorStreak++;
        } else {
            inStreak = false;
        }
    }
    return loop;
}

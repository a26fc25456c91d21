/**
 * The agent-loop columns of the routing classifier's features (featureVector.ts): one pass over a
 * conversation counting tool calls and results, failed results, the human's turns and the files the
 * assistant's tool calls named. Pure; its cost grows with the number of parts, not with their text (a
 * tool result's head and tail only are searched for an error marker).
 *
 * A tool result counts as failed when it is flagged `is_error` or when its head or tail carries an
 * error marker (a non-zero exit code, `FAILED`, `error:` or `SomethingError:` at a line start, a
 * traceback, a panic): Codex CLI's function outputs carry no error flag, only the text.
 */
import type { ChatRequest, ToolResultPart } from "../../chat/types.js";

/**
 * An error in a tool's output: at a line start (messages, test runners, compilers) or anywhere (exits,
 * failure counts, compiler codes).
 */
const toolErrorPattern =
    /(?:^|\n)[ \t]*(?:[\w.$]*(?:Error|Exception)(?:\[\w+\])?:|error(?:\[E\d+\])?:|fatal:|FAIL(?:ED)?\b|npm ERR!|panic:|Traceback \(most recent)|\b[Ee]xit(?:ed)?(?: with)?(?: code| status)?:? *[1-9]|\b[1-9]\d* (?:failed|failing)\b|\berror TS\d+:|panicked at|No such file or directory|command not found|Permission denied|Segmentation fault/;

/**
 * Substrings of which every match of `toolErrorPattern` contains one: `includes` on them is several times
 * cheaper than the regex, which then runs only on text that may fail (the same verdicts, sooner).
 */
const errorNeedles = [
    "Error",
    "Exception",
    "error",
    "fatal:",
    "FAIL",
    "ERR!",
    "panic",
    "Traceback",
    "xit",
    "fail",
    "No such",
    "not found",
    "denied",
    "Segmentation",
];

const hasErrorMarker = (text: string): boolean =>
    errorNeedles.some((needle) => text.includes(needle)) && toolErrorPattern.test(text);

/**
 * Characters of a tool result's head and of its tail searched for an error marker: tools print the
 * verdict first (`Exit code: 1`, `Error: ...`, `FAIL ...`, a traceback's first line) or last (`Tests: 1
 * failed`, `exit status 1`). The regex costs tens of ns a character, and an agent conversation carries
 * dozens of results, so the window stays small.
 */
const toolResultScanChars = 160;

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

/** Whether a tool result failed (see the module comment). */
const failed = (content: string, flagged: boolean | undefined): boolean =>
    flagged === true ||
    (content.length <= 2 * toolResultScanChars
        ? hasErrorMarker(content)
        : hasErrorMarker(content.slice(0, toolResultScanChars)) ||
          hasErrorMarker(content.slice(-toolResultScanChars)));

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
        if (failed(result.content, result.is_error)) {
            loop.toolErrors++;
            if (inStreak) loop.errorStreak++;
        } else {
            inStreak = false;
        }
    }
    return loop;
}

/**
 * Whether a tool result reports a failure: flagged `is_error`, or carrying an error marker in its head or
 * tail. The flag alone is not enough: only the Anthropic protocol has one (Claude Code sets it), while the
 * OpenAI protocols have none, so a Codex CLI function output or a Chat Completions `tool` message says
 * "Exit code: 1" in its text and nowhere else. One test for the routing rules' `minToolErrorStreak` and
 * the learned classifier's agent-loop columns, so the two never disagree about a stalled agent.
 *
 * Pure; its cost does not grow with the output's length (the head and tail only are searched).
 */
import type { ToolResultPart } from "./types.js";

/**
 * An error in a tool's output: at a line start (messages, test runners, compilers, package managers,
 * kubectl, an editor's linter report) or anywhere (exits, failure counts, compiler codes).
 */
const toolErrorPattern =
    /(?:^|\n)[ \t]*(?:[\w.$]*(?:Error|Exception)(?:\[\w+\])?:|error(?:\[E\d+\])?:|ERROR\b|Error from server\b|[A-Z][a-z]+ errors?:(?! *0\b)|fatal:|FAIL(?:ED)?\b|npm ERR!|panic:|Traceback \(most recent)|\b[Ee]xit(?:ed)?(?: with)?(?: code| status)?:? *[1-9]|"exit_code": *[1-9]|\b[1-9]\d* (?:failed|failing)\b|\berror TS\d+:|panicked at|No such file or directory|command not found|Permission denied|Segmentation fault/;

/**
 * Substrings of which every match of `toolErrorPattern` contains one: `includes` on them is several times
 * cheaper than the regex, which then runs only on text that may fail (the same verdicts, sooner).
 */
const errorNeedles = [
    "Error",
    "ERROR",
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
 * Exit status 1 with no output: a search that found nothing (`grep`, `rg`), a `test` that was false. An
 * agent looking for something runs several in a row; counting them as failures would call it stalled.
 * Both of Codex CLI's forms: its text (`Exit code: 1`, `Wall time:`, `Output:`) and its older JSON
 * (`{"output":"","metadata":{"exit_code":1,...}}`, whose non-zero `exit_code` is a failure like the text's).
 */
const emptyExitOne =
    /^(?:[Ee]xit(?: code| status)?:? *1\s*(?:\n[ \t]*Wall time:[^\n]*)?(?:\n[ \t]*Output:)?\s*|\{"output": *"", *"metadata": *\{"exit_code": *1[,}][^\n]*)$/;

/** Whether the tool result failed (see the module comment). */
export function toolResultFailed(result: Pick<ToolResultPart, "content" | "is_error">): boolean {
    const { content } = result;
    if (result.is_error === true) return true;
    if (content.length < 96 && emptyExitOne.test(content)) return false;
    return content.length <= 2 * toolResultScanChars
        ? hasErrorMarker(content)
        : hasErrorMarker(content.slice(0, toolResultScanChars)) ||
              hasErrorMarker(content.slice(-toolResultScanChars));
}

/** The flag alone (the learned classifier's `tool_error_streak` column was trained on it). */
export const toolResultFlagged = (result: Pick<ToolResultPart, "is_error">): boolean =>
    result.is_error === true;

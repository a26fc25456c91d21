import { describe, expect, it } from "vitest";
import { toolErrorStreak } from "../../../src/chat/messages.js";
import { toolResultFailed, toolResultFlagged } from "../../../src/chat/toolResultFailed.js";
import type { ChatMessage } from "../../../src/chat/types.js";

const failed = (content: string): boolean => toolResultFailed({ content });

/** A Codex CLI-shaped loop: one shell call and its unflagged output per turn, the last output last. */
const loop = (...outputs: string[]): ChatMessage[] => [
    { role: "user", content: "fix the build" },
    ...outputs.flatMap((content, i): ChatMessage[] => [
        { role: "assistant", content: [{ type: "tool_call", id: `c${i}`, name: "shell", arguments: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_call_id: `c${i}`, content }] },
    ]),
];

describe("toolResultFailed", () => {
    it.each([
        "ERROR: Could not find a version that satisfies the requirement psycopg2-binary==2.8.6",
        'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:ci" cannot list',
        "Linter errors:\nLine 1: Module '\"../types\"' has no exported member 'InvoiceDto'.",
        "collected 12 items\nERROR collecting tests/test_api.py",
        "Exit code: 1\nWall time: 3.1 seconds\nOutput:\nboom",
        // Codex CLI's older JSON form of a shell output.
        '{"output":"FAILED tests/test_sync.py::test_merge","metadata":{"exit_code":1,"duration_seconds":2.4}}',
        '{"output":"","metadata":{"exit_code":2,"duration_seconds":0.1}}',
    ])("counts an unflagged output by its error marker: %j", (content) => {
        expect(failed(content)).toBe(true);
    });

    it.each([
        "Exit code: 0\nOutput:\nall good",
        "Lint errors: 0\nChecked 41 files",
        "ERRORS: none",
        "src/api.ts:12:    logger.error('x')",
        // A search that found nothing: several in a row are an agent looking, not a stalled one.
        "Exit code: 1\nWall time: 0.1 seconds\nOutput:\n",
        '{"output":"","metadata":{"exit_code":1,"duration_seconds":12.345}}',
        '{"output":"a.ts\\nb.ts","metadata":{"exit_code":0,"duration_seconds":0.1}}',
        "exit status 1",
    ])("does not count a success: %j", (content) => {
        expect(failed(content)).toBe(false);
    });

    it("counts the flag whatever the text; the flag-only test reads nothing else", () => {
        expect(toolResultFailed({ content: "ok", is_error: true })).toBe(true);
        expect(toolResultFlagged({ is_error: true })).toBe(true);
        expect(toolResultFlagged({})).toBe(false);
    });
});

describe("toolErrorStreak", () => {
    it("counts unflagged failures (the OpenAI protocols carry no flag) and stops at a success", () => {
        expect(
            toolErrorStreak(loop("Exit code: 1\nOutput:\nFAIL a.test.ts", "Exit code: 1\nOutput:\nFAIL")),
        ).toBe(2);
        expect(toolErrorStreak(loop("Exit code: 2", "Exit code: 0\nOutput:\nok", "Exit code: 2"))).toBe(1);
        expect(toolErrorStreak(loop("Exit code: 2", "Exit code: 2"), toolResultFlagged)).toBe(0);
    });
});

import { describe, expect, it } from "vitest";
import type { ChatMessage, ChatRequest } from "../../../../src/chat/types.js";
import { agentLoop } from "../../../../src/router/learned/agentLoop.js";

/** A conversation of one task and one tool round per output, the last output last. */
const loop = (...outputs: string[]): ChatRequest => ({
    messages: [
        { role: "user", content: "fix the build" },
        ...outputs.flatMap((content, i): ChatMessage[] => [
            {
                role: "assistant",
                content: [{ type: "tool_call", id: `c${i}`, name: "shell", arguments: {} }],
            },
            { role: "user", content: [{ type: "tool_result", tool_call_id: `c${i}`, content }] },
        ]),
    ],
});
const failedOne = (output: string): boolean => agentLoop(loop(output)).toolErrors === 1;

describe("agentLoop", () => {
    it.each([
        "Exit code: 1\nWall time: 3.1 seconds\nOutput:\nboom",
        "Error: ENOENT: no such file, open 'x.json'",
        "TypeError: Cannot read properties of undefined (reading 'id')\n    at f (src/a.ts:1:2)",
        "src/a.ts(12,5): error TS2345: Argument of type 'string' is not assignable",
        "error[E0308]: mismatched types\n --> src/lib.rs:4:9",
        "npm test\nFAIL test/a.test.ts\n  ● a › works",
        "==== 1 failed, 12 passed in 0.31s ====",
        'Traceback (most recent call last):\n  File "a.py", line 1',
        "thread 'main' panicked at src/main.rs:3:5",
        "bash: rg: command not found",
        `${"ok\n".repeat(400)}Tests: 2 failed, 40 passed\nexit status 1`,
    ])("counts a failure by its output alone: %j", (output) => {
        expect(failedOne(output)).toBe(true);
    });

    it.each([
        "Exit code: 0\nOutput:\nall good",
        "Tests: 0 failed, 12 passed",
        'export function f() {\n    } catch (error: unknown) {\n    throw new Error("no rows");\n}',
        'raise ValueError("no users")',
        `${"const x = 1;\n".repeat(100)}// Error: in the middle of a long file is not a verdict\n${"const y = 2;\n".repeat(100)}`,
    ])("does not count a success as a failure: %j", (output) => {
        expect(failedOne(output)).toBe(false);
    });

    it("looks at the last 8 results only, so its cost does not grow with the session", () => {
        const many = loop(...Array.from({ length: 20 }, () => "Exit code: 1\nOutput:\nFAIL a.test.ts"));
        const summary = agentLoop(many);
        expect(summary.toolResults).toBe(20);
        expect(summary.toolErrors).toBe(8);
        expect(summary.errorStreak).toBe(8);
        expect(agentLoop(loop("Exit code: 2", "Exit code: 2", "Exit code: 0")).errorStreak).toBe(0);
    });
});

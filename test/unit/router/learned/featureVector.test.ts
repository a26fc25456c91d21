import fc from "fast-check";
import { wordVectors } from "../../../helpers/wordVectors.js";
import { describe, expect, it } from "vitest";
import { extractFeatures } from "../../../../src/router/features.js";
import {
    featureCount,
    featureNames,
    featureSchemaVersion,
    featureVector,
    taskCueGroups,
} from "../../../../src/router/learned/featureVector.js";
import type { ChatRequest } from "../../../../src/chat/types.js";
import { featureVectorInputs } from "./featureVectorInputs.js";
import storedVectors from "./featureVectors.json" with { type: "json" };

const column = (name: string): number => {
    const i = featureNames.indexOf(name);
    if (i < 0) throw new Error(`no column ${name}`);
    return i;
};
const ask = (text: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
    messages: [{ role: "user", content: text }],
    ...extra,
});

describe("featureVector", () => {
    it.each(Object.keys(featureVectorInputs))(
        "%s: every column as stored (the classifier's training-time extraction)",
        (name) => {
            const stored = (storedVectors as Record<string, number[]>)[name];
            const v = Array.from(featureVector(featureVectorInputs[name]!, wordVectors));
            expect(Object.fromEntries(v.map((x, i) => [featureNames[i], x]))).toEqual(
                Object.fromEntries(stored!.map((x, i) => [featureNames[i], x])),
            );
        },
    );

    it("the stored inputs exercise every language cue and the scanned readers", () => {
        const stored = storedVectors as Record<string, number[]>;
        for (const name of featureNames.filter(
            (n) => n.startsWith("lang_") || n === "stack_trace" || n === "has_diff",
        ))
            expect(
                Object.values(stored).some((v) => v[column(name)] === 1),
                name,
            ).toBe(true);
        expect(stored.pastedTs20k![column("log_file_refs")]).toBeGreaterThan(0);
    });

    it("has one named column per value, no duplicate names, and a versioned schema", () => {
        expect(featureVector(ask("hi"), wordVectors)).toHaveLength(featureCount);
        expect(new Set(featureNames).size).toBe(featureNames.length);
        expect(featureSchemaVersion).toMatch(/^tiercel-router-features\/\d+$/);
        for (const group of Object.keys(taskCueGroups)) expect(featureNames).toContain(`cue_${group}`);
    });

    it("is deterministic and uses the rules' features when given them", () => {
        const request = ask("Rename `foo` to `bar`.\n```ts\nconst foo = 1;\n```", {
            hints: { task_type: "edit" },
        });
        const a = featureVector(request, wordVectors);
        expect(featureVector(request, wordVectors)).toEqual(a);
        expect(featureVector(request, wordVectors, extractFeatures(request))).toEqual(a);
    });

    it("reads the instruction's prose into the semantic columns: like wording lands near, code does not count", () => {
        const semantic = (text: string): number[] =>
            Array.from(featureVector(ask(text), wordVectors)).slice(column("sem_00"), column("sem_99") + 1);
        const distance = (a: number[], b: number[]): number =>
            Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0));
        const overhaul = semantic("Overhaul how the billing service and the ledger talk to each other.");
        const redesign = semantic("Redesign the way the billing service and the ledger communicate.");
        const spelling = semantic("Fix the spelling of a word in the billing service's log message.");
        expect(distance(overhaul, redesign)).toBeLessThan(distance(overhaul, spelling));
        // Fenced code is not the request's words; a request without known words reads as zeros.
        expect(semantic("Explain this.\n```ts\nconst overhaulLedgerSecurity = redesign();\n```")).toEqual(
            semantic("Explain this."),
        );
        expect(semantic("```\nx\n```")).toEqual(new Array<number>(100).fill(0));
    });

    it("counts cue words in the instruction but not inside fenced code", () => {
        const v = featureVector(
            ask(
                "Audit this handler for SQL injection, XSS and other vulnerabilities.\n```ts\nfunction rename() { refactor(); }\n```",
            ),
            wordVectors,
        );
        expect(v[column("cue_security")]).toBe(3);
        expect(v[column("cue_review")]).toBe(1);
        expect(v[column("cue_rename")]).toBe(0);
        expect(v[column("cue_refactor")]).toBe(0);
        expect(v[column("lang_ts_js")]).toBe(1);
        expect(v[column("log_code_blocks")]).toBeCloseTo(Math.log1p(1));
    });

    it("clips cue counts, and matches word starts only (stems, not substrings)", () => {
        const v = featureVector(
            ask("refactor refactoring refactored refactors; unblock the prefix"),
            wordVectors,
        );
        expect(v[column("cue_refactor")]).toBe(3);
        expect(v[column("cue_concurrency")]).toBe(0); // "unblock" is not "lock"
        const paths = featureVector(
            ask("Sort the imports in src/auth/session.ts and call cache.lock()."),
            wordVectors,
        );
        expect(paths[column("cue_security")]).toBe(0); // a path segment is not a word of the request
        expect(paths[column("cue_concurrency")]).toBe(0);
        expect(paths[column("cue_format")]).toBe(1);
    });

    it("reads tools, the failed-tool streak, hints and stack traces", () => {
        const request: ChatRequest = {
            messages: [
                { role: "user", content: "fix the build" },
                { role: "assistant", content: [{ type: "tool_call", id: "1", name: "bash", arguments: {} }] },
                {
                    role: "user",
                    content: [
                        {
                            type: "tool_result",
                            tool_call_id: "1",
                            content: "TypeError: x is undefined",
                            is_error: true,
                        },
                    ],
                },
                { role: "assistant", content: [{ type: "tool_call", id: "2", name: "bash", arguments: {} }] },
                {
                    role: "user",
                    content: [{ type: "tool_result", tool_call_id: "2", content: "boom", is_error: true }],
                },
            ],
            tools: [{ name: "bash", input_schema: { type: "object" } }],
            hints: { task_type: "review", tags: ["security"], latency_budget_ms: 500 },
        };
        const v = featureVector(request, wordVectors);
        expect(v[column("has_tools")]).toBe(1);
        expect(v[column("tool_error_streak")]).toBe(2);
        expect(v[column("log_tool_results")]).toBeCloseTo(Math.log1p(2));
        expect(v[column("task_review")]).toBe(1);
        expect(v[column("task_completion")]).toBe(0);
        expect(v[column("tag_security")]).toBe(1);
        expect(v[column("tight_latency_budget")]).toBe(1);
        expect(
            featureVector(
                ask("It fails with\nTypeError: Cannot read properties of undefined (reading 'x')"),
                wordVectors,
            )[column("stack_trace")],
        ).toBe(1);
    });

    it("reads an agent loop: unflagged failures by their text, the task from history, files touched", () => {
        const call = (id: string, name: string, args: Record<string, unknown>) => ({
            role: "assistant" as const,
            content: [{ type: "tool_call" as const, id, name, arguments: args }],
        });
        const result = (id: string, content: string, is_error?: boolean) => ({
            role: "user" as const,
            content: [
                { type: "tool_result" as const, tool_call_id: id, content, ...(is_error && { is_error }) },
            ],
        });
        const request: ChatRequest = {
            messages: [
                {
                    role: "user",
                    content: [
                        {
                            type: "text",
                            text: "<system-reminder>Todo list is empty. Refactor nothing.</system-reminder>",
                        },
                        { type: "text", text: "Fix the deadlock in the worker pool." },
                    ],
                },
                call("1", "Read", { file_path: "src/pool.ts" }),
                result("1", "export class Pool {\n    catch (error: unknown) {}\n}"),
                call("2", "apply_patch", {
                    input: "*** Begin Patch\n*** Update File: src/pool.ts\n*** Update File: src/queue.ts\n*** End Patch",
                }),
                result("2", "Done"),
                call("3", "shell", { command: ["npm", "test"] }),
                result("3", "FAIL test/pool.test.ts\n  1 failing\nExit code: 1"),
                call("4", "shell", { command: ["npm", "test"] }),
                result("4", "Tests: 3 passed, 1 failed\nProcess exited with code 1"),
            ],
            tools: [{ name: "shell", input_schema: { type: "object" } }],
        };
        const v = featureVector(request, wordVectors);
        expect(v[column("tool_error_streak")]).toBe(0); // the rules' streak reads the flag alone
        expect(v[column("marked_error_streak")]).toBe(2);
        expect(v[column("log_tool_errors")]).toBeCloseTo(Math.log1p(2));
        expect(v[column("log_tool_calls")]).toBeCloseTo(Math.log1p(4));
        expect(v[column("log_user_turns")]).toBeCloseTo(Math.log1p(1));
        expect(v[column("log_touched_files")]).toBeCloseTo(Math.log1p(2));
        expect(v[column("instruction_from_history")]).toBe(1);
        expect(v[column("cue_concurrency")]).toBe(1); // from the task, not the reminder
        expect(v[column("cue_refactor")]).toBe(0);
        expect(v[column("cue_bugfix")]).toBe(1);

        // A successful result ends the streak; a human's words between failures do not.
        const recovered = featureVector(
            {
                ...request,
                messages: [...request.messages, call("5", "shell", {}), result("5", "Tests: 4 passed")],
            },
            wordVectors,
        );
        expect(recovered[column("marked_error_streak")]).toBe(0);
        const nudged = featureVector(
            {
                ...request,
                messages: [
                    ...request.messages,
                    { role: "assistant", content: "Still failing." },
                    { role: "user", content: "try again" },
                ],
            },
            wordVectors,
        );
        expect(nudged[column("marked_error_streak")]).toBe(2);
        expect(nudged[column("instruction_from_history")]).toBe(0);
        expect(nudged[column("log_user_turns")]).toBeCloseTo(Math.log1p(2));
    });

    it("marks diffs and patches in the instruction", () => {
        const diff = "diff --git a/x.ts b/x.ts\n--- a/x.ts\n+++ b/x.ts\n@@ -1,2 +1,3 @@\n-a\n+b";
        expect(featureVector(ask(`Review this:\n${diff}`), wordVectors)[column("has_diff")]).toBe(1);
        expect(featureVector(ask("Review the diff I sent yesterday."), wordVectors)[column("has_diff")]).toBe(
            0,
        );
    });

    it("scans only the head and tail of a huge instruction, so cost does not grow with the paste", () => {
        const filler = "x = 1\n".repeat(50_000);
        const v = featureVector(ask(`Add a docstring.\n${filler}\nthanks, and explain it`), wordVectors);
        expect(v[column("cue_docstring")]).toBe(1);
        expect(v[column("cue_explain")]).toBe(1);
        expect(v[column("log_prompt_chars")]).toBeGreaterThan(Math.log(300_000));
    });

    it("is finite for arbitrary requests, and non-negative outside the semantic columns", () => {
        const part = fc.oneof(
            fc.record({ type: fc.constant("text" as const), text: fc.string() }),
            fc.record({
                type: fc.constant("tool_result" as const),
                tool_call_id: fc.string(),
                content: fc.string(),
                is_error: fc.boolean(),
            }),
        );
        const request = fc.record({
            system: fc.option(fc.string(), { nil: undefined }),
            messages: fc.array(
                fc.oneof(
                    fc.record({
                        role: fc.constant("user" as const),
                        content: fc.oneof(fc.string(), fc.array(part)),
                    }),
                    fc.record({ role: fc.constant("assistant" as const), content: fc.string() }),
                ),
                { minLength: 1, maxLength: 5 },
            ),
            max_tokens: fc.option(fc.nat(), { nil: undefined }),
        });
        fc.assert(
            fc.property(request, (r) => {
                const v = featureVector(r, wordVectors);
                expect(v).toHaveLength(featureCount);
                v.forEach((x, i) => {
                    expect(Number.isFinite(x)).toBe(true);
                    // Counts, shares and flags are never negative; word-vector components may be.
                    if (!featureNames[i]!.startsWith("sem_")) expect(x).toBeGreaterThanOrEqual(0);
                });
            }),
        );
    });
});

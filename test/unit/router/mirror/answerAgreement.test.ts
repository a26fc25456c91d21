import { describe, expect, it } from "vitest";
import type { CompletionResult } from "../../../../src/chat/types.js";
import { answerAgreement } from "../../../../src/router/mirror/answerAgreement.js";

const answer = (...content: CompletionResult["content"]): CompletionResult => ({
    content,
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 1 },
    model: "m",
});
const text = (t: string) => ({ type: "text" as const, text: t });
const call = (name: string, args: Record<string, unknown>, id = "c1") => ({
    type: "tool_call" as const,
    id,
    name,
    arguments: args,
});

describe("answerAgreement", () => {
    it.each([
        ["same text, ends trimmed", answer(text("ok\n")), answer(text(" ok")), "exact"],
        ["other text", answer(text("ok")), answer(text("okay")), "differs"],
        [
            "same calls, other ids, key order and text",
            answer(text("Reading."), call("read", { path: "a", n: [1, { b: 2, a: 1 }] }, "toolu_1")),
            answer(call("read", { n: [1, { a: 1, b: 2 }], path: "a" }, "call_9")),
            "same_tool_calls",
        ],
        [
            "same calls and text",
            answer(text("x"), call("read", { path: "a" })),
            answer(text("x"), call("read", { path: "a" }, "other")),
            "exact",
        ],
        [
            "other arguments",
            answer(call("read", { path: "a" })),
            answer(call("read", { path: "b" })),
            "differs",
        ],
        [
            "calls in another order",
            answer(call("a", {}), call("b", {})),
            answer(call("b", {}), call("a", {})),
            "differs",
        ],
        ["a call against text", answer(call("read", {})), answer(text("read")), "differs"],
    ] as const)("%s → %s", (_name, served, mirrored, expected) => {
        expect(answerAgreement(served, mirrored)).toBe(expected);
    });
});

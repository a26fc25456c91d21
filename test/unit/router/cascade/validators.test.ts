import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkAnswer } from "../../../../src/router/cascade/checkAnswer.js";
import { fencedBlocks } from "../../../../src/router/cascade/fencedBlocks.js";
import {
    validateJson,
    validateNonEmpty,
    validateTypeScript,
} from "../../../../src/router/cascade/validators.js";
import { parseRouterConfig } from "../../../../src/router/config.js";
import type { CompletionResult, GenerationSignals } from "../../../../src/chat/types.js";

const fence = (lang: string, code: string) => `\`\`\`${lang}\n${code}\n\`\`\``;

describe("fencedBlocks", () => {
    it("finds backtick and tilde blocks with their language, and unclosed ones", () => {
        const text = [
            "intro",
            "```TypeScript title=a.ts",
            "const a = 1;",
            "```",
            "~~~~",
            "```not a close```",
            "~~~~~",
            "```json",
            '{"cut": ',
        ].join("\n");
        expect(fencedBlocks(text)).toEqual([
            { lang: "typescript", code: "const a = 1;", unclosed: false },
            { lang: "", code: "```not a close```", unclosed: false },
            { lang: "json", code: '{"cut": ', unclosed: true },
        ]);
        expect(fencedBlocks("no fences here")).toEqual([]);
    });
});

describe("validateJson", () => {
    it("accepts any JSON value, bare or in a fenced block", () => {
        fc.assert(
            fc.property(fc.jsonValue(), (value) => {
                const json = JSON.stringify(value);
                expect(validateJson(json)).toBeUndefined();
                expect(validateJson(`Here you go:\n${fence("json", json)}\nDone.`)).toBeUndefined();
            }),
        );
    });

    it.each([
        ["prose only", "The answer is yes.", /no JSON/],
        ["empty", "   ", /no JSON/],
        ["a bad json block", `${fence("json", '{"a": 1}')}\n${fence("json", "{a: 1}")}`, /json block 2/],
        ["truncated JSON", '{"a": [1, 2', /no JSON/],
        ["an unclosed fenced block", '```json\n{"a": ', /json block 1/],
    ])("rejects %s", (_name, text, reason) => {
        expect(validateJson(text)).toMatch(reason);
    });

    it("checks untagged blocks only when no block is tagged json", () => {
        expect(validateJson(fence("", "[1, 2]"))).toBeUndefined();
        expect(validateJson(`${fence("", "not json")}\n${fence("json", "[1]")}`)).toBeUndefined();
        expect(validateJson(fence("", "not json"))).toMatch(/json block 1/);
    });
});

// The first call loads the TypeScript compiler lazily: seconds on a busy 2-core machine.
describe("validateTypeScript", { timeout: 30_000 }, () => {
    it("accepts code that parses (types are not checked)", async () => {
        expect(await validateTypeScript("const a: number = 'not a number';\n")).toBeUndefined();
        expect(
            await validateTypeScript(fence("tsx", "export const A = () => <div>{1 + 1}</div>;")),
        ).toBeUndefined();
    });

    it("accepts any JSON value as a TypeScript constant initializer", async () => {
        await fc.assert(
            fc.asyncProperty(fc.jsonValue(), async (value) => {
                expect(await validateTypeScript(`const x = ${JSON.stringify(value)};`)).toBeUndefined();
            }),
            { numRuns: 50 },
        );
    });

    it("rejects a syntax error and says where", async () => {
        expect(await validateTypeScript("function f( {\n  return 1;\n")).toMatch(
            /the answer has a syntax error at line \d+/,
        );
        const text = `${fence("python", "def f(:")}\n${fence("ts", "let x = ;")}`;
        expect(await validateTypeScript(text)).toMatch(/code block 2 has a syntax error at line 1/);
    });

    it("checks only TypeScript/JavaScript blocks when the answer has fences", async () => {
        expect(await validateTypeScript(fence("python", "def f(:"))).toBeUndefined();
        expect(await validateTypeScript(fence("js", "const ok = [1, 2].map((x) => x * 2);"))).toBeUndefined();
    });
});

const result = (text: string, extra: Partial<CompletionResult> = {}): CompletionResult => ({
    content: text === "" ? [] : [{ type: "text", text }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 1 },
    model: "m",
    ...extra,
});

const signals = (fields: Partial<GenerationSignals>): GenerationSignals => ({
    acceptance_rate: null,
    drafted_tokens: 0,
    mean_logprob: null,
    min_logprob: null,
    ...fields,
});

function cascade(input: Record<string, unknown>) {
    const config = parseRouterConfig({
        providers: { local: { type: "local" } },
        tiers: [{ name: "local", targets: [{ provider: "local", model: "" }], cascade: input }],
    });
    return config.tiers[0]!.cascade!;
}

describe("checkAnswer", () => {
    it("passes a good answer and checks in order: truncation, acceptance, confidence, validators", async () => {
        const c = cascade({ minAcceptanceRate: 0.5, minMeanLogprob: -1, validators: ["json"] });
        expect(await checkAnswer(c, result("[1]"))).toEqual({ passed: true });
        const bad = result("nope", {
            stop_reason: "max_tokens",
            signals: signals({ acceptance_rate: 0.1, drafted_tokens: 10, mean_logprob: -3 }),
        });
        expect(await checkAnswer(c, bad)).toMatchObject({ passed: false, check: "truncated" });
        expect(await checkAnswer(c, { ...bad, stop_reason: "end_turn" })).toMatchObject({
            check: "min_acceptance_rate",
        });
        expect(
            await checkAnswer(c, {
                ...bad,
                stop_reason: "end_turn",
                signals: { ...bad.signals!, acceptance_rate: 0.9 },
            }),
        ).toMatchObject({ check: "min_mean_logprob", detail: "mean logprob -3.000 < -1" });
        expect(
            await checkAnswer(
                c,
                result("nope", { signals: signals({ acceptance_rate: 0.9, mean_logprob: -0.5 }) }),
            ),
        ).toMatchObject({ check: "validator:json" });
    });

    it("does not check thresholds whose signal is missing (hosted answers, no drafts, no confidence)", async () => {
        const c = cascade({ minAcceptanceRate: 0.99, minMeanLogprob: -0.01 });
        expect(await checkAnswer(c, result("x"))).toEqual({ passed: true });
        expect(await checkAnswer(c, result("x", { signals: signals({}) }))).toEqual({ passed: true });
    });

    it("reads the decoding signals of greedy answers only; a sampled answer gets the other checks", async () => {
        const c = cascade({ minAcceptanceRate: 0.5, minMeanLogprob: -1, validators: ["json"] });
        const low = signals({ acceptance_rate: 0.2, drafted_tokens: 10, mean_logprob: -2.5 });
        expect(await checkAnswer(c, result("[1]", { signals: low }))).toMatchObject({
            check: "min_acceptance_rate",
        });
        expect(await checkAnswer(c, result("[1]", { signals: low }), true)).toEqual({ passed: true });
        expect(await checkAnswer(c, result("nope", { signals: low }), true)).toMatchObject({
            check: "validator:json",
        });
        expect(
            await checkAnswer(c, result("[1]", { stop_reason: "max_tokens", signals: low }), true),
        ).toMatchObject({ check: "truncated" });
    });

    it("truncation can be allowed; non_empty counts tool calls", async () => {
        expect(
            await checkAnswer(
                cascade({ rejectTruncated: false }),
                result("x", { stop_reason: "max_tokens" }),
            ),
        ).toEqual({ passed: true });
        const c = cascade({ validators: ["non_empty"] });
        expect(await checkAnswer(c, result(" \n"))).toMatchObject({ check: "validator:non_empty" });
        const tool = result("", {
            content: [{ type: "tool_call", id: "t", name: "run", arguments: {} }],
            stop_reason: "tool_use",
        });
        expect(validateNonEmpty(tool)).toBeUndefined();
    });
});

import { describe, expect, it } from "vitest";
import { ToolCallStream } from "../../../src/engine/ToolCallStream.js";
import type { ToolCallSyntax } from "../../../src/engine/toolCallSyntax.js";
import type { ToolCallDelta } from "../../../src/engine/types.js";

/** node-llama-cpp's default syntax (ChatML, Llama 3, DeepSeek, Phi-3 wrappers). */
const llamaSyntax: ToolCallSyntax = {
    prefix: "||call: ",
    prefixAlternates: [],
    optionalPrefixSpace: true,
    paramsPrefix: () => "(",
    suffix: ")",
    sectionPrefix: "",
    betweenCalls: "",
};
/** Qwen 2.5's template syntax. */
const qwenSyntax: ToolCallSyntax = {
    prefix: '<tool_call>\n{"name": "',
    prefixAlternates: [],
    optionalPrefixSpace: true,
    paramsPrefix: () => '", "arguments": ',
    suffix: "}\n</tool_call>",
    sectionPrefix: "",
    betweenCalls: "",
};

/** Accepts a JSON object whose keys are all "path" (a stand-in for the schema validator). */
const validate = (name: string, json: string): boolean => {
    try {
        const value = JSON.parse(json) as unknown;
        return name !== "broken" && typeof value === "object" && value !== null && !Array.isArray(value);
    } catch {
        return false;
    }
};

function run(syntax: ToolCallSyntax, pieces: readonly string[], live = false) {
    const stream = new ToolCallStream({ syntax, names: ["read", "read_all", "broken"], validate, live });
    let text = "";
    const deltas: ToolCallDelta[] = [];
    const perPiece: number[] = [];
    for (const piece of pieces) {
        const out = stream.push(piece);
        text += out.text;
        deltas.push(...out.deltas);
        perPiece.push(out.deltas.length);
    }
    const end = stream.end();
    text += end.text;
    deltas.push(...end.deltas);
    return { text, deltas, perPiece, calls: stream.calls };
}

/** Splits text into one-character pieces (the worst case of token boundaries). */
const chars = (text: string): string[] => Array.from(text);

describe("ToolCallStream", () => {
    it("parses a call after text, in any split, and holds back a possible opening", () => {
        const output = 'Let me look.\n||call: read({"path": "a.py"})';
        for (const pieces of [[output], chars(output)]) {
            const r = run(llamaSyntax, pieces);
            expect(r.text).toBe("Let me look.\n");
            expect(r.calls).toEqual([{ id: "call_0", name: "read", argumentsJson: '{"path": "a.py"}' }]);
            expect(r.deltas[0]).toEqual({ index: 0, id: "call_0", name: "read", argumentsJson: "" });
            expect(
                r.deltas
                    .slice(1)
                    .map((d) => d.argumentsJson)
                    .join(""),
            ).toBe('{"path": "a.py"}');
        }
    });

    it("picks the longest matching name and parses several calls", () => {
        const r = run(llamaSyntax, chars('||call: read_all({})\n||call: read({"path": "}"})'));
        expect(r.calls.map((c) => [c.id, c.name, c.argumentsJson])).toEqual([
            ["call_0", "read_all", "{}"],
            ["call_1", "read", '{"path": "}"}'],
        ]);
        expect(r.text).toBe("\n");
    });

    it("parses Qwen's syntax (the call's JSON wraps the arguments)", () => {
        const out = 'ok <tool_call>\n{"name": "read", "arguments": {"path": "x"}}\n</tool_call>';
        const r = run(qwenSyntax, chars(out));
        expect(r.text).toBe("ok ");
        expect(r.calls).toEqual([{ id: "call_0", name: "read", argumentsJson: '{"path": "x"}' }]);
    });

    it("takes a call without arguments (`name()`) as {}", () => {
        expect(run(llamaSyntax, ["||call: read()"]).calls).toEqual([
            { id: "call_0", name: "read", argumentsJson: "{}" },
        ]);
    });

    it.each([
        ["an unknown tool", '||call: write({"a": 1}) done'],
        ["broken JSON", '||call: read({"path": }) done'],
        ["arguments the validator refuses", '||call: broken({"a": 1}) done'],
        ["a missing suffix", '||call: read({"path": "a"}] done'],
        ["the output ending inside the call", '||call: read({"path": "a'],
    ])("returns %s as text, with no call and no deltas", (_name, output) => {
        for (const pieces of [[output], chars(output)]) {
            const r = run(llamaSyntax, pieces);
            expect(r.calls).toEqual([]);
            expect(r.deltas).toEqual([]);
            expect(r.text).toBe(output);
        }
    });

    it("text that only starts like an opening is released once it cannot be one", () => {
        const r = run(llamaSyntax, ["a |", "|c", "x"]);
        expect(r.text).toBe("a ||cx");
        expect(r.calls).toEqual([]);
    });

    it("live: streams the name, then argument fragments as they come", () => {
        const r = run(llamaSyntax, ["||call: read(", '{"pa', 'th": "a"}', ")"], true);
        expect(r.perPiece).toEqual([1, 1, 1, 0]);
        expect(r.deltas).toEqual([
            { index: 0, id: "call_0", name: "read", argumentsJson: "" },
            { index: 0, argumentsJson: '{"pa' },
            { index: 0, argumentsJson: 'th": "a"}' },
        ]);
        expect(r.calls).toHaveLength(1);
    });

    it("not live: a call's deltas come together once it has been validated", () => {
        const r = run(llamaSyntax, ["||call: read(", '{"pa', 'th": "a"}', ")"]);
        expect(r.perPiece).toEqual([0, 0, 0, 3]);
    });
});

import { describe, expect, it } from "vitest";
import { gbnfLiteral, prefixGbnfRules } from "../../../src/engine/toolCallGrammar.js";

describe("prefixGbnfRules", () => {
    it("renames rule definitions and references, not literals, classes or counts", () => {
        const grammar = [
            'root ::= "{" ws "\\"city\\"" ":" string-rule [a-z0-9]{0,4} "rule0 \\" x" rule0',
            'string-rule ::= "\\"" [^"\\\\] "\\""',
            "rule0 ::= [\\]a] | ws",
        ].join("\n");
        expect(prefixGbnfRules(grammar, "tool1-")).toBe(
            [
                'tool1-root ::= "{" tool1-ws "\\"city\\"" ":" tool1-string-rule [a-z0-9]{0,4} "rule0 \\" x" tool1-rule0',
                'tool1-string-rule ::= "\\"" [^"\\\\] "\\""',
                "tool1-rule0 ::= [\\]a] | tool1-ws",
            ].join("\n"),
        );
    });
});

describe("gbnfLiteral", () => {
    it("escapes quotes, backslashes and control characters as GBNF reads them", () => {
        expect(gbnfLiteral('<tool_call>\n{"name": "')).toBe('"<tool_call>\\n{\\"name\\": \\""');
        expect(gbnfLiteral("a\\b\b\f")).toBe('"a\\\\b\\x08\\x0C"');
    });
});

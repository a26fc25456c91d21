import { describe, expect, it } from "vitest";
import { infillPrompt, type InfillTokens } from "../../../src/engine/infillPrompt.js";

/** One token per character (its code point): the layout is then readable back as text. */
const tokenize = (text: string): number[] => Array.from(text, (c) => c.codePointAt(0)!);
const names: Record<number, string> = {
    1: "<BOS>",
    2: "<PRE>",
    3: "<SUF>",
    4: "<MID>",
    5: "<REP>",
    6: "<SEP>",
};
const show = (tokens: readonly number[]): string =>
    tokens.map((t) => names[t] ?? String.fromCodePoint(t)).join("");

const base: InfillTokens = { prefix: 2, suffix: 3, middle: 4, repo: null, fileSeparator: null, bos: null };
const parts = { prefix: "def f(", suffix: ")\n", extraContext: [] };

describe("infillPrompt", () => {
    it("lays out prefix, suffix, middle (PSM), BOS first when the model wants one", () => {
        expect(show(infillPrompt(base, parts, tokenize))).toBe("<PRE>def f(<SUF>)\n<MID>");
        expect(show(infillPrompt({ ...base, bos: 1 }, parts, tokenize))).toBe(
            "<BOS><PRE>def f(<SUF>)\n<MID>",
        );
    });

    it("keeps empty prefix and suffix as bare FIM tokens", () => {
        expect(show(infillPrompt(base, { prefix: "", suffix: "", extraContext: [] }, tokenize))).toBe(
            "<PRE><SUF><MID>",
        );
    });

    it("uses the repo-level pattern when the model has repo and file separators", () => {
        const tokens = { ...base, bos: 1, repo: 5, fileSeparator: 6 };
        const extraContext = [
            { name: "util.py", text: "X = 1\n" },
            { name: "", text: "Y = 2\n" },
        ];
        expect(show(infillPrompt(tokens, { ...parts, extraContext }, tokenize))).toBe(
            "<BOS><REP>myproject\n<SEP>util.py\nX = 1\n<SEP>tmp\nY = 2\n<SEP>filename\n<PRE>def f(<SUF>)\n<MID>",
        );
    });

    it("separates extra context with llama.cpp's snippet line when the model has no file separator", () => {
        const extraContext = [{ name: "util.py", text: "X = 1\n" }];
        expect(show(infillPrompt(base, { ...parts, extraContext }, tokenize))).toBe(
            "\n\n--- snippet ---\n\nX = 1\n<PRE>def f(<SUF>)\n<MID>",
        );
    });
});

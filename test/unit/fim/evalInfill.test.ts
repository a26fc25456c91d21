import { describe, expect, it } from "vitest";
import { editSimilarity, infillSamples } from "../../../models/build/fim/evalInfill.js";

describe("editSimilarity", () => {
    it("is 1 for identical text (surrounding blanks ignored), 0 for nothing in common", () => {
        expect(editSimilarity("  return x;", "return x;\t")).toBe(1);
        expect(editSimilarity("", "")).toBe(1);
        expect(editSimilarity("abc", "xyz")).toBe(0);
        expect(editSimilarity("abc", "")).toBe(0);
    });

    it("is 1 − Levenshtein distance over the longer length", () => {
        expect(editSimilarity("kitten", "sitting")).toBeCloseTo(1 - 3 / 7);
        expect(editSimilarity("return a + b", "return a - b")).toBeCloseTo(1 - 1 / 12);
        expect(editSimilarity("abc", "abcd")).toBe(editSimilarity("abcd", "abc"));
    });
});

describe("infillSamples", () => {
    it("cuts each held-out reference at a line: prefix + middle + suffix is the prompt and reference", () => {
        const samples = infillSamples();
        expect(samples.length).toBe(144);
        for (const s of samples.slice(0, 20)) {
            expect(s.middle).not.toContain("\n");
            expect(s.middle.trim().length).toBeGreaterThanOrEqual(4);
            expect(s.prefix.endsWith("\n")).toBe(true);
            expect(s.suffix.startsWith("\n")).toBe(true);
        }
    });
});

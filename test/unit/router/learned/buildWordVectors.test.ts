import { describe, expect, it } from "vitest";
import { wordVectorsFromWink } from "../../../../models/router/build/buildWordVectors.js";

/** The source's shape: words by frequency, each vector followed by its l2 norm and its word index. */
const source = {
    dimensions: 2,
    words: ["the", ",", "New", "code", "e-mail", "a", "x".repeat(25), "review"],
    vectors: {
        the: [0.5, -0.25, 0.56, 0],
        ",": [1, 1, 1.4, 1],
        New: [0, 1, 1, 2],
        code: [0.1, 0.2, 0.22, 3],
        "e-mail": [1, 0, 1, 4],
        a: [-1, 0, 1, 5],
        ["x".repeat(25)]: [1, 1, 1.4, 6],
        review: [0, -1, 1, 7],
    },
};

describe("wordVectorsFromWink", () => {
    it("keeps the most frequent words the tokenizer can produce, their vectors without norm and index", () => {
        const table = wordVectorsFromWink(source, 3);
        expect(table.size).toBe(3);
        expect(table.dimensions).toBe(2);
        // "," "New" "e-mail" and the 25-letter run are not lower-case words of ≤ 24 letters; "review" is past the limit.
        for (const skipped of [",", "New", "new", "e-mail", "x".repeat(25), "review"])
            expect(table.vectorOf(skipped)).toBeUndefined();
        expect(Array.from(table.vectorOf("the")!)).toEqual([0.5, expect.closeTo(-0.25, 2)]);
        expect(Array.from(table.vectorOf("a")!)).toEqual([-1, 0]);
        expect(table.source).toMatch(/GloVe 6B 100d \(PDDL 1\.0\)/);
    });

    it("refuses a source that lists a word without a vector", () => {
        expect(() => wordVectorsFromWink({ ...source, words: ["the", "code", "gone"] }, 10)).toThrow(
            /"gone" without a 2-value vector/,
        );
    });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TextStream } from "../../../src/engine/TextStream.js";

// A toy detokenizer: token n is the n-th string of this table; 90/91 are the two halves of "é".
const table: Record<number, string> = {
    1: "Hello",
    2: " wor",
    3: "ld",
    4: "\n",
    5: "STOP",
    6: "ST",
    7: "OP",
    8: "S",
};
const utf8 = new TextDecoder();
function detokenize(tokens: readonly number[]): string {
    const bytes: number[] = [];
    for (const t of tokens) {
        if (t === 90) bytes.push(0xc3);
        else if (t === 91) bytes.push(0xa9);
        else bytes.push(...new TextEncoder().encode(table[t] ?? "?"));
    }
    return utf8.decode(new Uint8Array(bytes));
}

describe("TextStream", () => {
    it("passes text through without stop strings", () => {
        const s = new TextStream(detokenize);
        expect(s.push([1, 2]).text).toBe("Hello wor");
        expect(s.push([3]).text).toBe("ld");
        expect(s.flush()).toBe("");
    });

    it("holds back an incomplete UTF-8 character until it completes", () => {
        const s = new TextStream(detokenize);
        expect(s.push([90])).toEqual({ text: "", stopped: false });
        expect(s.push([91]).text).toBe("é");
    });

    it("cuts before a stop string, also when it spans tokens", () => {
        const s = new TextStream(detokenize, ["STOP"]);
        expect(s.push([1])).toEqual({ text: "Hello", stopped: false });
        expect(s.push([6])).toEqual({ text: "", stopped: false }); // "ST" may start "STOP"
        expect(s.push([7])).toEqual({ text: "", stopped: true });
    });

    it("releases held text that turned out not to be a stop string", () => {
        const s = new TextStream(detokenize, ["STOP"]);
        expect(s.push([8]).text).toBe("");
        expect(s.push([4]).text).toBe("S\n");
        expect(s.push([6]).text).toBe("");
        expect(s.flush()).toBe("ST");
    });

    it("picks the earliest of several stop strings", () => {
        const s = new TextStream(detokenize, ["ld", "wor"]);
        expect(s.push([1, 2, 3])).toEqual({ text: "Hello ", stopped: true });
    });

    it("emits the same text however the tokens are grouped into pushes (byte-level tokens)", () => {
        // Token b (0–255) is the byte b, as in byte-level BPE vocabularies' single-byte tokens: a
        // speculative step that accepts several tokens at once pushes a multi-byte character's bytes
        // in one group, plain decoding one by one.
        const bytesOf = (tokens: readonly number[]) => utf8.decode(new Uint8Array(tokens));
        fc.assert(
            fc.property(
                fc.string({ unit: "grapheme", maxLength: 40 }),
                fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 50 }),
                (text, sizes) => {
                    const tokens = [...new TextEncoder().encode(text)];
                    const s = new TextStream(bytesOf);
                    let out = "";
                    for (let at = 0, i = 0; at < tokens.length; i++) {
                        const n = sizes[i % sizes.length]!;
                        out += s.push(tokens.slice(at, at + n)).text;
                        at += n;
                    }
                    out += s.flush();
                    expect(out).toBe(text);
                },
            ),
            { numRuns: 500 },
        );
    });

    it("emits the complete characters of a group and holds only the incomplete tail", () => {
        const s = new TextStream(detokenize);
        expect(s.push([1, 90, 91, 90]).text).toBe("Helloé");
        expect(s.push([91]).text).toBe("é");
        expect(s.flush()).toBe("");
    });

    it("tells a genuine U+FFFD in the text from a character split across tokens", () => {
        // "\uFFFD\u00A0" as bytes EF BF BD C2 A0, one byte per push: the decoded U+FFFD after three
        // bytes is a real character, the one after C2 is a cut.
        const bytesOf = (tokens: readonly number[]) => utf8.decode(new Uint8Array(tokens));
        const s = new TextStream(bytesOf);
        let out = "";
        for (const byte of new TextEncoder().encode("\uFFFD\u00A0")) out += s.push([byte]).text;
        expect(out + s.flush()).toBe("\uFFFD\u00A0");
    });
});

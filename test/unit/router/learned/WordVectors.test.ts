import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ModelError } from "../../../../src/errors/ServiceError.js";
import { maxMeanWords, WordVectors } from "../../../../src/router/learned/WordVectors.js";
import { wordVectors } from "../../../helpers/wordVectors.js";

/** A 3-dimensional table: each word's vector is one-hot-ish so means are easy to check. */
const words = ["parse", "config", "http", "server", "design", "i"];
const raw = Float32Array.from(
    [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [1, 1, 0],
        [-1, 0.5, 0.25],
        [0, 0, -1],
    ].flat(),
);
const tiny = WordVectors.quantize(words, raw, 3, "test");

const cosine = (a: Float32Array, b: Float32Array): number => {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = 0; i < a.length; i++) {
        dot += a[i]! * b[i]!;
        na += a[i]! ** 2;
        nb += b[i]! ** 2;
    }
    return dot / Math.sqrt(na * nb);
};

describe("WordVectors", () => {
    it("round-trips through its file bytes; int8 rows lose at most half a step of their scale", () => {
        // As read from a file: a Node Buffer, here at an offset into a larger allocation.
        const bytes = tiny.toBytes();
        const inFile = Buffer.alloc(bytes.length + 64);
        inFile.set(bytes, 64);
        const back = WordVectors.parse(inFile.subarray(64), "tiny");
        expect([back.dimensions, back.size, back.source]).toEqual([3, words.length, "test"]);
        words.forEach((w, i) => {
            const v = back.vectorOf(w)!;
            const max = Math.max(...raw.subarray(i * 3, i * 3 + 3).map(Math.abs));
            v.forEach((x, d) => {
                expect(Math.abs(x - raw[i * 3 + d]!)).toBeLessThanOrEqual(max / 254 + 1e-7);
            });
        });
        expect(back.vectorOf("unknown")).toBeUndefined();
    });

    it("means the vectors of the words it knows, splitting camel case and acronyms, case-blind", () => {
        const out = new Float32Array(5).fill(9);
        // parseConfig → parse, config; HTTPServer → http, server; "the" is unknown; "I" → i.
        expect(tiny.meanInto("parseConfig the HTTPServer, I", out, 1)).toBe(5);
        const expected = [0 + 0 + 1 + 0 + 0, 1 + 0 + 0 + 1 + 0, 0 + 1 + 0 + 0 - 1].map((x) => x / 5);
        // parse (1,0,0) + config (0,1,0) + http (0,0,1) + server (1,1,0) + i (0,0,-1) = (2, 2, 0) / 5
        expect(expected).toEqual([0.2, 0.4, 0]);
        expect(out[0]).toBe(9);
        expect(out[4]).toBe(9);
        expect(Array.from(out.subarray(1, 4)).map((x) => Number(x.toFixed(5)))).toEqual([0.4, 0.4, 0]);
    });

    it("writes zeros (and finds nothing) in text without known words, overwriting what was there", () => {
        const out = new Float32Array(3).fill(7);
        expect(tiny.meanInto("{} 42 + unknownwords ümlaut", out, 0)).toBe(0);
        expect(Array.from(out)).toEqual([0, 0, 0]);
    });

    it("skips runs of letters too long to be words", () => {
        const out = new Float32Array(3);
        expect(tiny.meanInto(`${"parse".repeat(6)} design`, out, 0)).toBe(1);
        expect(tiny.meanInto("parse".repeat(4), out, 0)).toBe(0);
    });

    it(`reads at most the first ${maxMeanWords} words it finds`, () => {
        const out = new Float32Array(3);
        expect(tiny.meanInto(`${"parse ".repeat(maxMeanWords)} config config`, out, 0)).toBe(maxMeanWords);
        expect(Array.from(out)).toEqual(Array.from(tiny.vectorOf("parse")!));
    });

    it("is the mean of its words' vectors for any text (property)", () => {
        fc.assert(
            fc.property(
                fc.array(fc.constantFrom(...words, "zzz", "The", "  ", "\n", "42"), { maxLength: 30 }),
                (parts) => {
                    const text = parts.join(" ");
                    const out = new Float32Array(3);
                    const found = tiny.meanInto(text, out, 0);
                    const known = parts.filter((p) => words.includes(p));
                    expect(found).toBe(known.length);
                    const sum = [0, 0, 0];
                    for (const w of known) tiny.vectorOf(w)!.forEach((x, d) => (sum[d]! += x));
                    sum.forEach((s, d) => {
                        expect(out[d]).toBeCloseTo(known.length === 0 ? 0 : s / known.length, 5);
                    });
                },
            ),
        );
    });

    it("refuses bytes that are not a table, naming the file and the fix", () => {
        const bytes = tiny.toBytes();
        const bad = [
            new Uint8Array(4),
            bytes.slice(0, bytes.length - 1),
            Uint8Array.from(bytes, (b, i) => (i === 0 ? 0 : b)),
        ];
        for (const b of bad) {
            expect(() => WordVectors.parse(b, "models/x.bin")).toThrow(ModelError);
            expect(() => WordVectors.parse(b, "models/x.bin")).toThrow(
                /models\/x\.bin is not a tiercel word-vector table.*npm run models:router:vectors/,
            );
        }
        expect(() => WordVectors.read("/nonexistent/vectors.bin")).toThrow(
            /cannot read the word-vector table/,
        );
    });

    it("refuses to quantize mismatched or repeated words", () => {
        expect(() => WordVectors.quantize(["a"], new Float32Array(2), 3, "")).toThrow(RangeError);
        expect(() => WordVectors.quantize(["a", "a"], new Float32Array(2), 1, "")).toThrow(/distinct/);
    });

    it("the committed table places words near words of like meaning", () => {
        expect([wordVectors.dimensions, wordVectors.size]).toEqual([100, 30_000]);
        const v = (w: string): Float32Array => {
            const found = wordVectors.vectorOf(w);
            if (found === undefined) throw new Error(`"${w}" is not in the committed table`);
            return found;
        };
        // What the semantic columns are for: a word the cue lists lack lands near one they have.
        expect(cosine(v("overhaul"), v("redesign"))).toBeGreaterThan(cosine(v("overhaul"), v("spelling")));
        expect(cosine(v("intermittent"), v("occasional"))).toBeGreaterThan(
            cosine(v("intermittent"), v("rename")),
        );
        expect(cosine(v("vulnerability"), v("exploit"))).toBeGreaterThan(
            cosine(v("vulnerability"), v("comment")),
        );
    });
});

import { describe, expect, it } from "vitest";
import { chunks, encodeChunk, lineCuts, random } from "../../../models/build/fim/encodeFimCorpus.js";

const fim = { prefix: -1, suffix: -2, middle: -3 };
/** One "token" per character (its code point), so layouts can be read back as text. */
const encode = (text: string, out: number[]): void => {
    for (const c of text) out.push(c.codePointAt(0)!);
};
const text = (ids: readonly number[]): string => String.fromCodePoint(...ids);
/** A generator that returns the given values in order. */
const scripted =
    (...values: number[]) =>
    () =>
        values.shift()!;

describe("encodeChunk", () => {
    const chunk = "0123456789";

    it("keeps a chunk as plain text when the draw is at or above the FIM rate", () => {
        const ids: number[] = [];
        expect(encodeChunk(chunk, ids, { fim, encode, rand: scripted(0.5), fimRate: 0.5 })).toBe(false);
        expect(text(ids)).toBe(chunk);
    });

    it("lays out PSM: prefix, suffix, middle, then end-of-text", () => {
        const ids: number[] = [];
        // FIM draw, cuts at 7 and 3 (sorted to 3..7), PSM draw.
        expect(
            encodeChunk(chunk, ids, { fim, encode, rand: scripted(0.1, 0.7, 0.3, 0.2), fimRate: 0.5 }),
        ).toBe(true);
        const codes = (t: string): number[] => {
            const out: number[] = [];
            encode(t, out);
            return out;
        };
        expect(ids).toEqual([-1, ...codes("012"), -2, ...codes("789"), -3, ...codes("3456"), 0]);
    });

    it("lays out SPM: prefix and suffix tokens, suffix, middle token, prefix and middle, end-of-text", () => {
        const ids: number[] = [];
        encodeChunk(chunk, ids, { fim, encode, rand: scripted(0.1, 0.3, 0.7, 0.9), fimRate: 0.5 });
        expect(ids.slice(0, 2)).toEqual([-1, -2]);
        const mid = ids.indexOf(-3);
        expect(text(ids.slice(2, mid))).toBe("789");
        expect(text(ids.slice(mid + 1, -1))).toBe("0123456");
        expect(ids.at(-1)).toBe(0);
    });

    it("splits at character positions drawn anew for each sample, keeping every character once", () => {
        const rand = random(7);
        const layouts = new Set<string>();
        for (let i = 0; i < 400; i++) {
            const ids: number[] = [];
            encodeChunk(chunk, ids, { fim, encode, rand, fimRate: 1 });
            layouts.add(ids.join(","));
            expect(
                text(ids.filter((t) => t > 0))
                    .split("")
                    .sort()
                    .join(""),
            ).toBe(chunk);
            expect(ids.filter((t) => t <= 0).sort((x, y) => x - y)).toEqual([-3, -2, -1, 0]);
        }
        // 66 pairs of cut points × 2 orders: a fixed split would give one layout; 400 draws give dozens.
        expect(layouts.size).toBeGreaterThan(40);
    });
});

describe("line-level middles", () => {
    const chunk = "alpha\nbeta\ngamma\ndelta\n";

    it("cut from a line's start to the end of a line 1–3 lines on, the newline left to the suffix", () => {
        // 4 lines: draw 0.3 → line 1 ("beta"); draw 0.5 → 1 + floor(1.5) = 2 lines (beta, gamma).
        const [a, b] = lineCuts(chunk, scripted(0.3, 0.5));
        expect([chunk.slice(0, a), chunk.slice(a, b), chunk.slice(b)]).toEqual([
            "alpha\n",
            "beta\ngamma",
            "\ndelta\n",
        ]);
        // The last line: its own trailing newline starts the (otherwise empty) suffix.
        const [c, d] = lineCuts(chunk, scripted(0.99, 0.99));
        expect([chunk.slice(c, d), chunk.slice(d)]).toEqual(["delta", "\n"]);
        // A chunk without a final newline ends its last middle at the chunk's end.
        expect(lineCuts("x\ny", scripted(0.9, 0))).toEqual([2, 3]);
    });

    it("a FIM sample drawn as line-level lays the lines out as its middle (PSM)", () => {
        const ids: number[] = [];
        // FIM draw, line-level draw, line 2 ("gamma") alone, PSM draw.
        encodeChunk(chunk, ids, {
            fim,
            encode,
            rand: scripted(0.1, 0.2, 0.6, 0, 0.2),
            fimRate: 0.5,
            lineRate: 0.5,
        });
        const mid = ids.indexOf(-3);
        expect(text(ids.slice(1, ids.indexOf(-2)))).toBe("alpha\nbeta\n");
        expect(text(ids.slice(ids.indexOf(-2) + 1, mid))).toBe("\ndelta\n");
        expect(text(ids.slice(mid + 1, -1))).toBe("gamma");
    });
});

describe("chunks", () => {
    it("cuts a document into pieces that join back to it, ending at line ends where there is one", () => {
        const doc = Array.from({ length: 400 }, (_, i) => `line ${i} of the document`).join("\n");
        const pieces = [...chunks(doc, random(3))];
        expect(pieces.join("")).toBe(doc);
        expect(pieces.length).toBeGreaterThan(3);
        for (const piece of pieces.slice(0, -1)) expect(piece.endsWith("\n")).toBe(true);
    });
});

/**
 * The cross-request index: drafts come from earlier documents of the same namespace only, their
 * length follows the match length, and memory stays under the cap by evicting least recently used
 * documents (with their keys).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NgramProposer } from "../../../src/speculative/NgramProposer.js";
import { SuffixPool } from "../../../src/speculative/SuffixPool.js";
import { SuffixProposer } from "../../../src/speculative/SuffixProposer.js";

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe("SuffixPool.lookup", () => {
    it("drafts the continuation of an earlier document, longer as the match grows", () => {
        const pool = new SuffixPool({ keyN: 4 });
        pool.add("a", range(0, 100)); // 0 1 2 ... 99
        // Only the key (4 tokens) matches: one token.
        expect(pool.lookup("a", [77, 16, 17, 18, 19], 8)).toMatchObject({ tokens: [20], matchLength: 4 });
        // 7 tokens match: 4 tokens.
        expect(pool.lookup("a", [9, 13, 14, 15, 16, 17, 18, 19], 8)).toMatchObject({
            tokens: [20, 21, 22, 23],
            matchLength: 7,
        });
        // A long match drafts up to maxTokens, and never past the document's end.
        expect(pool.lookup("a", range(0, 40), 8).tokens).toEqual(range(40, 48));
        expect(pool.lookup("a", range(80, 97), 8).tokens).toEqual([97, 98, 99]);
        expect(pool.lookup("a", range(80, 100), 8).tokens).toEqual([]);
    });

    it("follows the document a request is regenerating where a later repetition holds the key", () => {
        // A document whose line "1 2 3 4 x" repeats: the index keeps the key's latest occurrence, the last
        // repetition, 2 tokens from the document's end.
        const line = (x: number): number[] => [1, 2, 3, 4, x];
        const doc = [50, 51, 52, ...line(60), ...line(61), 53, 54, 55, 56, 57, 58, ...line(62), 70, 71];
        const pool = new SuffixPool({ keyN: 4 });
        pool.add("a", doc);
        // Regenerating the document: the history is its first 7 tokens.
        const history = doc.slice(0, 7);
        const alone = pool.lookup("a", history, 8);
        expect(alone.matchLength).toBe(4); // the last repetition: only the key matches, one token
        expect(alone.tokens).toEqual([62]);
        // With the cursor of a lookup two tokens earlier, the request's own place: 7 tokens matched.
        const earlier = pool.lookup("a", doc.slice(0, 5), 8);
        expect(earlier.tokens).toEqual(doc.slice(5, 7));
        const followed = pool.lookup("a", history, 8, earlier.cursor);
        expect(followed.matchLength).toBe(7);
        expect(followed.tokens).toEqual(doc.slice(7, 11));
        expect(followed.cursor).toEqual({ serial: earlier.cursor!.serial, pos: 7, historyLength: 7 });
    });

    it("takes the index's hit when the cursor's position no longer matches", () => {
        const pool = new SuffixPool({ keyN: 4 });
        pool.add("a", range(0, 100));
        const first = pool.lookup("a", range(0, 10), 8);
        // The history went another way (a rejected draft's correction, then tokens from elsewhere).
        const moved = [...range(0, 10), 500, ...range(40, 50)];
        const next = pool.lookup("a", moved, 8, first.cursor);
        expect(next.tokens).toEqual(range(50, 57)); // 10 tokens matched: 7 drafted
        expect(next.cursor?.pos).toBe(50);
        // A cursor into an evicted document is ignored.
        pool.add("a", range(200, 300)); // does not extend the first: both kept
        expect(
            pool.lookup("a", range(200, 210), 4, { serial: 999, pos: 5, historyLength: 3 }).tokens,
        ).toEqual(range(210, 214));
    });

    it("finds nothing for unseen suffixes, short histories and maxTokens 0", () => {
        const pool = new SuffixPool({ keyN: 4 });
        pool.add("a", range(0, 20));
        expect(pool.lookup("a", [1, 2, 3, 5], 8).tokens).toEqual([]);
        expect(pool.lookup("a", [1, 2, 3], 8).tokens).toEqual([]);
        expect(pool.lookup("a", range(0, 10), 0).tokens).toEqual([]);
    });

    it("never drafts one namespace's text for another", () => {
        const pool = new SuffixPool();
        pool.add("tenant-a", range(0, 50));
        expect(pool.lookup("tenant-a", range(0, 20), 8).tokens).toEqual(range(20, 28));
        expect(pool.lookup("tenant-b", range(0, 20), 8).tokens).toEqual([]);
        expect(pool.lookup("", range(0, 20), 8).tokens).toEqual([]);
    });

    it("never drafts across namespaces, whatever was added (property)", () => {
        const doc = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 5, maxLength: 40 });
        fc.assert(
            fc.property(fc.array(fc.tuple(fc.boolean(), doc), { maxLength: 10 }), doc, (adds, history) => {
                const pool = new SuffixPool({ keyN: 2, maxTokens: 120 });
                const onlyB = new SuffixPool({ keyN: 2, maxTokens: 120 });
                for (const [isA, tokens] of adds) {
                    pool.add(isA ? "a" : "b", tokens);
                    if (!isA) onlyB.add("b", tokens);
                }
                // What b gets never depends on a's documents... except through the shared cap, which
                // can only evict: b's drafts are then a subset (a miss), never a's text.
                const got = pool.lookup("b", history, 8).tokens;
                if (got.length > 0) expect(got).toEqual(onlyB.lookup("b", history, 8).tokens);
            }),
        );
    });
});

describe("SuffixPool memory", () => {
    it("keeps at most maxTokens indexed tokens, evicting the least recently used document and its keys", () => {
        const pool = new SuffixPool({ maxTokens: 100, keyN: 4 });
        pool.add("a", range(0, 40));
        pool.add("a", range(1000, 1040));
        expect(pool.lookup("a", range(0, 10), 4).tokens).toEqual([10, 11, 12, 13]); // refreshes doc 1
        pool.add("b", range(2000, 2040)); // 120 > 100: the least recently used (doc 2) goes
        expect(pool.indexedTokens).toBe(80);
        expect(pool.documents).toBe(2);
        expect(pool.lookup("a", range(1000, 1010), 4).tokens).toEqual([]);
        expect(pool.lookup("a", range(0, 10), 4).tokens).toEqual([10, 11, 12, 13]);
        expect(pool.lookup("b", range(2000, 2010), 4).tokens).toEqual([2010, 2011, 2012, 2013]);
    });

    it("keys shared with an evicted document keep pointing at the surviving one", () => {
        const pool = new SuffixPool({ maxTokens: 60, keyN: 4 });
        pool.add("a", [...range(0, 10), ...range(500, 520)]); // 30 tokens
        pool.add("a", [...range(0, 10), ...range(600, 620)]); // same first 10 tokens, later continuation
        pool.add("a", range(700, 730)); // evicts the first document
        expect(pool.lookup("a", range(0, 10), 4).tokens).toEqual([600, 601, 602, 603]);
    });

    it("keeps only the tail of a document longer than the cap", () => {
        const pool = new SuffixPool({ maxTokens: 50, keyN: 4 });
        pool.add("a", range(0, 200));
        expect(pool.indexedTokens).toBe(50);
        expect(pool.lookup("a", range(150, 160), 4).tokens).toEqual([160, 161, 162, 163]);
        expect(pool.lookup("a", range(10, 20), 4).tokens).toEqual([]);
    });

    it("replaces a document by the next turn that contains it instead of indexing it twice", () => {
        const pool = new SuffixPool({ keyN: 4 });
        const turn1 = range(0, 30);
        pool.add("a", turn1);
        pool.add("a", [...turn1.slice(0, -1), ...range(100, 130)]); // its last token (end of turn) differs
        expect(pool.documents).toBe(1);
        expect(pool.indexedTokens).toBe(59);
        pool.add("a", range(300, 330)); // unrelated: kept alongside
        expect(pool.documents).toBe(2);
    });

    it("validates its options", () => {
        expect(() => new SuffixPool({ maxTokens: 0 })).toThrow(/maxTokens must be an integer ≥ 1, got 0/);
        expect(() => new SuffixPool({ keyN: 1 })).toThrow(/keyN must be an integer in \[2, 32\], got 1/);
    });
});

describe("SuffixProposer", () => {
    it("drafts from the session's earlier requests and indexes its own request on release", () => {
        const pool = new SuffixPool({ keyN: 4 });
        const first = new SuffixProposer(pool, "s");
        first.begin(range(0, 10));
        expect(first.propose(range(0, 10), 4).tokens).toEqual([]); // nothing earlier yet
        first.release(range(0, 40));
        const retry = new SuffixProposer(pool, "s");
        expect(retry.propose(range(0, 10), 4)).toEqual({ tokens: [10, 11, 12, 13], matchLength: 10 });
        expect(new SuffixProposer(pool, "other").propose(range(0, 10), 4).tokens).toEqual([]);
    });

    it("drafts from the request's own text too, the longer match winning, by the pool's length rule", () => {
        const pool = new SuffixPool({ keyN: 4 });
        // An answer repeating its own line (100..109) with nothing earlier in the pool.
        const line = range(100, 110);
        const own = new SuffixProposer(pool, "s", new NgramProposer());
        own.begin([1, 2, 3]);
        const repeating = [1, 2, 3, ...line, ...line.slice(0, 7)];
        // 7 tokens match (100..106): 7 − 4 + 1 = 4 tokens, as the pool would draft them.
        expect(own.propose(repeating, 8)).toEqual({ tokens: [107, 108, 109, 100], matchLength: 7 });
        // A match shorter than the pool's key drafts nothing, as in the pool.
        expect(own.propose([1, 2, 3, 50, 51, 52, 1, 2, 3], 8)).toEqual({ tokens: [], matchLength: 0 });
        expect(new SuffixProposer(pool, "s").propose(repeating, 8).tokens).toEqual([]); // pool only

        // An earlier request holding a longer match of the same history wins over the request's own.
        pool.add("s", [...range(0, 20), 1, 2, 3, ...line, ...line.slice(0, 7), 500, 501]);
        const retry = new SuffixProposer(pool, "s", new NgramProposer());
        retry.begin([1, 2, 3]);
        expect(retry.propose(repeating, 8)).toEqual({ tokens: [500, 501], matchLength: 20 });
        // And the request's own longer match wins over a short one in the pool.
        const other = new SuffixPool({ keyN: 4 });
        other.add("s", [900, 104, 105, 106, 700, 701]);
        const mixed = new SuffixProposer(other, "s", new NgramProposer());
        expect(mixed.propose(repeating, 8)).toEqual({ tokens: [107, 108, 109, 100], matchLength: 7 });
    });

    it("property: a session's drafts never hold another session's tokens, the slot's index reused or not", () => {
        // Session "a" and its requests use tokens 0..5 (matches are common); "b" the same mixed with
        // tokens ≥ 1000, which a draft for "a" copied from b's text would show.
        const small = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 5, maxLength: 60 });
        const large = fc.array(
            fc.oneof(
                { arbitrary: fc.integer({ min: 0, max: 5 }), weight: 3 },
                { arbitrary: fc.integer({ min: 1000, max: 1005 }), weight: 1 },
            ),
            { minLength: 5, maxLength: 60 },
        );
        fc.assert(
            fc.property(
                fc.array(small, { maxLength: 3 }),
                fc.array(large, { minLength: 1, maxLength: 3 }),
                small,
                (aDocs, bDocs, history) => {
                    const pool = new SuffixPool({ keyN: 4 });
                    for (const d of aDocs) pool.add("a", d);
                    for (const d of bDocs) pool.add("b", d);
                    // The slot served session b last: its n-gram index holds b's request.
                    const slotIndex = new NgramProposer();
                    slotIndex.begin(bDocs[0]!);
                    slotIndex.propose(bDocs[0]!, 8);
                    const proposer = new SuffixProposer(pool, "a", slotIndex);
                    proposer.begin(history.slice(0, 3));
                    for (let end = 4; end <= history.length; end++) {
                        const { tokens } = proposer.propose(history.slice(0, end), 8);
                        expect(tokens.every((t) => t < 1000)).toBe(true);
                    }
                },
            ),
            { numRuns: 300 },
        );
    });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { NgramProposer } from "../../../src/speculative/NgramProposer.js";
import type { DraftProposer, Token } from "../../../src/speculative/types.js";

describe("NgramProposer", () => {
    it("is a synchronous, deterministic DraftProposer with id ngram", () => {
        const proposer: DraftProposer = new NgramProposer();
        expect(proposer.id).toBe("ngram");
        const proposal = proposer.propose([1, 2, 3, 4, 1, 2], 2);
        expect(proposal).not.toBeInstanceOf(Promise);
        expect(proposal).toEqual({ tokens: [3, 4] });
    });

    it("follows history as it grows from begin through proposals", () => {
        const proposer = new NgramProposer();
        const history: Token[] = [10, 11, 12, 13, 14, 10, 11];
        proposer.begin(history);
        expect(proposer.propose(history, 3).tokens).toEqual([12, 13, 14]);
        history.push(12, 13, 14, 10); // all 3 drafted tokens accepted, plus the bonus token 10
        expect(proposer.propose(history, 2).tokens).toEqual([11, 12]);
    });

    it("rebuilds when history is not an extension (truncated or a new request)", () => {
        const proposer = new NgramProposer();
        expect(proposer.propose([1, 2, 3, 1, 2], 1).tokens).toEqual([3]);
        expect(proposer.propose([1, 2, 7, 1, 2], 1).tokens).toEqual([7]);
        expect(proposer.propose([1, 2], 1).tokens).toEqual([]);
        proposer.release();
        proposer.begin([4, 5, 6, 4, 5]);
        expect(proposer.propose([4, 5, 6, 4, 5], 1).tokens).toEqual([6]);
    });

    it("proposes what a fresh proposer would, whatever the sequence of histories", () => {
        const history = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 });
        // Each step either extends the previous history or replaces it.
        const step = fc.tuple(fc.boolean(), history);
        fc.assert(
            fc.property(
                fc.array(step, { maxLength: 8 }),
                fc.integer({ min: 0, max: 6 }),
                (steps, maxTokens) => {
                    const proposer = new NgramProposer({ minN: 1, maxN: 3 });
                    let current: Token[] = [];
                    for (const [extend, tokens] of steps) {
                        current = extend ? [...current, ...tokens] : tokens;
                        const fresh = new NgramProposer({ minN: 1, maxN: 3 }).propose(current, maxTokens);
                        expect(proposer.propose(current, maxTokens)).toEqual(fresh);
                    }
                },
            ),
        );
    });

    it("kept from request to request (one per slot), proposes what a fresh one would for each request", () => {
        const tokens = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 });
        // A request: a prompt sharing some prefix with the last request's history, then generated tokens.
        const request = fc.tuple(fc.nat(50), tokens, tokens);
        fc.assert(
            fc.property(fc.array(request, { minLength: 1, maxLength: 6 }), (requests) => {
                const kept = new NgramProposer({ minN: 1, maxN: 3 });
                let last: Token[] = [];
                for (const [shared, own, generated] of requests) {
                    const prompt = [...last.slice(0, shared), ...own];
                    const fresh = new NgramProposer({ minN: 1, maxN: 3 });
                    kept.begin(prompt);
                    fresh.begin(prompt);
                    const history = [...prompt];
                    for (const token of [undefined, ...generated]) {
                        if (token !== undefined) history.push(token);
                        expect(kept.propose(history, 5)).toEqual(fresh.propose(history, 5));
                    }
                    kept.release();
                    last = history;
                }
            }),
        );
    });

    it("proposes what a fresh proposer would when one history array grows in place (the engine's way)", () => {
        fc.assert(
            fc.property(
                fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 30 }), { maxLength: 10 }),
                fc.integer({ min: 1, max: 6 }),
                (chunks, maxTokens) => {
                    const proposer = new NgramProposer({ minN: 1, maxN: 3 });
                    const history: Token[] = [];
                    proposer.begin(history);
                    for (const chunk of chunks) {
                        history.push(...chunk);
                        const fresh = new NgramProposer({ minN: 1, maxN: 3 }).propose(history, maxTokens);
                        expect(proposer.propose(history, maxTokens)).toEqual(fresh);
                    }
                },
            ),
        );
    });

    it("rebuilds when the same array was cut and regrown differently within its last indexed tokens", () => {
        const proposer = new NgramProposer();
        const history: Token[] = [1, 2, 3, 1, 2];
        expect(proposer.propose(history, 1).tokens).toEqual([3]);
        history.length = 2;
        history.push(7, 1, 2, 9);
        // A stale index would still say 3 after [1, 2]; the tail check sees the edit.
        expect(proposer.propose(history, 1).tokens).toEqual([]);
        history.push(1, 2);
        expect(proposer.propose(history, 1).tokens).toEqual([9]);
    });
});

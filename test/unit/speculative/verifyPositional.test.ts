import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { createRandom } from "../../../src/speculative/createRandom.js";
import { positionDraws } from "../../../src/speculative/positionDraws.js";
import { probabilityOf, sampleAt } from "../../../src/speculative/sampleDistribution.js";
import type { Token, TokenDistribution } from "../../../src/speculative/types.js";
import { smallDistArb, toDist } from "../../helpers/distributions.js";
import { verifyGreedy } from "../../../src/speculative/verifyGreedy.js";
import { verifyPositional } from "../../../src/speculative/verifyPositional.js";

const vocab = 6;

/** A toy target: the next token's distribution depends on the last token (a Markov chain over the vocabulary). */
function markovTarget(seed: number): TokenDistribution[] {
    const random = createRandom(seed);
    return Array.from({ length: vocab }, () =>
        toDist(Array.from({ length: vocab }, () => (random() < 0.2 ? 0 : -Math.log(1 - random())))),
    );
}

/** What plain decoding samples: one token per position, each with its position's draw. */
function plainDecode(target: TokenDistribution[], draws: (p: number) => number, first: Token, n: number) {
    const out = [first];
    for (let p = 1; p <= n; p++) out.push(sampleAt(target[out[p - 1]!]!, draws(p)));
    return out.slice(1);
}

/**
 * Speculative decoding of the same toy target: each step drafts 0–5 tokens (from a drafter that guesses the
 * plain output at `skill` rate, else a random token) and verifies them with verifyPositional.
 */
function speculativeDecode(
    target: TokenDistribution[],
    draws: (p: number) => number,
    first: Token,
    n: number,
    drafting: () => number,
    skill: number,
) {
    const oracle = plainDecode(target, draws, first, n + 6);
    const out = [first];
    let accepted = 0;
    let drafted = 0;
    while (out.length <= n) {
        const k = Math.floor(drafting() * 6);
        const draft: Token[] = [];
        for (let i = 0; i < k; i++)
            draft.push(drafting() < skill ? oracle[out.length - 1 + i]! : Math.floor(drafting() * vocab));
        const dists = [target[out[out.length - 1]!]!, ...draft.map((t) => target[t]!)];
        const outcome = verifyPositional(draft, dists, draws, out.length);
        accepted += outcome.acceptedTokens;
        drafted += k;
        out.push(...outcome.tokens);
    }
    return { tokens: out.slice(1, n + 1), accepted, drafted };
}

describe("verifyPositional", () => {
    it("outputs what plain decoding samples with the same draws, whatever is drafted", () => {
        for (let seed = 0; seed < 20; seed++) {
            const target = markovTarget(seed);
            const draws = positionDraws(seed);
            const plain = plainDecode(target, draws, 0, 300);
            for (const skill of [0, 0.5, 0.9]) {
                const spec = speculativeDecode(target, draws, 0, 300, createRandom(seed * 7 + 1), skill);
                expect(spec.tokens).toEqual(plain);
                if (skill > 0) expect(spec.accepted).toBeGreaterThan(0);
            }
        }
    });

    it("is verifyGreedy on the target's own samples, sampling only up to the first mismatch", () => {
        const caseArb = fc.integer({ min: 0, max: 4 }).chain((k) =>
            fc.record({
                targetDists: fc.array(smallDistArb, { minLength: k + 1, maxLength: k + 1 }),
                draft: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: k, maxLength: k }),
                seed: fc.integer(),
                first: fc.integer({ min: 0, max: 1e6 }),
            }),
        );
        fc.assert(
            fc.property(caseArb, ({ targetDists, draft, seed, first }) => {
                const draws = positionDraws(seed);
                const asked: number[] = [];
                const outcome = verifyPositional(
                    draft,
                    targetDists,
                    (p) => {
                        asked.push(p);
                        return draws(p);
                    },
                    first,
                );
                const samples = targetDists.map((d, i) => sampleAt(d, draws(first + i)));
                expect(outcome).toEqual(verifyGreedy(draft, samples));
                expect(asked).toEqual(outcome.tokens.map((_, i) => first + i));
                outcome.tokens.forEach((t, i) => {
                    expect(probabilityOf(targetDists[i]!, t)).toBeGreaterThan(0);
                });
            }),
        );
    });

    it("keeps a draft token with probability p(token), as speculative sampling does for a one-hot draft", () => {
        const trials = 100_000;
        const p = toDist([0.1, 0.3, 0.6]);
        const draws = positionDraws(11);
        for (const x of [0, 1, 2]) {
            let kept = 0;
            for (let i = 0; i < trials; i++)
                kept += verifyPositional([x], [p, p], draws, i * 2).acceptedTokens;
            const expected = probabilityOf(p, x);
            // Three standard deviations of a binomial share.
            expect(Math.abs(kept / trials - expected)).toBeLessThan(
                3 * Math.sqrt((expected * (1 - expected)) / trials),
            );
        }
    });

    it("throws a RangeError on wrong lengths", () => {
        const d = toDist([1, 1]);
        expect(() => verifyPositional([0], [d], positionDraws(1), 0)).toThrow(RangeError);
        expect(() => verifyPositional([], [d, d], positionDraws(1), 0)).toThrow(RangeError);
    });
});

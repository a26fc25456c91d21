import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { createRandom } from "../../../src/speculative/createRandom.js";
import { probabilityOf, sampleDistribution } from "../../../src/speculative/sampleDistribution.js";
import type { Token, TokenDistribution, VerifyOutcome } from "../../../src/speculative/types.js";
import { smallDistArb, toDist } from "../../helpers/distributions.js";
import { verifyStochastic } from "../../../src/speculative/verifyStochastic.js";

const vocab = 6;
const trials = 200_000;
/** Chi-square critical value for df = vocab - 1 = 5 at significance 0.001. */
const chiSquareCritical = 20.515;

/** Dirichlet(1, ..., 1) sample (uniform on the simplex); `zeroAt` tokens get probability 0. */
function randomDist(random: () => number, zeroAt: readonly Token[] = []): TokenDistribution {
    return toDist(
        Array.from({ length: vocab }, (_, t) => (zeroAt.includes(t) ? 0 : -Math.log(1 - random()))),
    );
}

function chiSquare(counts: readonly number[], expected: TokenDistribution): number {
    let statistic = 0;
    for (let t = 0; t < vocab; t++) {
        const e = probabilityOf(expected, t) * trials;
        statistic += (counts[t]! - e) ** 2 / e;
    }
    return statistic;
}

function countFirstTokens(emitFirst: () => Token): number[] {
    const counts = new Array<number>(vocab).fill(0);
    for (let i = 0; i < trials; i++) counts[emitFirst()]!++;
    return counts;
}

/** Scenario: k = 3 positions, target p_0..p_3, draft q_0..q_2 (undefined = deterministic drafter). */
function scenario(seed: number, stochasticDraft: boolean) {
    const random = createRandom(seed);
    const targetDists = Array.from({ length: 4 }, () => randomDist(random));
    // The draft never proposes token 0 (q(0) = 0): the residual must cover tokens outside supp(q).
    const draftDists = stochasticDraft ? Array.from({ length: 3 }, () => randomDist(random, [0])) : undefined;
    const fixedDraft = [1, 5, 2];
    const drawDraft = (): Token[] =>
        draftDists === undefined ? fixedDraft : draftDists.map((q) => sampleDistribution(q, random));
    return { random, targetDists, draftDists, drawDraft };
}

/** Deliberately wrong: on rejection resamples from p instead of norm(max(0, p − q)). First token only. */
function wrongFirstToken(
    draft: readonly Token[],
    draftDists: readonly TokenDistribution[] | undefined,
    targetDists: readonly TokenDistribution[],
    random: () => number,
): Token {
    const x = draft[0]!;
    const p = probabilityOf(targetDists[0]!, x);
    const q = draftDists === undefined ? 1 : probabilityOf(draftDists[0]!, x);
    return random() * q < p ? x : sampleDistribution(targetDists[0]!, random);
}

describe("verifyStochastic: distribution of the first emitted token equals p_0 (chi-square, df=5, α=0.001)", () => {
    it.each([
        { name: "stochastic draft q", seed: 1, stochasticDraft: true },
        { name: "stochastic draft q", seed: 2, stochasticDraft: true },
        { name: "greedy draft (one-hot q)", seed: 3, stochasticDraft: false },
        { name: "greedy draft (one-hot q)", seed: 4, stochasticDraft: false },
    ])("$name, seed $seed", ({ seed, stochasticDraft }) => {
        const { random, targetDists, draftDists, drawDraft } = scenario(seed, stochasticDraft);
        const counts = countFirstTokens(
            () => verifyStochastic(drawDraft(), draftDists, targetDists, random).tokens[0]!,
        );
        expect(chiSquare(counts, targetDists[0]!)).toBeLessThan(chiSquareCritical);
    });

    it.each([
        { name: "stochastic draft q", seed: 1, stochasticDraft: true },
        { name: "greedy draft (one-hot q)", seed: 3, stochasticDraft: false },
    ])(
        "has power: resampling from p instead of the residual fails it ($name)",
        ({ seed, stochasticDraft }) => {
            const { random, targetDists, draftDists, drawDraft } = scenario(seed, stochasticDraft);
            const counts = countFirstTokens(() =>
                wrongFirstToken(drawDraft(), draftDists, targetDists, random),
            );
            expect(chiSquare(counts, targetDists[0]!)).toBeGreaterThan(chiSquareCritical);
        },
    );
});

const caseArb = fc.integer({ min: 0, max: 4 }).chain((k) =>
    fc.record({
        targetDists: fc.array(smallDistArb, { minLength: k + 1, maxLength: k + 1 }),
        draftDists: fc.option(fc.array(smallDistArb, { minLength: k, maxLength: k }), { nil: undefined }),
        greedyDraft: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: k, maxLength: k }),
        seed: fc.integer(),
    }),
);

function checkOutcome(
    outcome: VerifyOutcome,
    draft: readonly Token[],
    targetDists: readonly TokenDistribution[],
): void {
    const { acceptedTokens, tokens, lastKind } = outcome;
    expect(acceptedTokens).toBeGreaterThanOrEqual(0);
    expect(acceptedTokens).toBeLessThanOrEqual(draft.length);
    expect(tokens.length).toBe(acceptedTokens + 1);
    expect(tokens.slice(0, acceptedTokens)).toEqual(draft.slice(0, acceptedTokens));
    expect(lastKind).toBe(acceptedTokens === draft.length ? "bonus" : "recovered");
    // Every emitted token is possible under the target at its position.
    tokens.forEach((t, i) => {
        expect(probabilityOf(targetDists[i]!, t)).toBeGreaterThan(0);
    });
}

describe("verifyStochastic: properties", () => {
    it("emits the accepted draft prefix plus one token the target allows", () => {
        fc.assert(
            fc.property(caseArb, ({ targetDists, draftDists, greedyDraft, seed }) => {
                const random = createRandom(seed);
                const draft = draftDists?.map((q) => sampleDistribution(q, random)) ?? greedyDraft;
                checkOutcome(verifyStochastic(draft, draftDists, targetDists, random), draft, targetDists);
            }),
        );
    });

    it("accepts every draft token when q equals p", () => {
        fc.assert(
            fc.property(caseArb, ({ targetDists, seed }) => {
                const random = createRandom(seed);
                const draftDists = targetDists.slice(0, -1);
                const draft = draftDists.map((q) => sampleDistribution(q, random));
                expect(verifyStochastic(draft, draftDists, targetDists, random).acceptedTokens).toBe(
                    draft.length,
                );
            }),
        );
    });

    it("rejects a token the target cannot produce and recovers from p without it (one-hot q)", () => {
        const targetDists = [toDist([0, 1, 1]), toDist([1])];
        for (let seed = 0; seed < 50; seed++) {
            const outcome = verifyStochastic([0], undefined, targetDists, createRandom(seed));
            expect(outcome.acceptedTokens).toBe(0);
            expect([1, 2]).toContain(outcome.tokens[0]);
        }
        // p one-hot on another token: the recovered token is that token.
        expect(verifyStochastic([3], undefined, [toDist([0, 1]), toDist([1])], Math.random).tokens).toEqual([
            1,
        ]);
    });

    it("falls back to p when the residual mass is ~0", () => {
        // q is p scaled up by a rounding-sized amount, so x is rejected with tiny probability; force it.
        const p = { tokens: [0, 1], probs: [0.5, 0.5] };
        const q = { tokens: [0, 1], probs: [0.5 + 1e-15, 0.5] };
        const outcome = verifyStochastic([0], [q], [p, p], () => 0.9999999999999999);
        expect(outcome.acceptedTokens).toBe(0);
        expect([0, 1]).toContain(outcome.tokens[0]);
    });

    it("throws a RangeError on wrong lengths or a draft token with q = 0", () => {
        const d = toDist([1, 1]);
        expect(() => verifyStochastic([0], undefined, [d], Math.random)).toThrow(RangeError);
        expect(() => verifyStochastic([0], [d, d], [d, d], Math.random)).toThrow(RangeError);
        expect(() => verifyStochastic([2], [d], [d, d], Math.random)).toThrow(RangeError);
    });
});

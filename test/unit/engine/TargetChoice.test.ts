import { describe, expect, it } from "vitest";
import type { ControlledEvaluateIndexOutput, Token as LlamaToken } from "node-llama-cpp";
import type { ResolvedSampling } from "../../../src/engine/resolveSampling.js";
import {
    grammarTopK,
    listingDecides,
    nextTokenRequest,
    TargetChoice,
    toDistribution,
    unlisted,
    type TargetChoiceOptions,
} from "../../../src/engine/TargetChoice.js";
import type { Token } from "../../../src/speculative/types.js";

const greedy: ResolvedSampling = {
    temperature: 0,
    topK: 40,
    topP: 0.95,
    minP: 0,
    seed: 1,
    penalties: undefined,
    logitBias: undefined,
};
const sampled: ResolvedSampling = { ...greedy, temperature: 0.7 };
const bias = new Map() as unknown as TargetChoiceOptions["tokenBias"];

function options(o: Partial<TargetChoiceOptions>): TargetChoiceOptions {
    return {
        sampling: greedy,
        tokenBias: undefined,
        constrained: false,
        confidence: false,
        grammarList: 0,
        draws: undefined,
        ...o,
    };
}

/** A position's output as node-llama-cpp returns it: the map sorted, most likely first. */
function output(map: [number, number][], token?: number, confidence?: number): ControlledEvaluateIndexOutput {
    return {
        next: {
            probabilities: new Map(map as [LlamaToken, number][]),
            ...(token !== undefined && { token: token as LlamaToken }),
            // What node-llama-cpp returns when asked for totalLogitWeight (greedyConfidence.ts).
            ...(confidence !== undefined && { totalLogitWeight: 1 / confidence }),
        },
    };
}

const map: [number, number][] = [
    [7, 0.5],
    [3, 0.3],
    [9, 0.2],
];
const only = (...allowed: Token[]) => ({ allows: (t: Token) => allowed.includes(t) });

describe("nextTokenRequest", () => {
    it("without a grammar lets node-llama-cpp choose at temperature 0 and returns the post-chain map above", () => {
        // Confidence wanted: the total logit weight (an O(V) sum) instead of `confidence` (a sort).
        expect(nextTokenRequest(greedy, bias, false, true, 0)).toEqual({
            token: true,
            totalLogitWeight: true,
            options: { temperature: 0, tokenBias: bias },
        });
        expect(nextTokenRequest(greedy, bias, false, false, 0)).toEqual({
            token: true,
            options: { temperature: 0, tokenBias: bias },
        });
        expect(nextTokenRequest(sampled, bias, false, false, 0)).toEqual({
            probabilities: true,
            options: { temperature: 0.7, topK: 40, topP: 0.95, minP: 0, tokenBias: bias },
        });
    });
    it("under a grammar asks for the full map at temperature 0, or the top-k list when listing", () => {
        expect(nextTokenRequest(greedy, bias, true, false, 0)).toEqual({
            probabilities: true,
            options: { temperature: 0, tokenBias: bias },
        });
        expect(nextTokenRequest(greedy, bias, true, false, grammarTopK)).toEqual({
            probabilities: true,
            options: { temperature: 1, topK: grammarTopK, topP: 1, minP: 0, tokenBias: bias },
        });
        expect(nextTokenRequest(greedy, bias, true, false, 8).options).toMatchObject({ topK: 8 });
    });
    it("under a grammar at temperature > 0 asks for the full untempered map (the chain comes after the mask)", () => {
        expect(nextTokenRequest(sampled, bias, true, false, 0)).toEqual({
            probabilities: true,
            options: { temperature: 1, topK: 0, topP: 1, minP: 0, tokenBias: bias },
        });
    });
});

describe("toDistribution", () => {
    it("keeps the map's order and drops zero entries", () => {
        expect(toDistribution(output([...map, [4, 0]]))).toEqual({
            tokens: [7, 3, 9],
            probs: [0.5, 0.3, 0.2],
        });
    });
    it("fails clearly on a position without output", () => {
        expect(() => toDistribution(undefined)).toThrow(/no next-token output/);
    });
});

describe("TargetChoice", () => {
    it("lists the top k at temperature 0 only under a grammar, with a large vocabulary, without confidence", () => {
        const listed = { constrained: true, grammarList: grammarTopK };
        expect(new TargetChoice(options(listed)).listTopK).toBe(true);
        expect(new TargetChoice(options({ ...listed, confidence: true })).listTopK).toBe(false);
        expect(new TargetChoice(options({ ...listed, grammarList: 0 })).listTopK).toBe(false);
        expect(new TargetChoice(options({ ...listed, constrained: false })).listTopK).toBe(false);
    });

    it("lists at temperature > 0 only with top-k on and no larger than the list", () => {
        const listed = { constrained: true, grammarList: grammarTopK, draws: () => 0 };
        expect(new TargetChoice(options({ ...listed, sampling: sampled })).listTopK).toBe(true);
        expect(new TargetChoice(options({ ...listed, sampling: { ...sampled, topK: 0 } })).listTopK).toBe(
            false,
        );
        expect(
            new TargetChoice(options({ ...listed, sampling: { ...sampled, topK: grammarTopK + 1 } }))
                .listTopK,
        ).toBe(false);
        expect(listingDecides(sampled, true)).toBe(true);
        expect(listingDecides(greedy, true)).toBe(false);
        // A configured list (engine.grammarTopK) decides only for top_k within it.
        expect(listingDecides(sampled, false, 40)).toBe(true);
        expect(listingDecides(sampled, false, 39)).toBe(false);
        expect(new TargetChoice(options({ ...listed, grammarList: 8, sampling: sampled })).listTopK).toBe(
            false,
        );
    });

    it("needs draws at temperature > 0", () => {
        expect(() => new TargetChoice(options({ sampling: sampled }))).toThrow(/needs draws/);
    });

    it("picks node-llama-cpp's token at temperature 0 without a grammar, with its confidence", () => {
        const choice = new TargetChoice(options({ confidence: true }));
        expect(choice.pick(output(map, 3, 0.25), undefined, 0)).toBe(3);
        expect(choice.pickedLogprob).toBeCloseTo(Math.log(0.25));
    });

    it("picks the most likely allowed token under a grammar at temperature 0", () => {
        const choice = new TargetChoice(options({ constrained: true, confidence: true }));
        expect(choice.pick(output(map), only(9, 3), 0)).toBe(3);
        expect(choice.pickedLogprob).toBeCloseTo(Math.log(0.3));
        expect(choice.greedyLogprob(output(map), 9)).toBeCloseTo(Math.log(0.2));
    });

    it("answers `unlisted` when the grammar forbids every listed token, and fails on the full map", () => {
        const choice = new TargetChoice(options({ constrained: true, grammarList: grammarTopK }));
        expect(choice.pick(output(map), only(42), 0)).toBe(unlisted);
        expect(() => choice.pick(output(map), only(42), 0, false)).toThrow(/allows none/);
        expect(() => new TargetChoice(options({ constrained: true })).pick(output(map), only(42), 0)).toThrow(
            /allows none/,
        );
    });

    it("samples the constrained distribution at temperature > 0 with the draw of the token's position", () => {
        const draws = [0, 0.999, 0.5];
        const choice = new TargetChoice(
            options({
                sampling: { ...sampled, temperature: 1, topK: 0, topP: 1 },
                constrained: true,
                confidence: true,
                draws: (position) => draws[position]!,
            }),
        );
        // Allowed 3 and 9 renormalized: 0.6 and 0.4.
        expect(choice.pick(output(map), only(3, 9), 0)).toBe(3);
        expect(choice.pickedLogprob).toBeCloseTo(Math.log(0.6));
        expect(choice.pick(output(map), only(3, 9), 1)).toBe(9);
        // Asked again, a position draws the same.
        expect(choice.pick(output(map), only(3, 9), 1)).toBe(9);
        expect(choice.pick(output(map), only(3, 9), 0)).toBe(3);
        expect(choice.distributionAt(output(map), only(3, 9))?.probs[1]).toBeCloseTo(0.4);
    });

    it("at temperature > 0 with a large vocabulary, samples from the list when it holds top_k allowed tokens", () => {
        const listedSampling = { ...sampled, temperature: 1, topK: 2, topP: 1 };
        const choice = new TargetChoice(
            options({
                sampling: listedSampling,
                constrained: true,
                grammarList: grammarTopK,
                draws: () => 0.7,
            }),
        );
        expect(choice.listTopK).toBe(true);
        // 7 and 9 are the first two allowed: 0.5 and 0.2 renormalized, 5/7 and 2/7; a draw of 0.7 is 7.
        expect(choice.pick(output(map), only(7, 9), 0)).toBe(7);
        expect(choice.distributionAt(output(map), only(7, 9))?.probs[1]).toBeCloseTo(2 / 7);
        // One allowed token listed where top_k is 2: the list does not decide, the position is evaluated again.
        expect(choice.pick(output(map), only(9, 42), 0)).toBe(unlisted);
        expect(choice.distributionAt(output(map), only(9, 42))).toBeUndefined();
        // The full map decides it.
        expect(choice.pick(output(map), only(9, 42), 0, false)).toBe(9);
    });

    it("shares one request object between items without penalties", () => {
        const choice = new TargetChoice(options({}));
        const a = choice.item(5, [1, 2, 5], 2);
        const b = choice.item(6, [1, 2, 5, 6], 3);
        expect(Array.isArray(a) && Array.isArray(b) && a[1].generateNext === b[1].generateNext).toBe(true);
    });

    it("gives each item with penalties the window of the lastN tokens before its choice", () => {
        const choice = new TargetChoice(
            options({
                sampling: { ...greedy, penalties: { repeat: 1.1, lastN: 2, presence: 0, frequency: 0 } },
            }),
        );
        const context = [1, 2, 3, 4, 5];
        const item = choice.item(4, context, 4);
        expect(Array.isArray(item) && item[1].generateNext?.options?.repeatPenalty).toMatchObject({
            punishTokens: [3, 4],
            maxPunishTokens: 2,
            penalty: 1.1,
        });
        expect(Array.isArray(item) && item[1].generateNext?.options?.temperature).toBe(0);
    });
});

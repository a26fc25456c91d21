/**
 * Speculation under a grammar on the bundled pair (a trained draft that agrees with its target, so its
 * drafts mostly survive the grammar and reach the positions below).
 *
 * A draft model stops at the first token the grammar forbids, spending no pass beyond it.
 *
 * A position the grammar list does not decide, reached after drafted positions (TargetChoice.ts contract
 * 2 and 3; generate.ts's `reevaluate` / `reevaluateDistribution` at i > 0): the step verifies the drafts
 * before it, evaluates it again for the full map, and cuts the draft there. With `engine.grammarTopK` 4, the pair's
 * JSON's whitespace and structure positions often hold fewer than top_k allowed tokens among the four
 * listed. The stats count the second evaluations (`fullMapAfterDraft`), so the test knows the path ran.
 * - Temperature 0: the output equals plain constrained decoding from the full map, with every proposer.
 * - Temperature 1, top_k 3: the joint distribution of the first three tokens (the third sampled from the
 *   position evaluated again after a drafted second token, when that draft is accepted) matches the one
 *   computed from the full map outside the engine, with and without a draft: a chi-square test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, projectRoot } from "../../src/config/loadConfig.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import type { ResponseFormat } from "../../src/engine/types.js";
import { chiSquare } from "../helpers/chiSquare.js";
import { referenceGreedy, referenceJoint } from "../helpers/constrainedReference.js";
import { countNativeDecodes } from "../helpers/countNativeDecodes.js";
import { collect } from "../helpers/fixtureEngine.js";

const format: ResponseFormat = {
    type: "json_schema",
    schema: JSON.stringify({
        type: "object",
        properties: { name: { type: "string", maxLength: 8 } },
        required: ["name"],
        additionalProperties: false,
    }),
};
const prompt = "const config = ";
const listed = 4;
const sampling = { temperature: 1, topK: 3, topP: 1, minP: 0 };

let engine: LocalEngine;
beforeAll(async () => {
    engine = await LocalEngine.load(
        parseConfig({
            engine: { contextSize: 256, sequences: 1, gpu: false, threads: 1, grammarTopK: listed },
            speculation: { minDraftConfidence: 0, stateFile: null },
        }),
        projectRoot,
    );
}, 600_000);
afterAll(async () => {
    await engine.dispose();
});

describe("a listed position evaluated again after drafted ones", () => {
    it("at temperature 0 equals plain constrained decoding from the full map, with every proposer", async () => {
        const maxTokens = 12;
        const expected = await referenceGreedy(engine, format, prompt, maxTokens);
        expect(expected.length).toBe(maxTokens);
        let afterDraft = 0;
        for (const mode of ["off", "draft_model", "ngram"] as const) {
            const got = await collect(engine, {
                prompt,
                maxTokens,
                responseFormat: format,
                speculation: { mode },
            });
            expect(got.tokens, mode).toEqual(expected);
            const { spec } = got.last.finish!.stats;
            expect(spec.fullMapPasses, mode).toBeGreaterThan(0);
            if (mode === "draft_model") afterDraft = spec.fullMapAfterDraft;
        }
        // The draft model's steps reached a position the list did not decide after a drafted token.
        expect(afterDraft).toBeGreaterThan(0);
    });

    it("at temperature 1 follows the full map's constrained distribution, with and without a draft", async () => {
        const depth = 3;
        const samples = 240;
        const expected = await referenceJoint(engine, format, prompt, sampling, depth);
        for (const mode of ["off", "draft_model"] as const) {
            const counts = new Map<string, number>();
            let afterDraft = 0;
            for (let seed = 1; seed <= samples; seed++) {
                const got = await collect(engine, {
                    prompt,
                    maxTokens: depth,
                    responseFormat: format,
                    sampling: { ...sampling, seed },
                    speculation: { mode },
                });
                afterDraft += got.last.finish!.stats.spec.fullMapAfterDraft;
                const cell = got.tokens.join(",");
                // Every sample is a cell of the reference: the chain kept the same tokens.
                expect(expected.has(cell), `${mode}: ${cell}`).toBe(true);
                counts.set(cell, (counts.get(cell) ?? 0) + 1);
            }
            if (mode === "draft_model") expect(afterDraft).toBeGreaterThan(samples / 4);
            else expect(afterDraft).toBe(0);
            const { statistic, critical, df } = chiSquare(counts, expected, samples);
            expect(df, mode).toBeGreaterThanOrEqual(2);
            expect(statistic, mode).toBeLessThan(critical);
        }
    }, 300_000);
});

describe("a draft model under a grammar", () => {
    it("drafts nothing past the first token the grammar forbids (no pass spent on it)", async () => {
        const draft = countNativeDecodes([...engine.drafts.values()][0]!.context);
        const out = await collect(engine, {
            prompt,
            maxTokens: 48,
            responseFormat: format,
            speculation: { mode: "draft_model", maxDraftTokens: 8 },
        });
        const { spec, promptTokens, completionTokens } = out.last.finish!.stats;
        expect(spec.draftTokens).toBeGreaterThan(0);
        // Every token the draft evaluated is a prompt or committed token, or a kept draft it drafted on
        // from; a draft cut at the grammar after drafting would have evaluated the tokens it cut too.
        const evaluated = draft.tokensPerDecode.reduce((a, b) => a + b, 0);
        expect(evaluated).toBeLessThanOrEqual(promptTokens + completionTokens + spec.draftTokens + 1);
    });
});

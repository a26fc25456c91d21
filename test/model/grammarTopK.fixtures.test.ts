/**
 * Under a grammar a large vocabulary (Qwen2.5's 151,936 tokens) lists each position's top 256 tokens, and
 * a position the list does not decide is evaluated again for the full map. At temperature 0 the output
 * must be exactly plain constrained decoding's: here computed independently, one token per pass, from the
 * full probability map, with speculation (draft model, n-gram) and without. Random weights make the second
 * evaluation frequent, so both paths run. At temperature > 0 (top-k on) the sampled tokens must follow
 * the constrained distribution computed from the full map: a chi-square test over seeded requests, where
 * the first position (a JSON string's opening quote: one allowed token listed) takes the full map and the
 * second (inside the string: most listed tokens allowed) the list.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFamilyFixtures } from "../../models/build/buildFamilyFixtures.js";
import { parseConfig } from "../../src/config/loadConfig.js";
import { largeVocabulary } from "../../src/engine/TargetChoice.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import type { ResponseFormat } from "../../src/engine/types.js";
import { chiSquare } from "../helpers/chiSquare.js";
import { referenceGreedy, referenceJoint } from "../helpers/constrainedReference.js";
import { collect } from "../helpers/fixtureEngine.js";

const format: ResponseFormat = {
    type: "json_schema",
    schema: JSON.stringify({
        type: "object",
        properties: { ok: { type: "boolean" }, n: { type: "integer" } },
        required: ["ok", "n"],
        additionalProperties: false,
    }),
};
const prompt = "Reply with JSON:";
const maxTokens = 8;

let engine: LocalEngine;
beforeAll(async () => {
    const paths = await ensureFamilyFixtures();
    engine = await LocalEngine.load(
        parseConfig({
            models: {
                target: { id: "qwen-target", path: paths.qwen25coder.target },
                drafts: [{ id: "qwen-draft", path: paths.qwen25coder.draft }],
            },
            engine: { contextSize: 256, sequences: 1, gpu: false, threads: 1 },
            speculation: { minDraftConfidence: 0, stateFile: null },
        }),
        "/",
    );
}, 600_000);
afterAll(async () => {
    await engine.dispose();
});

describe("constrained decoding with a large vocabulary", () => {
    it("lists the top tokens (the vocabulary is large)", () => {
        expect(engine.target.resolved.vocab.tokens.length).toBeGreaterThan(largeVocabulary);
    });

    it("equals plain constrained decoding from the full map, with and without speculation", async () => {
        const expected = await referenceGreedy(engine, format, prompt, maxTokens);
        expect(expected.length).toBeGreaterThan(0);
        for (const mode of ["off", "draft_model", "ngram"] as const) {
            const got = await collect(engine, {
                prompt,
                maxTokens,
                responseFormat: format,
                speculation: { mode },
            });
            expect(got.tokens, mode).toEqual(expected);
        }
    });
});

const stringFormat: ResponseFormat = {
    type: "json_schema",
    schema: JSON.stringify({ type: "string", maxLength: 24 }),
};
/** Top-k 3: three outcomes at each of the two positions, nine cells, enough samples per cell. */
const sampling = { temperature: 1, topK: 3, topP: 1, minP: 0 };
const samples = 120;

describe("constrained sampling with a large vocabulary", () => {
    it("follows the full map's constrained distribution, with and without speculation", async () => {
        const expected = await referenceJoint(engine, stringFormat, prompt, sampling, 2);
        expect(expected.size).toBe(9);
        for (const mode of ["off", "draft_model"] as const) {
            const counts = new Map<string, number>();
            for (let seed = 1; seed <= samples; seed++) {
                const got = await collect(engine, {
                    prompt,
                    maxTokens: 2,
                    responseFormat: stringFormat,
                    sampling: { ...sampling, seed },
                    speculation: { mode },
                });
                const cell = got.tokens.join(",");
                // Every sample is a cell of the reference: the chain kept the same tokens.
                expect(expected.has(cell), `${mode}: ${cell}`).toBe(true);
                counts.set(cell, (counts.get(cell) ?? 0) + 1);
            }
            const { statistic, critical } = chiSquare(counts, expected, samples);
            expect(statistic, mode).toBeLessThan(critical);
        }
    });
});

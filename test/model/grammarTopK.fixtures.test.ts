/**
 * Under a grammar at temperature 0 a large vocabulary (Qwen2.5's 151,936 tokens) lists each position's
 * top 256 tokens, and a position whose listed tokens the grammar all forbids is evaluated again for the
 * full map. The output must be exactly plain constrained decoding's: here computed independently, one
 * token per pass, from the full probability map, with speculation (draft model, n-gram) and without.
 * Random weights make the second evaluation frequent, so both paths run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Token as LlamaToken } from "node-llama-cpp";
import { ensureFamilyFixtures } from "../../models/build/buildFamilyFixtures.js";
import { parseConfig } from "../../src/config/loadConfig.js";
import { constrainedArgmax } from "../../src/engine/constrainedChoice.js";
import { largeVocabulary } from "../../src/engine/TargetChoice.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import { ResponseGrammars } from "../../src/engine/ResponseGrammars.js";
import { TokenGrammar } from "../../src/engine/TokenGrammar.js";
import type { ResponseFormat } from "../../src/engine/types.js";
import type { Token } from "../../src/speculative/types.js";
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

/** Plain constrained greedy decoding from the full map, one token per pass, outside the engine. */
async function reference(): Promise<Token[]> {
    const model = engine.target.model;
    const grammar = TokenGrammar.start(
        engine.llama,
        model,
        await new ResponseGrammars(engine.llama).get(format),
    );
    const context = await model.createContext({ contextSize: 256, threads: 1 });
    try {
        const sequence = context.getSequence();
        const tokens = engine.tokenize(prompt) as LlamaToken[];
        await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, -1));
        let last = tokens[tokens.length - 1]!;
        const out: Token[] = [];
        while (out.length < maxTokens) {
            const [result] = await sequence.controlledEvaluate([
                [last, { generateNext: { probabilities: true, options: { temperature: 0 } } }],
            ]);
            const token = constrainedArgmax(result!.next.probabilities!, (t) => grammar.allows(t))!;
            if (model.isEogToken(token as LlamaToken)) break;
            grammar.accept(token);
            out.push(token);
            last = token as LlamaToken;
        }
        return out;
    } finally {
        await context.dispose();
    }
}

describe("constrained decoding with a large vocabulary", () => {
    it("lists the top tokens (the vocabulary is large)", () => {
        expect(engine.target.resolved.vocab.tokens.length).toBeGreaterThan(largeVocabulary);
    });

    it("equals plain constrained decoding from the full map, with and without speculation", async () => {
        const expected = await reference();
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

/**
 * Concurrent requests share the target's native decodes: with N requests decoding at once, each step is
 * one decode holding all N sequences, not several decodes holding a few each (counted on the real
 * context, no timing). And sharing a batch changes no request's output.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, projectRoot } from "../../src/config/loadConfig.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import type { GenerateRequest } from "../../src/engine/types.js";
import { readEvalPrompts } from "../helpers/bundledModels.js";
import { countNativeDecodes, type DecodeCounts } from "../helpers/countNativeDecodes.js";
import { collect } from "../helpers/fixtureEngine.js";

const concurrency = 4;
const maxTokens = 32;
let engine: LocalEngine;
let decodes: DecodeCounts;
beforeAll(async () => {
    engine = await LocalEngine.load(
        parseConfig({
            engine: { contextSize: 512, sequences: concurrency, gpu: false, threads: 1 },
            speculation: { stateFile: null },
        }),
        projectRoot,
    );
    decodes = countNativeDecodes(engine.target.context);
});
afterAll(async () => {
    await engine.dispose();
});

const prompts = readEvalPrompts()
    .slice(0, concurrency)
    .map((p) => p.prompt);

describe("concurrent requests share native decodes", () => {
    for (const mode of ["off", "ngram", "draft_model"] as const) {
        it(`${mode}: ${concurrency} requests decode together, with the output each gets alone`, async () => {
            const request = (prompt: string): GenerateRequest => ({
                prompt,
                maxTokens,
                speculation: { mode },
            });
            const alone = [];
            for (const p of prompts) alone.push(await collect(engine, request(p)));

            decodes.reset();
            const together = await Promise.all(prompts.map((p) => collect(engine, request(p))));
            expect(together.map((c) => c.tokens)).toEqual(alone.map((c) => c.tokens));

            const stats = together.map((c) => c.last.finish!.stats);
            const steps = Math.max(...stats.map((s) => s.spec.targetPasses));
            const promptTokens = stats.reduce((sum, s) => sum + s.promptTokens - s.promptTokensReused, 0);
            const promptDecodes = Math.ceil(promptTokens / engine.target.context.batchSize);
            // Every step of the requests still decoding is one decode holding all of them (before the
            // passes were batched: about twice as many decodes, 2 of 4 sequences in each). A draft model
            // stops drafting at a different length per request, so its requests reach the target apart.
            if (mode !== "draft_model")
                expect(decodes.decodes).toBeLessThanOrEqual(steps + promptDecodes + 1);
            if (mode === "off") {
                const full = decodes.sequencesPerDecode.filter((n) => n === concurrency).length;
                expect(full).toBeGreaterThanOrEqual(steps - 1);
            }
        });
    }
});

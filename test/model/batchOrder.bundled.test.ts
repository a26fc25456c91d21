/**
 * Concurrent requests' passes reach llama.cpp in ascending sequence id. llama.cpp (kv_unified off, as
 * node-llama-cpp creates contexts) splits a batch of several sequences into micro-batches of consecutive
 * ids met in increasing batch order, each costing a pass over the weights: a batch in submission order
 * took up to one micro-batch per sequence. Observed on the real contexts' native batches
 * (countNativeDecodes), no timing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, projectRoot } from "../../src/config/loadConfig.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import { readEvalPrompts } from "../helpers/bundledModels.js";
import { ascendingIds, countNativeDecodes, type DecodeCounts } from "../helpers/countNativeDecodes.js";
import { collect } from "../helpers/fixtureEngine.js";

let engine: LocalEngine;
let target: DecodeCounts;
const drafts: DecodeCounts[] = [];
beforeAll(async () => {
    engine = await LocalEngine.load(
        parseConfig({
            // Prompts finishing in the same batch (node-llama-cpp's even shares) put the requests in step, so
            // the two drafting requests share draft decodes; with steps-first their prompts can end a step
            // apart and their drafting alternate (one drafting while the other verifies), leaving no shared
            // draft decode to check in some runs. Steps-first keeps this order too: its own contract (queue
            // order), checked on the target in stepsFirst.bundled.test.ts.
            engine: { contextSize: 512, sequences: 6, gpu: false, threads: 1, batchOrder: "even" },
            speculation: { stateFile: null },
        }),
        projectRoot,
    );
    target = countNativeDecodes(engine.target.context);
    for (const draft of engine.drafts.values()) drafts.push(countNativeDecodes(draft.context));
});
afterAll(async () => {
    await engine.dispose();
});

describe("batch order", () => {
    it("every batch of the target and draft contexts holds its sequences in ascending id", async () => {
        const prompts = readEvalPrompts().map((p) => p.prompt);
        // Different lengths and modes, so the requests finish their steps in different orders.
        const modes = ["off", "draft_model", "ngram", "off", "draft_model", "ngram"] as const;
        await Promise.all(
            modes.map((mode, i) =>
                collect(engine, {
                    prompt: prompts[i % prompts.length]!,
                    maxTokens: 12 + 5 * i,
                    speculation: { mode },
                }),
            ),
        );
        // The guarantee covers decoding steps (each flush starts its passes in order); a prompt pass is
        // not waited for, so what is left of one split by the batch size may lead a later batch.
        const limit = engine.config.speculation.maxDraftTokens + 1;
        const steps = (counts: DecodeCounts) =>
            counts.sequenceIdsPerDecode.filter(
                (ids, i) => ids.length > 1 && counts.sequenceTokensPerDecode[i]!.every((n) => n <= limit),
            );
        const targetSteps = steps(target);
        expect(targetSteps.length).toBeGreaterThan(3);
        for (const ids of targetSteps) expect(ascendingIds(ids), `target batch ${ids.join(",")}`).toBe(true);
        const draftSteps = drafts.flatMap(steps);
        expect(draftSteps.length).toBeGreaterThan(0);
        for (const ids of draftSteps) expect(ascendingIds(ids), `draft batch ${ids.join(",")}`).toBe(true);
        // The slots took the sequences in order: slot i holds sequence i.
        expect(new Set(target.sequenceIdsPerDecode.flat())).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    });
});

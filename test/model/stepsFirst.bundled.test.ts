/**
 * engine.batchOrder on the real context (src/engine/stepsFirstStrategy.ts): prompts that arrive together
 * are evaluated one after another ("steps-first"), so their requests start generating in turn, where
 * node-llama-cpp's default ("even") advances them side by side and finishes them all in the same decode.
 * Observed by counting the target's native decodes (no timing); the answers are the same either way.
 */
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig, projectRoot } from "../../src/config/loadConfig.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import { readEvalPrompts } from "../helpers/bundledModels.js";
import { ascendingIds, countNativeDecodes } from "../helpers/countNativeDecodes.js";
import { collect } from "../helpers/fixtureEngine.js";

const concurrency = 4;
const evalPrompts = readEvalPrompts().map((p) => p.prompt);
/** Four prompts of different text, each four eval prompts long (~770 tokens: all four need six 512-token batches). */
const prompts = Array.from({ length: concurrency }, (_, i) =>
    Array.from({ length: 4 }, (_, j) => evalPrompts[(i * 4 + j) % evalPrompts.length]!).join("\n\n"),
);

let engine: LocalEngine | undefined;
afterEach(async () => {
    await engine?.dispose();
    engine = undefined;
});

/** Each request's answer, and per sequence the last decode that evaluated more than one of its tokens. */
async function run(batchOrder: "steps-first" | "even") {
    engine = await LocalEngine.load(
        parseConfig({
            engine: { contextSize: 2048, sequences: concurrency, gpu: false, threads: 1, batchOrder },
            speculation: { stateFile: null, defaultMode: "off" },
        }),
        projectRoot,
    );
    const decodes = countNativeDecodes(engine.target.context);
    const answers = await Promise.all(
        prompts.map((prompt) => collect(engine!, { prompt, maxTokens: 8, sampling: { temperature: 0 } })),
    );
    const lastPromptDecode = new Map<number, number>();
    decodes.sequenceIdsPerDecode.forEach((ids, d) => {
        ids.forEach((id, j) => {
            if (decodes.sequenceTokensPerDecode[d]![j]! > 1) lastPromptDecode.set(id, d);
        });
    });
    const promptTokens = answers.reduce((sum, a) => sum + a.last.finish!.stats.promptTokens, 0);
    // The sequences of each decode shared by several steps (one token each, OFF), in batch order.
    const sharedSteps = decodes.sequenceIdsPerDecode.filter(
        (ids, d) => ids.length > 1 && decodes.sequenceTokensPerDecode[d]!.every((n) => n === 1),
    );
    return {
        sharedSteps,
        tokens: answers.map((a) => a.tokens),
        promptEnds: [...lastPromptDecode.values()].sort((a, b) => a - b),
        promptTokens,
        batchSize: engine.target.context.batchSize,
    };
}

describe("engine.batchOrder", () => {
    it("steps-first finishes prompts arriving together one after another; even finishes them together", async () => {
        const stepsFirst = await run("steps-first");
        const even = await run("even");
        expect(stepsFirst.promptTokens).toBeGreaterThan(2 * stepsFirst.batchSize);
        expect(stepsFirst.promptEnds).toHaveLength(concurrency);
        expect(even.promptEnds).toHaveLength(concurrency);
        // Even: all four prompts end in the same (last) prompt decode.
        expect(new Set(even.promptEnds).size).toBe(1);
        // Steps-first: the first prompt ends in an earlier decode than the last one, which ends no later
        // than with even.
        expect(stepsFirst.promptEnds[0]!).toBeLessThan(stepsFirst.promptEnds.at(-1)!);
        expect(stepsFirst.promptEnds.at(-1)!).toBeLessThanOrEqual(even.promptEnds[0]! + 1);
        expect(stepsFirst.tokens).toEqual(even.tokens);
        // Batches keep the PassBatcher's ascending sequence order (llama.cpp splits a batch into
        // micro-batches by runs of increasing ids; batchOrder.bundled.test.ts checks it under the even order).
        expect(stepsFirst.sharedSteps.length).toBeGreaterThan(2);
        for (const ids of stepsFirst.sharedSteps)
            expect(ascendingIds(ids), `batch ${ids.join(",")}`).toBe(true);
    });
});

/**
 * When a draft model evaluates a request's prompt: beside the target's prompt pass when the request is
 * alone (the two overlap), only after it when other requests are running (beside it, the draft's prefill
 * would compete with their steps and this prompt for the same cores and delay the first token). Observed
 * on the real contexts' native decodes (start and end, in one timeline: countNativeDecodes), no timing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, projectRoot } from "../../src/config/loadConfig.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import { readEvalPrompts } from "../helpers/bundledModels.js";
import { countNativeDecodes } from "../helpers/countNativeDecodes.js";
import { collect } from "../helpers/fixtureEngine.js";

interface DecodeEvent {
    model: "target" | "draft";
    at: "start" | "end";
    tokens: number;
}

let engine: LocalEngine;
const timeline: DecodeEvent[] = [];
beforeAll(async () => {
    engine = await LocalEngine.load(
        parseConfig({
            engine: { contextSize: 512, sequences: 2, gpu: false, threads: 1, prefixReuse: false },
            speculation: { stateFile: null },
        }),
        projectRoot,
    );
    const observe =
        (model: DecodeEvent["model"]) =>
        (at: DecodeEvent["at"], tokens: number): void => {
            timeline.push({ model, at, tokens });
        };
    countNativeDecodes(engine.target.context, observe("target"));
    for (const draft of engine.drafts.values()) countNativeDecodes(draft.context, observe("draft"));
});
afterAll(async () => {
    await engine.dispose();
});

const [first, second] = readEvalPrompts().map((p) => p.prompt);

/** Index in the timeline of the first decode event of `model` at `at` holding at least `tokens` tokens. */
const find = (model: DecodeEvent["model"], at: DecodeEvent["at"], tokens: number, from = 0): number =>
    timeline.findIndex((e, i) => i >= from && e.model === model && e.at === at && e.tokens >= tokens);

describe("a draft model's prompt evaluation", () => {
    it("alone: runs beside the target's prompt pass", async () => {
        timeline.length = 0;
        const promptTokens = engine.tokenize(first!).length;
        await collect(engine, { prompt: first!, maxTokens: 8, speculation: { mode: "draft_model" } });
        const targetStart = find("target", "start", promptTokens - 1);
        const targetEnd = find("target", "end", promptTokens - 1);
        const draftStart = find("draft", "start", promptTokens - 2);
        expect(targetStart).toBeGreaterThanOrEqual(0);
        expect(draftStart).toBeGreaterThanOrEqual(0);
        expect(draftStart).toBeLessThan(targetEnd);
    });

    it("with another request running: waits for the target's prompt pass", async () => {
        const running = collect(engine, { prompt: first!, maxTokens: 48, speculation: { mode: "off" } });
        // The first request is decoding (its prompt is done) before the second arrives.
        while (!timeline.some((e) => e.model === "target" && e.at === "end" && e.tokens === 1))
            await new Promise((r) => setImmediate(r));
        timeline.length = 0;
        const promptTokens = engine.tokenize(second!).length;
        const drafted = await collect(engine, {
            prompt: second!,
            maxTokens: 8,
            speculation: { mode: "draft_model" },
        });
        await running;
        expect(drafted.last.finish!.stats.spec.draftTokens).toBeGreaterThan(0);
        const targetEnd = find("target", "end", promptTokens - 1);
        const draftStart = find("draft", "start", promptTokens - 2);
        expect(targetEnd).toBeGreaterThanOrEqual(0);
        expect(draftStart).toBeGreaterThan(targetEnd);
    });
});

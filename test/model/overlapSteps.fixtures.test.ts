/**
 * `engine.overlapSteps` on real GGUFs (generate.ts, "Overlap"): a plain step's pass is dispatched before
 * the bookkeeping of the step before it, so a chunk reaches its consumer with the next pass already
 * started. Output is the same as without the overlap, for every sampling path a plain pass takes (greedy,
 * seeded temperature, penalties, a grammar, confidence) and under AUTO (greedy and seeded); a consumer that stops at
 * a chunk, or a signal that fires, while that pass decodes leaves the slot to the next request as it would
 * be without the overlap.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/errors/codes.js";
import type { LocalEngine } from "../../src/engine/LocalEngine.js";
import type { GenerateRequest } from "../../src/engine/types.js";
import { countNativeDecodes } from "../helpers/countNativeDecodes.js";
import { collect, loadFixtureEngine } from "../helpers/fixtureEngine.js";

const prompt = "You are a careful coding assistant.\ndef parse_config(path):\n";

// Seeded sampling with and without speculation: a position's draw depends on the seed and the position
// only (positionDraws.ts), so AUTO's sample is the same whatever its load-dependent drafting decided.
const requests: GenerateRequest[] = [
    { prompt, maxTokens: 24, speculation: { mode: "off" } },
    { prompt, maxTokens: 24, speculation: { mode: "auto" } },
    { prompt, maxTokens: 24, sampling: { temperature: 0.9, seed: 11 }, speculation: { mode: "off" } },
    { prompt, maxTokens: 24, sampling: { temperature: 0.9, seed: 11 }, speculation: { mode: "auto" } },
    {
        prompt,
        maxTokens: 24,
        sampling: { repeatPenalty: 1.3, frequencyPenalty: 0.5 },
        speculation: { mode: "off" },
    },
    { prompt, maxTokens: 16, responseFormat: { type: "json_object" }, speculation: { mode: "auto" } },
    { prompt, maxTokens: 24, returnConfidence: true, speculation: { mode: "off" } },
];

let overlapped: LocalEngine;
let inOrder: LocalEngine;
beforeAll(async () => {
    overlapped = await loadFixtureEngine({ engine: { sequences: 2, overlapSteps: true } });
    inOrder = await loadFixtureEngine({ engine: { sequences: 2, overlapSteps: false } });
});
afterAll(async () => {
    await overlapped.dispose();
    await inOrder.dispose();
});

describe("plain steps overlapped with the bookkeeping before them", () => {
    it("the next pass is already decoding when a chunk reaches the consumer", async () => {
        const decodesAtChunk = async (engine: LocalEngine): Promise<number[]> => {
            const counts = countNativeDecodes(engine.target.context);
            const seen: number[] = [];
            for await (const chunk of engine.generate(requests[0]!))
                if (!chunk.finish) seen.push(counts.decodes);
            return seen.map((n) => n - seen[0]!);
        };
        const inOrderSeen = await decodesAtChunk(inOrder);
        const overlappedSeen = await decodesAtChunk(overlapped);
        // In order: chunk i arrives after i passes past the first chunk's. Overlapped: one more from the
        // second chunk on (the first chunk follows the prompt pass, not a recorded step).
        expect(inOrderSeen).toEqual(inOrderSeen.map((_, i) => i));
        expect(overlappedSeen.slice(2)).toEqual(overlappedSeen.slice(2).map((_, i) => i + 3));
    });

    it("gives the same output as without the overlap, on every sampling path", async () => {
        for (const request of requests) {
            const want = await collect(inOrder, request);
            const got = await collect(overlapped, request);
            expect(got.tokens, JSON.stringify(request)).toEqual(want.tokens);
            expect(got.last.finish!.reason).toBe(want.last.finish!.reason);
            if (request.returnConfidence)
                expect(got.last.finish!.stats.confidence!.meanLogprob).toBeCloseTo(
                    want.last.finish!.stats.confidence!.meanLogprob,
                    6,
                );
        }
        // Concurrent requests share passes (PassBatcher): still the same output.
        const together = await Promise.all(requests.slice(0, 4).map((r) => collect(overlapped, r)));
        for (const [i, out] of together.entries())
            expect(out.tokens).toEqual((await collect(inOrder, requests[i]!)).tokens);
    });

    it("a consumer that stops at a chunk, or a signal that fires, leaves the slot consistent", async () => {
        const want = (await collect(inOrder, requests[0]!)).tokens;
        for (let round = 0; round < 4; round++) {
            // Stop at a chunk: the pass dispatched before it is still decoding on the slot.
            const controller = new AbortController();
            let seen = 0;
            const stopped = (async () => {
                for await (const chunk of overlapped.generate(requests[0]!, controller.signal)) {
                    if (chunk.finish || ++seen < 3 + round) continue;
                    if (round % 2 === 0) break;
                    controller.abort();
                }
            })();
            if (round % 2 === 0) await stopped;
            else await expect(stopped).rejects.toMatchObject({ code: ErrorCode.Cancelled });
            // Both slots serve the next requests (reusing what the stopped one left) with exact output.
            const again = await Promise.all([
                collect(overlapped, requests[0]!),
                collect(overlapped, requests[0]!),
            ]);
            for (const out of again) expect(out.tokens).toEqual(want);
            expect(again.some((out) => out.last.finish!.stats.promptTokensReused > 0)).toBe(true);
        }
    });
});

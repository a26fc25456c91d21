/**
 * Prefix reuse never changes output: at temperature 0 every request gives the same tokens with reuse
 * on as with it off, over many request orders, for plain decoding and both drafters; and reuse is
 * real (prompt tokens reported reused) when requests share a prefix.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { ErrorCode } from "../../src/errors/codes.js";
import type { LocalEngine } from "../../src/engine/LocalEngine.js";
import type { GenerateRequest } from "../../src/engine/types.js";
import { createRandom } from "../../src/speculative/createRandom.js";
import { collect, loadFixtureEngine } from "../helpers/fixtureEngine.js";

const system = "You are a careful coding assistant. Answer with code only.\n".repeat(3);
const suffixes = [
    "def add(a, b):",
    "def add(a, c):",
    "class Stack:",
    "import json\n",
    "def add(a, b):\n    return",
];
const modes = ["off", "draft_model", "ngram"] as const;

let reuse: LocalEngine;
let fresh: LocalEngine;
beforeAll(async () => {
    reuse = await loadFixtureEngine({ engine: { sequences: 2, contextSize: 256 } });
    fresh = await loadFixtureEngine({ engine: { sequences: 2, contextSize: 256, prefixReuse: false } });
});
afterAll(async () => {
    await reuse.dispose();
    await fresh.dispose();
});

function request(i: number): GenerateRequest {
    const suffix = suffixes[i % suffixes.length]!;
    const mode = modes[Math.floor(i / suffixes.length) % modes.length]!;
    // Every third request diverges inside the shared prefix, not at its end.
    const prompt = i % 3 === 2 ? system.slice(0, 40) + "!" + suffix : system + suffix;
    return { prompt, maxTokens: 12, speculation: { mode, draftModel: "other-weights", maxDraftTokens: 3 } };
}

it("output with reuse equals output without, over shuffled request orders", async () => {
    const expected = new Map<number, number[]>();
    const ids = Array.from({ length: suffixes.length * modes.length }, (_, i) => i);
    for (const i of ids) expected.set(i, (await collect(fresh, request(i))).tokens);
    const random = createRandom(7);
    let reused = 0;
    for (let round = 0; round < 3; round++) {
        const order = [...ids].sort(() => random() - 0.5);
        for (const i of order) {
            const out = await collect(reuse, request(i));
            expect(out.tokens, `request ${i}, round ${round}`).toEqual(expected.get(i));
            reused += out.last.finish!.stats.promptTokensReused;
        }
    }
    expect(reused).toBeGreaterThan(0);
});

it("a request sharing the whole prompt reuses all but the last token; concurrency keeps outputs equal", async () => {
    const req = request(0);
    await collect(reuse, req);
    const again = await collect(reuse, req);
    const stats = again.last.finish!.stats;
    expect(stats.promptTokensReused).toBe(stats.promptTokens - 1);
    const concurrent = await Promise.all([0, 1, 2, 3].map((i) => collect(reuse, request(i))));
    const sequential = [];
    for (const i of [0, 1, 2, 3]) sequential.push((await collect(fresh, request(i))).tokens);
    expect(concurrent.map((c) => c.tokens)).toEqual(sequential);
});

it("context overflow and full contexts leave reuse correct", async () => {
    await expect(collect(reuse, { prompt: system.repeat(20) })).rejects.toMatchObject({
        code: ErrorCode.ContextOverflow,
    });
    // Fill the context to the brim (max_tokens is clamped to what is left).
    const full = await collect(reuse, {
        prompt: system + suffixes[2]!,
        maxTokens: 1000,
        speculation: { mode: "off" },
    });
    expect(full.last.finish?.reason === "length" || full.last.finish?.reason === "eos").toBe(true);
    for (const i of [0, 2, 5]) {
        expect((await collect(reuse, request(i))).tokens).toEqual((await collect(fresh, request(i))).tokens);
    }
});

it("a consumer that stops at the final chunk or mid-generation leaves a reusable, consistent cache", async () => {
    for (const i of [0, 6, 12]) {
        const req = request(i);
        const expected = (await collect(fresh, req)).tokens;
        // Stops at the final chunk without asking for more (as the gRPC handlers do).
        for await (const chunk of reuse.generate(req)) if (chunk.finish) break;
        const again = await collect(reuse, req);
        expect(again.last.finish!.stats.promptTokensReused, `request ${i}`).toBe(
            again.last.finish!.stats.promptTokens - 1,
        );
        expect(again.tokens, `request ${i}`).toEqual(expected);
        // Stops after the first chunk, mid-generation.
        for await (const chunk of reuse.generate({ ...req, maxTokens: 40 }))
            if (chunk.tokens.length > 0) break;
        const after = await collect(reuse, req);
        expect(after.last.finish!.stats.promptTokensReused, `request ${i}`).toBe(
            after.last.finish!.stats.promptTokens - 1,
        );
        expect(after.tokens, `request ${i}`).toEqual(expected);
    }
});

/**
 * A prompt prefix copied from another slot's KV cache (chooseSlot.ts, Slot.copyPrefixFrom) is the same
 * cache: a request served on a copy gives bit-identical output and log-probabilities to the same request
 * served in place on the slot the prefix came from (a one-sequence engine, where it can go nowhere else),
 * both prefixes computed by the same passes. (Against an engine without reuse the prefix is computed in
 * other batch shapes, and on random weights llama.cpp's kernels are not batch-invariant enough for
 * near-ties: prefixReuse.fixtures.test.ts compares that on prompts it has checked.)
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { LocalEngine } from "../../src/engine/LocalEngine.js";
import type { GenerateRequest } from "../../src/engine/types.js";
import { collect, loadFixtureEngine } from "../helpers/fixtureEngine.js";

let copying: LocalEngine;
let inPlace: LocalEngine;
beforeAll(async () => {
    copying = await loadFixtureEngine({ engine: { sequences: 3, contextSize: 384 } });
    inPlace = await loadFixtureEngine({ engine: { sequences: 1, contextSize: 384 } });
});
afterAll(async () => {
    await copying.dispose();
    await inPlace.dispose();
});

const modes = ["off", "ngram", "draft_model"] as const;

function subAgent(
    system: string,
    agent: number,
    mode: (typeof modes)[number],
): GenerateRequest & { prompt: string } {
    return {
        prompt: system + `# sub-agent ${agent}: review\n` + `items = [${agent}, 2, 3]\n`.repeat(6),
        maxTokens: 12,
        returnConfidence: true,
        speculation: { mode, draftModel: "other-weights", maxDraftTokens: 3 },
    };
}

it("a sibling session on a copied prefix gives exactly what it gets in place; the first keeps its tail", async () => {
    for (const [n, mode] of modes.entries()) {
        const system = `You are sub-agent fleet ${n}. Use the tools; answer with code only.\n`.repeat(4);
        const first = subAgent(system, 1, "off");
        const sibling = subAgent(system, 2, mode);
        await collect(copying, first);
        await collect(inPlace, first);
        const copied = await collect(copying, sibling);
        const reference = await collect(inPlace, sibling);
        const stats = copied.last.finish!.stats;
        expect(stats.promptTokensCopied, mode).toBeGreaterThan(60);
        expect(stats.promptTokensReused, mode).toBe(stats.promptTokensCopied);
        expect(reference.last.finish!.stats.promptTokensCopied, mode).toBe(0);
        expect(copied.tokens, mode).toEqual(reference.tokens);
        expect(copied.last.finish!.stats.confidence, mode).toEqual(reference.last.finish!.stats.confidence);
        // The first sub-agent's slot was not touched: its next turn reuses all of its last prompt.
        const next = await collect(copying, { ...first, prompt: first.prompt + "# next turn\n" });
        const previous = next.last.finish!.stats.promptTokens;
        expect(next.last.finish!.stats.promptTokensReused, mode).toBeGreaterThan(previous - 8);
    }
});

it("a sibling starting while the first still generates copies from its busy slot; neither output changes", async () => {
    const system = "You are a sub-agent still at work. Read the files, then answer with code only.\n".repeat(
        4,
    );
    const first = { ...subAgent(system, 1, "off"), maxTokens: 24 };
    const sibling = subAgent(system, 2, "ngram");
    const firstReference = await collect(inPlace, first);
    const siblingReference = await collect(inPlace, sibling);
    // The first request holds its slot between chunks: its consumer has not asked for the next one.
    const running = copying.generate(first);
    const head = await running.next();
    const copied = await collect(copying, sibling);
    const stats = copied.last.finish!.stats;
    expect(stats.promptTokensCopied).toBeGreaterThan(60);
    expect(copied.tokens).toEqual(siblingReference.tokens);
    expect(stats.confidence).toEqual(siblingReference.last.finish!.stats.confidence);
    const rest: number[] = head.done ? [] : [...head.value.tokens];
    for await (const chunk of running) rest.push(...chunk.tokens);
    expect(rest).toEqual(firstReference.tokens);
});

it("another cache scope reuses and copies nothing, on a slot of its own or on the owner's; the owner's cache survives", async () => {
    const system = "You serve one tenant at a time. Answer with code only, in the tenant's style.\n".repeat(
        4,
    );
    const request = (scope: string, mode: (typeof modes)[number]) => ({
        ...subAgent(system, 7, mode),
        cacheScope: scope,
    });
    const owner = await collect(copying, request("tenant-a", "off"));
    const again = await collect(copying, request("tenant-a", "off"));
    expect(again.last.finish!.stats.promptTokensReused).toBe(again.last.finish!.stats.promptTokens - 1);
    // Two other tenants on the two other sequences (a third would evict the owner's, least recently used).
    for (const mode of ["off", "ngram"] as const) {
        const other = await collect(copying, request(`tenant-b-${mode}`, mode));
        expect(other.last.finish!.stats.promptTokensReused, mode).toBe(0);
        expect(other.tokens, mode).toEqual(owner.tokens);
    }
    // One sequence: the other scope takes the owner's slot and still reuses nothing of it.
    await collect(inPlace, request("tenant-a", "draft_model"));
    const taken = await collect(inPlace, request("tenant-b", "draft_model"));
    expect(taken.last.finish!.stats.promptTokensReused).toBe(0);
    expect(taken.tokens).toEqual(owner.tokens);
    const back = await collect(copying, request("tenant-a", "off"));
    expect(back.last.finish!.stats.promptTokensReused).toBe(back.last.finish!.stats.promptTokens - 1);
});

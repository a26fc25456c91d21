/**
 * A conversation pushed out of its sequence is saved to the host cache and loaded back when it returns
 * (HostKvCache.ts, prepareSlot.ts): its next turn reuses the loaded prefix and gives bit-identical output
 * and log-probabilities to the same turn served in place on an engine where nothing took its sequence
 * (both prefixes computed by the same passes), for every drafting mode. Another cache scope loads nothing.
 * The cache's costs are pinned to a CPU host's (the fixtures' tiny models would turn it off).
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { LocalEngine } from "../../src/engine/LocalEngine.js";
import { HostCacheCosts } from "../../src/engine/HostCacheCosts.js";
import type { GenerateRequest } from "../../src/engine/types.js";
import { collect, loadFixtureEngine, PinnedHostCacheCosts } from "../helpers/fixtureEngine.js";

let saving: LocalEngine;
let inPlace: LocalEngine;
let dir: string;
beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tiercel-host-cache-test-"));
    // One sequence each: any other conversation takes it.
    saving = await loadFixtureEngine(
        { engine: { sequences: 1, hostCache: { minTokens: 32, dir } } },
        { hostCacheCosts: new PinnedHostCacheCosts() },
    );
    inPlace = await loadFixtureEngine({ engine: { sequences: 1, hostCache: { maxBytes: 0 } } });
});
afterAll(async () => {
    await saving.dispose();
    await inPlace.dispose();
    await rm(dir, { recursive: true, force: true });
});

const modes = ["off", "ngram", "draft_model"] as const;

function turn(
    session: number,
    turns: number,
    mode: (typeof modes)[number],
): GenerateRequest & { prompt: string } {
    let prompt = `# session ${session}: keep the cache warm\n` + `rows = [${session}, 2, 3]\n`.repeat(8);
    for (let i = 1; i < turns; i++) prompt += `# turn ${i}: next step\nvalue_${i} = rows[${i}]\n`;
    return {
        prompt,
        maxTokens: 10,
        returnConfidence: true,
        speculation: { mode, draftModel: "other-weights", maxDraftTokens: 3 },
    };
}

it("a returning conversation loads its saved cache and gives exactly what it gets in place", async () => {
    for (const [n, mode] of modes.entries()) {
        const session = 10 + n;
        await collect(saving, turn(session, 1, "off"));
        await collect(inPlace, turn(session, 1, "off"));
        // Another session takes the one sequence: the first's conversation goes to the host cache.
        const other = await collect(saving, turn(90 + n, 1, "off"));
        expect(other.last.finish!.stats.promptTokensRestored, mode).toBe(0);
        expect(saving.slotUsage.hostCache?.entries, mode).toBeGreaterThan(0);
        const restored = await collect(saving, turn(session, 2, mode));
        const reference = await collect(inPlace, turn(session, 2, mode));
        const stats = restored.last.finish!.stats;
        expect(stats.promptTokensRestored, mode).toBeGreaterThan(60);
        expect(stats.promptTokensReused, mode).toBe(stats.promptTokensRestored);
        expect(reference.last.finish!.stats.promptTokensReused, mode).toBe(stats.promptTokensReused);
        expect(restored.tokens, mode).toEqual(reference.tokens);
        expect(stats.confidence, mode).toEqual(reference.last.finish!.stats.confidence);
    }
});

it("another cache scope loads nothing of a saved conversation", async () => {
    const owner = { ...turn(31, 1, "off"), cacheScope: "tenant-a" };
    await collect(saving, owner);
    await collect(saving, { ...turn(32, 1, "off"), cacheScope: "tenant-a" });
    const probe = await collect(saving, { ...turn(31, 2, "off"), cacheScope: "tenant-b" });
    expect(probe.last.finish!.stats.promptTokensReused).toBe(0);
    const back = await collect(saving, { ...turn(31, 2, "off"), cacheScope: "tenant-a" });
    expect(back.last.finish!.stats.promptTokensRestored).toBeGreaterThan(60);
});

it("a saved conversation whose files are gone is evaluated again, with the same output", async () => {
    await collect(saving, turn(41, 1, "off"));
    await collect(saving, turn(42, 1, "off"));
    // The cache's private directory is the one directory in `dir`.
    const [own] = await readdir(dir);
    for (const file of await readdir(join(dir, own!))) await rm(join(dir, own!, file));
    const back = await collect(saving, turn(41, 2, "draft_model"));
    const reference = await collect(inPlace, turn(41, 2, "draft_model"));
    expect(back.last.finish!.stats.promptTokensRestored).toBe(0);
    expect(back.tokens).toEqual(reference.tokens);
    // The failed entry is gone: the conversation is saved again when the next one takes its sequence.
    await collect(saving, turn(43, 1, "off"));
    const again = await collect(saving, turn(41, 3, "off"));
    expect(again.last.finish!.stats.promptTokensRestored).toBeGreaterThan(60);
});

it("an idle engine saves the next slot to be taken over ahead while sessions outnumber sequences", async () => {
    const two = await loadFixtureEngine(
        { engine: { sequences: 2, hostCache: { minTokens: 32 } } },
        { hostCacheCosts: new PinnedHostCacheCosts() },
    );
    const entries = () => two.slotUsage.hostCache?.entries ?? 0;
    const pause = () => new Promise((r) => setTimeout(r, 50));
    try {
        // Two sessions on two sequences: each continues its own; nothing is taken over, nothing saved ahead.
        for (const t of [1, 2]) for (const session of [51, 52]) await collect(two, turn(session, t, "off"));
        await pause();
        expect(entries()).toBe(0);
        // Four more sessions take the sequences over (each saves the conversation it pushes out).
        for (const session of [53, 54, 55, 56]) await collect(two, turn(session, 1, "off"));
        await pause();
        // Idle: the slot of session 55 (least recently released, not the one just released) is saved ahead.
        for (let i = 0; i < 100 && entries() < 5; i++) await pause();
        expect(entries()).toBe(5);
        // Session 57 takes that slot over with nothing left to save; session 55 comes back loaded.
        await collect(two, turn(57, 1, "off"));
        expect(entries()).toBe(5);
        const back = await collect(two, turn(55, 2, "off"));
        expect(back.last.finish!.stats.promptTokensRestored).toBeGreaterThan(60);
        await collect(inPlace, turn(55, 1, "off"));
        const reference = await collect(inPlace, turn(55, 2, "off"));
        expect(back.tokens).toEqual(reference.tokens);
    } finally {
        await two.dispose();
    }
});

it("a one-sequence engine saves nothing ahead (its one slot is the one just released)", async () => {
    const before = saving.slotUsage.hostCache!.entries;
    await collect(saving, turn(61, 1, "off"));
    await new Promise((r) => setTimeout(r, 50));
    expect(saving.slotUsage.hostCache!.entries).toBe(before);
});

it("seeds the cache's costs at load: a timed prompt pass, save and load, the sequence left empty", async () => {
    const costs = new HostCacheCosts();
    const engine = await loadFixtureEngine({ engine: { sequences: 1 } }, { hostCacheCosts: costs });
    try {
        expect(costs.evalMsPerToken).toBeGreaterThan(0);
        expect(costs.loadMs(1_000_000)).toBeGreaterThan(0);
        expect(costs.roundTripMs(1000)).toBeGreaterThan(0);
        // Nothing left behind: the first request reuses nothing, and the cache holds no entry.
        const first = await collect(engine, turn(71, 1, "off"));
        expect(first.last.finish!.stats.promptTokensReused).toBe(0);
        expect(engine.slotUsage.hostCache?.entries).toBe(0);
    } finally {
        await engine.dispose();
    }
});

it("a matched entry that the save before its load evicts still loads (its files wait for the load)", async () => {
    // A budget for one conversation (~66 kB each): saving the one pushed out evicts the one matched.
    const one = await loadFixtureEngine(
        { engine: { sequences: 1, hostCache: { minTokens: 32, maxBytes: 100_000 } } },
        { hostCacheCosts: new PinnedHostCacheCosts() },
    );
    try {
        await collect(one, turn(81, 1, "off"));
        await collect(one, turn(82, 1, "off"));
        expect(one.slotUsage.hostCache!.entries).toBe(1);
        const back = await collect(one, turn(81, 2, "draft_model"));
        // The entry appears once its drafts' files are written too (after their running prefills).
        for (let i = 0; i < 100 && one.slotUsage.hostCache!.saves.ok < 2; i++)
            await new Promise((r) => setTimeout(r, 20));
        const usage = one.slotUsage.hostCache!;
        expect(usage.evictions).toBe(1);
        expect(usage.loads).toEqual({ ok: 1, failed: 0 });
        expect(back.last.finish!.stats.promptTokensRestored).toBeGreaterThan(60);
        await collect(inPlace, turn(81, 1, "off"));
        expect(back.tokens).toEqual((await collect(inPlace, turn(81, 2, "draft_model"))).tokens);
    } finally {
        await one.dispose();
    }
});

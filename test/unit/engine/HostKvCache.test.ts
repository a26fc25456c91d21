/**
 * HostKvCache's bookkeeping on real files (what a slot's save writes is stood in for by plain files of a
 * known size): matching within a scope, what is worth saving, superseded entries, least-recently-used
 * eviction under the byte cap, and pinned entries outliving their eviction until their restore ends.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HostKvCache, type SavedState } from "../../../src/engine/HostKvCache.js";

let cache: HostKvCache;
beforeEach(async () => {
    cache = await HostKvCache.create({ dir: tmpdir(), maxBytes: 1000, minTokens: 4 });
});
afterEach(async () => {
    await cache.dispose();
});

async function saved(bytes: number, drafts = 0): Promise<SavedState> {
    const base = cache.nextBase();
    const targetFile = `${base}.target.kv`;
    await writeFile(targetFile, Buffer.alloc(bytes));
    const draftFiles = new Map<string, string>();
    for (let i = 0; i < drafts; i++) {
        const file = `${base}.draft${i}.kv`;
        await writeFile(file, Buffer.alloc(1));
        draftFiles.set(`d${i}`, file);
    }
    return { targetFile, draftFiles, bytes: bytes + drafts, targetBytes: bytes };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const settle = () => new Promise((r) => setTimeout(r, 20));

describe("HostKvCache", () => {
    it("matches the longest shared prefix within the request's scope, leaving the last prompt token", async () => {
        cache.add("a", range(0, 10), 8, await saved(100));
        cache.add("a", [...range(0, 5), ...range(50, 60)], 12, await saved(100));
        cache.add("b", range(0, 30), 28, await saved(100));
        const match = cache.match(range(0, 20), "a");
        expect(match?.entry.tokens).toEqual(range(0, 10));
        expect(match?.common).toBe(10);
        // All but the last token of a prompt the entry holds whole.
        expect(cache.match(range(0, 8), "a")?.common).toBe(7);
        // Another scope's entry is never offered, however much it shares.
        expect(cache.match(range(0, 30), "c")).toBeUndefined();
        // Below minTokens is no match.
        expect(cache.match([0, 1, 2, 99], "a")).toBeUndefined();
    });

    it("wants a conversation unless it is too short or an entry of its scope holds all of it", async () => {
        expect(cache.wants(range(0, 3), "a")).toBe(false);
        expect(cache.wants(range(0, 10), "a")).toBe(true);
        cache.add("a", range(0, 10), 8, await saved(100));
        expect(cache.wants(range(0, 10), "a")).toBe(false);
        expect(cache.wants(range(0, 6), "a")).toBe(false);
        expect(cache.wants(range(0, 11), "a")).toBe(true);
        expect(cache.wants(range(0, 10), "b")).toBe(true);
    });

    it("drops entries the new one continues: their prompt whole, an earlier answer beyond it", async () => {
        const first = await saved(100, 1);
        cache.add("a", [...range(0, 10), 900, 901], 10, first);
        // The next turn re-rendered the answer (other tokens) and added its own: it holds the first's prompt.
        cache.add("a", [...range(0, 10), 700, 701, 702, 703], 14, await saved(100));
        // A branch that shares less than the last prompt keeps it.
        cache.add("a", [...range(0, 6), 800, 801, 802], 9, await saved(100));
        // Dropped as continued, not evicted.
        expect(cache.usage).toMatchObject({ bytes: 200, entries: 2, evictions: 0 });
        await settle();
        expect(existsSync(first.targetFile)).toBe(false);
        expect(existsSync(first.draftFiles.get("d0")!)).toBe(false);
    });

    it("evicts least recently used first to stay under maxBytes; a match counts as use", async () => {
        const states = [await saved(400), await saved(400), await saved(400)];
        cache.add("a", range(0, 10), 9, states[0]!);
        cache.add("a", range(100, 110), 9, states[1]!);
        cache.use(cache.match(range(0, 10), "a")!.entry)();
        cache.add("a", range(200, 210), 9, states[2]!);
        expect(cache.usage).toMatchObject({ bytes: 800, entries: 2, evictions: 1 });
        expect(cache.match(range(100, 110), "a")).toBeUndefined();
        expect(cache.match(range(0, 10), "a")).toBeDefined();
        await settle();
        expect(states.map((s) => existsSync(s.targetFile))).toEqual([true, false, true]);
        // A state larger than the whole cache is not kept, and its files go.
        const huge = await saved(2000);
        cache.add("a", range(300, 310), 9, huge);
        expect(cache.usage.entries).toBe(2);
        await settle();
        expect(existsSync(huge.targetFile)).toBe(false);
    });

    it("keeps a pinned entry's files past its eviction until its restore ends", async () => {
        const state = await saved(600);
        cache.add("a", range(0, 10), 9, state);
        const entry = cache.match(range(0, 10), "a")!.entry;
        const done = cache.use(entry);
        cache.add("a", range(100, 110), 9, await saved(600));
        expect(cache.usage.entries).toBe(1);
        await settle();
        expect(existsSync(state.targetFile)).toBe(true);
        done();
        done(); // once only
        await settle();
        expect(existsSync(state.targetFile)).toBe(false);
    });

    it("discards an entry that did not load, and removes its directory at dispose", async () => {
        cache.add("a", range(0, 10), 9, await saved(100));
        const { entry } = cache.match(range(0, 10), "a")!;
        cache.discard(entry);
        expect(cache.usage).toMatchObject({ bytes: 0, entries: 0, evictions: 0 });
        const late = await saved(10);
        await cache.dispose();
        expect(existsSync(cache.path)).toBe(false);
        expect(cache.wants(range(0, 10), "a")).toBe(false);
        cache.add("a", range(0, 10), 9, late);
        expect(cache.usage.entries).toBe(0);
    });

    it("removes directories that processes no longer running left, and keeps live ones", async () => {
        const parent = await mkdtemp(join(tmpdir(), "tiercel-orphans-"));
        try {
            const dead = spawnSync("true").pid;
            // The last: this pid's, but no cache of this process uses it (a predecessor's: same pid after a restart).
            const names = [
                `tiercel-kv-${dead}-abc`,
                `tiercel-kv-${process.ppid}-def`,
                "tiercel-kv-other",
                "mine",
                `tiercel-kv-${process.pid}-old`,
            ];
            for (const name of names) await mkdir(join(parent, name));
            await writeFile(join(parent, names[0]!, "0.target.kv"), "x");
            const fresh = await HostKvCache.create({ dir: parent, maxBytes: 10, minTokens: 1 });
            expect(names.map((n) => existsSync(join(parent, n)))).toEqual([false, true, true, true, false]);
            expect(fresh.path.startsWith(join(parent, `tiercel-kv-${process.pid}-`))).toBe(true);
            // A second cache of this process leaves the first's directory alone.
            const second = await HostKvCache.create({ dir: parent, maxBytes: 10, minTokens: 1 });
            expect(existsSync(fresh.path)).toBe(true);
            await second.dispose();
            await fresh.dispose();
        } finally {
            await rm(parent, { recursive: true, force: true });
        }
    });

    it("refuses a directory it cannot use with a ConfigError naming engine.hostCache.dir", async () => {
        const missing = join(tmpdir(), "tiercel-no-such-dir", "deeper");
        await expect(HostKvCache.create({ dir: missing, maxBytes: 10, minTokens: 1 })).rejects.toMatchObject({
            name: "ConfigError",
            code: "E_CONFIG_INVALID",
            message: expect.stringContaining("engine.hostCache.dir") as string,
        });
    });

    it("counts saves and loads by result, and warns of failing saves once until one succeeds", () => {
        expect(cache.saveEnded(true)).toBe(false);
        expect(cache.saveEnded(false)).toBe(true);
        expect(cache.saveEnded(false)).toBe(false);
        expect(cache.saveEnded(true)).toBe(false);
        expect(cache.saveEnded(false)).toBe(true);
        cache.loadEnded(true);
        cache.loadEnded(false);
        cache.loadEnded(true);
        expect(cache.usage).toMatchObject({ saves: { ok: 2, failed: 3 }, loads: { ok: 2, failed: 1 } });
    });
});

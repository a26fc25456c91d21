import { LRUCache } from "lru-cache";
import { describe, expect, it } from "vitest";
import { cachedPromise } from "../../../src/util/cachedPromise.js";

describe("cachedPromise", () => {
    it("shares one computation between callers of the same key", async () => {
        const cache = new LRUCache<string, Promise<number>>({ max: 4 });
        let made = 0;
        const make = () => Promise.resolve(++made);
        const [a, b] = await Promise.all([cachedPromise(cache, "k", make), cachedPromise(cache, "k", make)]);
        expect([a, b, made]).toEqual([1, 1, 1]);
        expect(await cachedPromise(cache, "other", make)).toBe(2);
    });

    it("drops a rejected computation, so the next caller tries again", async () => {
        const cache = new LRUCache<string, Promise<number>>({ max: 4 });
        const failing = cachedPromise(cache, "k", () => Promise.reject(new Error("bad schema")));
        await expect(failing).rejects.toThrow("bad schema");
        await new Promise((r) => setImmediate(r));
        expect(await cachedPromise(cache, "k", () => Promise.resolve(7))).toBe(7);
    });

    it("keeps at most the cache's size, the least recently used going first", async () => {
        const cache = new LRUCache<string, Promise<string>>({ max: 2 });
        for (const key of ["a", "b"]) await cachedPromise(cache, key, () => Promise.resolve(key));
        await cachedPromise(cache, "a", () => Promise.resolve("a again"));
        await cachedPromise(cache, "c", () => Promise.resolve("c"));
        expect([...cache.keys()].sort()).toEqual(["a", "c"]);
        expect(await cachedPromise(cache, "a", () => Promise.resolve("recomputed"))).toBe("a");
    });
});

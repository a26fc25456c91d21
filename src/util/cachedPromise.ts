import type { LRUCache } from "lru-cache";

/**
 * The promise cached under `key`, or `make()`'s, cached: concurrent callers share one computation, and a
 * rejected promise leaves the cache (the next caller tries again; the error reaches every caller that
 * shared it).
 */
export function cachedPromise<T>(
    cache: LRUCache<string, Promise<T>>,
    key: string,
    make: () => Promise<T>,
): Promise<T> {
    const cached = cache.get(key);
    if (cached) return cached;
    const made = make();
    cache.set(key, made);
    made.catch(() => {
        if (cache.peek(key) === made) cache.delete(key);
    });
    return made;
}

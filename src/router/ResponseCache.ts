/**
 * The response cache: exact matches, plus (opt-in, `nearDuplicate.enabled`) near-duplicates of the last
 * user turn when everything else and the turn's specifics are identical (see cacheKey.ts), scoped per
 * namespace (repository), with a TTL and a bounded LRU.
 *
 * What is never stored (the router calls `store` only for complete answers, and `cacheable` refuses
 * the rest): answers to requests without a scope (no namespace, no session: see cacheKey.ts), answers
 * sampled at a temperature above 0 without a seed (unless the request's `hints.cache_sampled`, else the
 * `sampled` option, allows them; a sampled request that does not allow it is not looked up either), answers with
 * tool calls (running a tool twice because a stale answer said so is worse than
 * a model call), errors, partial streams (a stream is stored only once its `message_end` arrived),
 * answers longer than `maxEntryChars`, and answers from a lower tier than the request was decided for
 * (a degraded fallback should not outlive the outage).
 */
import { jaccard, trigrams, type CacheKeys } from "./cacheKey.js";
import type { CompletionResult } from "../chat/types.js";

export interface CachedAnswer {
    result: CompletionResult;
    tier: string;
    provider: string;
    model: string;
}

export interface ResponseCacheOptions {
    ttlMs: number;
    maxEntries: number;
    maxEntryChars: number;
    /** Cache answers sampled at temperature > 0 too (a request's `hints.cache_sampled` overrides it). Defaults to `false`. */
    sampled?: boolean | undefined;
    nearDuplicate: { enabled: boolean; minSimilarity: number; maxCandidates: number };
    now: () => number;
}

interface Entry {
    keys: CacheKeys;
    grams: Set<string> | undefined;
    answer: CachedAnswer;
    expiresAt: number;
}

export interface CacheHit {
    answer: CachedAnswer;
    match: "exact" | "near_duplicate";
    /** 1 for exact hits. */
    similarity: number;
}

/** Whether an answer may be cached at all. */
export function cacheable(result: CompletionResult, maxEntryChars: number): boolean {
    if (result.stop_reason === "tool_use") return false;
    let chars = 0;
    for (const part of result.content) {
        if (part.type !== "text") return false;
        chars += part.text.length;
    }
    return chars <= maxEntryChars;
}

export class ResponseCache {
    readonly #o: ResponseCacheOptions;
    /** By exact key; insertion order = least recently used first. */
    readonly #entries = new Map<string, Entry>();
    /** By context key: near-duplicate candidates, newest first. */
    readonly #contexts = new Map<string, Entry[]>();

    constructor(options: ResponseCacheOptions) {
        this.#o = options;
    }

    get size(): number {
        return this.#entries.size;
    }

    lookup(keys: CacheKeys): CacheHit | undefined {
        if (this.#excluded(keys)) return undefined;
        const now = this.#o.now();
        const exact = this.#entries.get(keys.exact);
        if (exact) {
            if (exact.expiresAt <= now) this.#remove(exact);
            else {
                this.#entries.delete(keys.exact);
                this.#entries.set(keys.exact, exact);
                return { answer: exact.answer, match: "exact", similarity: 1 };
            }
        }
        const near = this.#o.nearDuplicate;
        if (!near.enabled || keys.context === null) return undefined;
        const candidates = this.#contexts.get(keys.context);
        if (!candidates) return undefined;
        const grams = trigrams(keys.lastUserText);
        let best: Entry | undefined;
        let bestSimilarity = 0;
        for (const entry of [...candidates]) {
            if (entry.expiresAt <= now) {
                this.#remove(entry);
                continue;
            }
            if (entry.keys.specifics !== keys.specifics) continue;
            const similarity =
                entry.keys.lastUserText === keys.lastUserText ? 1 : jaccard(grams, entry.grams!);
            if (similarity > bestSimilarity) {
                best = entry;
                bestSimilarity = similarity;
            }
        }
        if (!best || bestSimilarity < near.minSimilarity) return undefined;
        this.#entries.delete(best.keys.exact);
        this.#entries.set(best.keys.exact, best);
        return { answer: best.answer, match: "near_duplicate", similarity: bestSimilarity };
    }

    /** Stores a complete answer; returns false when it is not cacheable. */
    store(keys: CacheKeys, answer: CachedAnswer): boolean {
        if (this.#excluded(keys)) return false;
        if (!cacheable(answer.result, this.#o.maxEntryChars)) return false;
        const previous = this.#entries.get(keys.exact);
        if (previous) this.#remove(previous);
        const near = this.#o.nearDuplicate.enabled && keys.context !== null;
        const entry: Entry = {
            keys,
            grams: near ? trigrams(keys.lastUserText) : undefined,
            answer,
            expiresAt: this.#o.now() + this.#o.ttlMs,
        };
        this.#entries.set(keys.exact, entry);
        if (near) {
            const list = this.#contexts.get(keys.context!) ?? [];
            list.unshift(entry);
            while (list.length > this.#o.nearDuplicate.maxCandidates) {
                const dropped = list.pop()!;
                // Still reachable by its exact key; only its near-duplicate slot is given up.
                dropped.grams = undefined;
            }
            this.#contexts.set(keys.context!, list);
        }
        for (const oldest of this.#entries.values()) {
            if (this.#entries.size <= this.#o.maxEntries) break;
            this.#remove(oldest);
        }
        return true;
    }

    /** Drops every entry of a namespace (e.g. after the repository changed), or all. Returns the count. */
    clear(namespace?: string): number {
        let removed = 0;
        for (const entry of [...this.#entries.values()]) {
            if (namespace === undefined || entry.keys.namespace === namespace) {
                this.#remove(entry);
                removed++;
            }
        }
        return removed;
    }

    /** No scope, or sampled without the request's (else the cache's) permission. */
    #excluded(keys: CacheKeys): boolean {
        return keys.scope === null || (keys.sampled && !(keys.cacheSampled ?? this.#o.sampled === true));
    }

    #remove(entry: Entry): void {
        if (this.#entries.get(entry.keys.exact) === entry) this.#entries.delete(entry.keys.exact);
        const context = entry.keys.context;
        if (context === null) return;
        const list = this.#contexts.get(context);
        if (!list) return;
        const at = list.indexOf(entry);
        if (at >= 0) list.splice(at, 1);
        if (list.length === 0) this.#contexts.delete(context);
    }
}

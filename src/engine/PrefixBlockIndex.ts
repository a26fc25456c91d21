/**
 * Token sequences indexed by their prefixes, a block of 64 tokens at a time (as vLLM's prefix cache keys
 * KV blocks by the hash of everything up to them): each item is listed under the chained hash of its first
 * 1, 2, … full blocks, within its scope. Finding the items that share the most full blocks with a prompt
 * is then one hash of the prompt and a lookup per block, not a prefix comparison with every item: the host
 * KV cache compared every entry's tokens with every request's prompt, 2.6 ms a request for 300 entries of
 * 4,000 tokens sharing a 3,000-token system prompt (2-vCPU EPYC), ~10 ms for 1,000. Hashes only select
 * candidates; callers compare their tokens exactly, so a collision costs a comparison, never a wrong match.
 */
import type { Token } from "../speculative/types.js";

/** Tokens per block: the granularity of what the index can tell apart without a comparison. */
export const prefixBlockTokens = 64;

export interface Indexed {
    readonly scope: string;
    readonly tokens: readonly Token[];
}

export class PrefixBlockIndex<T extends Indexed> {
    readonly #byKey = new Map<number, Set<T>>();
    readonly #keysOf = new Map<T, readonly number[]>();

    add(item: T): void {
        const keys = blockKeys(item.scope, item.tokens, item.tokens.length);
        this.#keysOf.set(item, keys);
        for (const key of keys) {
            let set = this.#byKey.get(key);
            if (!set) this.#byKey.set(key, (set = new Set()));
            set.add(item);
        }
    }

    remove(item: T): void {
        for (const key of this.#keysOf.get(item) ?? []) {
            const set = this.#byKey.get(key);
            set?.delete(item);
            if (set?.size === 0) this.#byKey.delete(key);
        }
        this.#keysOf.delete(item);
    }

    /**
     * The items of `scope` listed under the prompt's first `depth` full blocks (within its first `limit`
     * tokens), deepest first, for each depth some item shares: every item at a depth shares at least
     * `depth` blocks with the prompt (bar a hash collision), and one sharing fewer is not at that depth.
     */
    *byDepth(
        scope: string,
        tokens: readonly Token[],
        limit: number,
    ): Generator<{ depth: number; items: ReadonlySet<T> }, void, undefined> {
        const keys = blockKeys(scope, tokens, limit);
        for (let depth = keys.length; depth > 0; depth--) {
            const items = this.#byKey.get(keys[depth - 1]!);
            if (items) yield { depth, items };
        }
    }
}

/**
 * The chained hash of `tokens`' first 1, 2, … full blocks within `limit` tokens, seeded by `scope`: two
 * 32-bit multiplicative lanes (FNV-1a and MurmurHash2's constant) packed into one safe integer (53 bits).
 */
function blockKeys(scope: string, tokens: readonly Token[], limit: number): number[] {
    let a = 0x811c9dc5;
    let b = 0x9747b28c;
    for (let i = 0; i < scope.length; i++) {
        a = Math.imul(a ^ scope.charCodeAt(i), 0x01000193);
        b = Math.imul(b ^ scope.charCodeAt(i), 0x5bd1e995);
    }
    const blocks = Math.max(0, Math.floor(Math.min(limit, tokens.length) / prefixBlockTokens));
    const keys = new Array<number>(blocks);
    for (let block = 0, i = 0; block < blocks; block++) {
        for (const end = i + prefixBlockTokens; i < end; i++) {
            const t = tokens[i]!;
            a = Math.imul(a ^ t, 0x01000193);
            b = Math.imul(b ^ t, 0x5bd1e995);
            b ^= b >>> 15;
        }
        keys[block] = (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
    }
    return keys;
}

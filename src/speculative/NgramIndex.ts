/**
 * Incremental n-gram index for prompt-lookup drafting over a growing token sequence (prompt and
 * generated tokens alike; node-llama-cpp's InputLookupTokenPredictor only searches the input).
 *
 * For every n in [minN, maxN] it maps each n-gram to the position right after its most recent
 * occurrence. `append` indexes the n-grams ending at the token before each new one, one backward pass of
 * at most maxN tokens per appended token, never rescanning. Indexing lags one token behind so that the
 * sequence's own suffix is never in the index: every hit is an earlier occurrence with a continuation.
 *
 * `lookup(maxTokens)` tries the suffix n-grams from maxN down to minN; for the first (longest) one found,
 * it returns up to `maxTokens` tokens that followed its most recent earlier occurrence ([] when none).
 * The continuation is copied like an LZ77 back-reference: when it runs into the end of the sequence it
 * continues from its own output, so a period-d repetition predicts further periods
 * (`a b c a b` → `c a b c a ...`).
 *
 * Keys are two 32-bit multiplicative hashes packed into 53 bits; every hit is checked against the
 * actual tokens, so a hash collision can cost a missed match but never a wrong one.
 *
 * `truncate(length)` returns the index to exactly the state indexing the first `length` tokens would
 * give, undoing each later entry from a log of the positions it replaced (one number per n per token).
 * So an index kept beside a sequence's KV cache follows it from request to request: the next request
 * truncates to the prefix it shares and indexes only the rest (a 13.5k-token agent conversation took
 * 4–22 ms to index per request, all of it before the prompt pass started).
 */
import type { Token } from "./types.js";

/** Shortest suffix n-gram looked up. 1-grams fire on almost every token (spaces, brackets) and mostly mispredict. */
export const defaultNgramMinN = 2;
/** Longest suffix n-gram looked up. Longer matches rarely predict better than 4-grams but cost index memory. */
export const defaultNgramMaxN = 4;

export interface NgramIndexOptions {
    /** Shortest n-gram to match, an integer ≥ 1. Defaults to `defaultNgramMinN` (2). */
    minN?: number;
    /** Longest n-gram to match (tried first), an integer ≥ minN. Defaults to `defaultNgramMaxN` (4). */
    maxN?: number;
}

export class NgramIndex {
    readonly minN: number;
    readonly maxN: number;
    readonly #tokens: Token[] = [];
    /** `#positions[n - minN]`: n-gram key → position right after its most recent indexed occurrence. */
    readonly #positions: Map<number, number>[] = [];
    /**
     * Undo log of `append`: for the n-grams ending at `end`, `#replaced[end * width + n - minN]` is the
     * position the entry held before (-1: none; -2: no n-gram of that length ends there).
     */
    readonly #replaced: number[] = [];
    readonly #width: number;
    /** Scratch for {@link NgramIndex.#keysEndingAt}: `[n - 1]` holds the key of the n-gram. */
    readonly #keys: Float64Array;

    constructor({ minN = defaultNgramMinN, maxN = defaultNgramMaxN }: NgramIndexOptions = {}) {
        if (!Number.isInteger(minN) || !Number.isInteger(maxN) || minN < 1 || maxN < minN) {
            throw new RangeError(
                `NgramIndex: need integers 1 <= minN <= maxN, got minN=${minN}, maxN=${maxN}`,
            );
        }
        this.minN = minN;
        this.maxN = maxN;
        for (let n = minN; n <= maxN; n++) this.#positions.push(new Map());
        this.#keys = new Float64Array(maxN);
        this.#width = maxN - minN + 1;
    }

    /** The indexed sequence. */
    get tokens(): readonly Token[] {
        return this.#tokens;
    }

    get length(): number {
        return this.#tokens.length;
    }

    /** Appends `tokens[from..]` to the sequence. */
    append(tokens: readonly Token[], from = 0): void {
        for (let i = from; i < tokens.length; i++) {
            this.#tokens.push(tokens[i]!);
            const end = this.#tokens.length - 2;
            if (end < 0) continue;
            // The n-grams ending at `end` now have a continuation (the token just pushed).
            const count = this.#keysEndingAt(end);
            for (let n = this.minN; n <= this.maxN; n++) {
                if (n > count) {
                    this.#replaced.push(-2);
                    continue;
                }
                const map = this.#positions[n - this.minN]!;
                const key = this.#keys[n - 1]!;
                this.#replaced.push(map.get(key) ?? -1);
                map.set(key, end + 1);
            }
        }
    }

    /** Forgets the tokens from `length` on: the index is then as if only the first `length` were appended. */
    truncate(length: number): void {
        const tokens = this.#tokens;
        if (length >= tokens.length) return;
        if (length <= 0) {
            this.reset();
            return;
        }
        const width = this.#width;
        // Entries were set for ends 0..tokens.length - 2; undo those from length - 1 on, latest first.
        for (let end = tokens.length - 2; end >= length - 1; end--) {
            this.#keysEndingAt(end);
            for (let n = this.maxN; n >= this.minN; n--) {
                const before = this.#replaced[end * width + n - this.minN]!;
                if (before === -2) continue;
                const map = this.#positions[n - this.minN]!;
                if (before === -1) map.delete(this.#keys[n - 1]!);
                else map.set(this.#keys[n - 1]!, before);
            }
        }
        tokens.length = length;
        this.#replaced.length = (length - 1) * width;
    }

    /** Up to `maxTokens` tokens predicted to follow the sequence; [] when no suffix n-gram occurred before. */
    lookup(maxTokens: number): Token[] {
        return this.lookupMatch(maxTokens).tokens;
    }

    /**
     * `lookup`, and how many tokens the match behind the prediction covers (0 when none): the n-gram found,
     * extended backwards while the tokens before both occurrences agree, up to `measureUpTo` (a suffix
     * drafter compares it with other sources' matches, SuffixProposer).
     */
    lookupMatch(maxTokens: number, measureUpTo = 0): { tokens: Token[]; matchLength: number } {
        const tokens = this.#tokens;
        const length = tokens.length;
        if (maxTokens <= 0 || length === 0) return { tokens: [], matchLength: 0 };
        const count = this.#keysEndingAt(length - 1);
        for (let n = count; n >= this.minN; n--) {
            const pos = this.#positions[n - this.minN]!.get(this.#keys[n - 1]!);
            if (pos === undefined || !this.#sameNgram(pos - n, length - n, n)) continue;
            const out: Token[] = [];
            for (let m = 0; m < maxTokens; m++) {
                const src = pos + m;
                out.push(src < length ? tokens[src]! : out[src - length]!);
            }
            // The earlier occurrence ends before the sequence does (indexing lags one token), so the
            // backward walk compares two different positions all the way.
            let matchLength = n;
            while (
                matchLength < measureUpTo &&
                pos - 1 - matchLength >= 0 &&
                tokens[pos - 1 - matchLength] === tokens[length - 1 - matchLength]
            )
                matchLength++;
            return { tokens: out, matchLength };
        }
        return { tokens: [], matchLength: 0 };
    }

    /** Empties the index (new request). */
    reset(): void {
        this.#tokens.length = 0;
        this.#replaced.length = 0;
        for (const map of this.#positions) map.clear();
    }

    /** Fills `#keys[n - 1]` for the n-grams ending at `end`, n = 1..min(maxN, end + 1); returns that count. */
    #keysEndingAt(end: number): number {
        const count = Math.min(this.maxN, end + 1);
        let h1 = 0x9e3779b9 | 0;
        let h2 = 0x7f4a7c15 | 0;
        for (let n = 1; n <= count; n++) {
            const t = this.#tokens[end - n + 1]!;
            h1 = Math.imul(h1 ^ t, 0x85ebca6b);
            h1 ^= h1 >>> 15;
            h2 = Math.imul(h2 + t, 0xc2b2ae35);
            h2 ^= h2 >>> 13;
            this.#keys[n - 1] = (h1 >>> 0) * 0x200000 + (h2 >>> 11);
        }
        return count;
    }

    #sameNgram(a: number, b: number, n: number): boolean {
        for (let i = 0; i < n; i++) if (this.#tokens[a + i] !== this.#tokens[b + i]) return false;
        return true;
    }
}

/**
 * A bounded index over earlier requests' token sequences (prompt plus committed output), per namespace,
 * for cross-request drafting: coding agents resend files, retry after tool errors and re-emit code an
 * earlier turn wrote, so the continuation of the current history's suffix in an earlier request is a
 * good draft.
 *
 * Layout, per namespace:
 *
 *   documents: serial → Int32Array (one finished request's tokens)
 *   index:     key(n-gram of keyN tokens) → serial·2^24 + position right after its latest occurrence
 *
 * `add` indexes every keyN-gram of a document (one rolling pass, O(length)); later documents overwrite
 * earlier occurrences, so a key always points at its most recent one. `lookup` hashes the history's last
 * keyN tokens, checks the hit against the stored tokens (a hash collision costs a miss, never a wrong
 * draft), then extends the match backwards to measure it: the draft is `matchLength − keyN + 1` tokens
 * (capped by `maxTokens` and the document's end), long when a whole prompt matched (a retried request),
 * one token when only the key did.
 *
 * Scoping: a namespace never sees another's documents; requests without one are neither indexed nor
 * drafted for. Acceptance speed is observable by the client, so shared drafting would be a timing side
 * channel between tenants.
 *
 * Memory: at most `maxTokens` indexed tokens over all namespaces. Documents are evicted least recently
 * used first (a lookup hit refreshes its document); evicting one deletes the keys that still point at
 * it. A document that extends an earlier one of its namespace (the next turn of a conversation, whose
 * prompt holds the previous prompt and answer) replaces it instead of indexing the same text twice.
 */
import { defaultSuffixKeyN, defaultSuffixPoolMaxTokens } from "../config/defaults.js";
import { commonPrefixLength } from "./commonPrefixLength.js";
import type { Token } from "./types.js";

/** How far back a match is measured: beyond this a draft is already as long as it gets. */
export const maxMatchLength = 64;
/**
 * Tokens a suffix match of `matchLength` history tokens drafts with keys of `keyN` tokens: one when only
 * the key matched, one more per further matched token (capped by the caller's k and what follows).
 */
export function suffixDraftLength(matchLength: number, keyN: number): number {
    return matchLength - keyN + 1;
}

/** Positions per document are packed below this (documents are context-sized, far shorter). */
const positionSpan = 2 ** 24;

export interface SuffixPoolOptions {
    /** Indexed tokens kept over all namespaces, an integer ≥ 1. Defaults to `defaultSuffixPoolMaxTokens`. */
    maxTokens?: number;
    /** Length of the n-grams looked up, an integer in [2, 32]. Defaults to `defaultSuffixKeyN` (4). */
    keyN?: number;
}

/**
 * Where a lookup's match ended in its document (`pos`: the position right after the matched history)
 * when the history was `historyLength` tokens long: the next lookup of the same request passes it back
 * (`lookup`'s `cursor`), and the document position the history has advanced to is tried beside the
 * index's hit.
 */
export interface SuffixCursor {
    serial: number;
    pos: number;
    historyLength: number;
}

/** What `lookup` found: the drafted continuation and how many history tokens matched before it. */
export interface SuffixMatch {
    tokens: Token[];
    matchLength: number;
    /** Where the match ended (absent when nothing matched). */
    cursor?: SuffixCursor;
}

interface Namespace {
    readonly documents: Map<number, Int32Array>;
    readonly index: Map<number, number>;
}

export class SuffixPool {
    readonly maxTokens: number;
    readonly keyN: number;
    readonly #namespaces = new Map<string, Namespace>();
    /**
     * Every document's serial → its namespace and when it was last added or hit (a stamp, not a
     * reordering: a hit is one store, and eviction, once per `add` at most, scans for the oldest).
     */
    readonly #documents = new Map<number, { namespace: string; used: number }>();
    #serial = 0;
    #clock = 0;
    #indexedTokens = 0;

    constructor({
        maxTokens = defaultSuffixPoolMaxTokens,
        keyN = defaultSuffixKeyN,
    }: SuffixPoolOptions = {}) {
        if (!Number.isInteger(maxTokens) || maxTokens < 1)
            throw new RangeError(`SuffixPool: maxTokens must be an integer ≥ 1, got ${maxTokens}`);
        if (!Number.isInteger(keyN) || keyN < 2 || keyN > 32)
            throw new RangeError(`SuffixPool: keyN must be an integer in [2, 32], got ${keyN}`);
        this.maxTokens = maxTokens;
        this.keyN = keyN;
    }

    /** Tokens held over all namespaces (what the cap bounds). */
    get indexedTokens(): number {
        return this.#indexedTokens;
    }

    get documents(): number {
        return this.#documents.size;
    }

    /** Indexes one finished request's tokens under `namespace`. */
    add(namespace: string, tokens: readonly Token[]): void {
        if (tokens.length <= this.keyN) return;
        let ns = this.#namespaces.get(namespace);
        if (!ns) this.#namespaces.set(namespace, (ns = { documents: new Map(), index: new Map() }));
        for (const [serial, doc] of ns.documents) {
            // Superseded: the new document holds this one (its last token, e.g. end of turn, aside).
            if (commonPrefixLength(doc, tokens) >= doc.length - 1) this.#evict(serial);
        }
        const doc = Int32Array.from(tokens.length > this.maxTokens ? tokens.slice(-this.maxTokens) : tokens);
        const serial = ++this.#serial;
        // #evict may have dropped the namespace with its last document.
        if (!this.#namespaces.has(namespace)) this.#namespaces.set(namespace, ns);
        ns.documents.set(serial, doc);
        this.#documents.set(serial, { namespace, used: ++this.#clock });
        this.#indexedTokens += doc.length;
        const base = serial * positionSpan;
        for (let end = this.keyN; end < doc.length; end++) ns.index.set(this.#key(doc, end), base + end);
        while (this.#indexedTokens > this.maxTokens) this.#evict(this.#leastRecentlyUsed());
    }

    /**
     * Up to `maxTokens` tokens that followed an earlier occurrence, in `namespace`, of the last keyN tokens
     * of `history`; fewer when the match is short (see the file comment). Two candidates, the longer match
     * winning (the cursor's on a tie): the index's latest occurrence of the key and, given the previous
     * lookup's `cursor`, the position in its document the history has advanced to since. In repetitive
     * text (a struct's fields, a list of cases) the latest occurrence of a short key is often a later
     * repetition in the document, not the place a retried request is regenerating: on the agent trace a
     * retry's drafts, after 64-token matches, were cut to 4 tokens by the document's end behind a 12–23-token
     * match of a repeated line.
     */
    lookup(
        namespace: string,
        history: readonly Token[],
        maxTokens: number,
        cursor?: SuffixCursor,
    ): SuffixMatch {
        const none = { tokens: [], matchLength: 0 };
        const n = this.keyN;
        if (maxTokens <= 0 || history.length < n) return none;
        const ns = this.#namespaces.get(namespace);
        if (!ns) return none;
        let serial = 0;
        let pos = 0;
        let matchLength = 0;
        if (cursor) {
            const at = cursor.pos + history.length - cursor.historyLength;
            const doc = ns.documents.get(cursor.serial);
            if (doc && at < doc.length) {
                const m = matchBefore(doc, at, history);
                if (m >= n) {
                    serial = cursor.serial;
                    pos = at;
                    matchLength = m;
                }
            }
        }
        const hit =
            matchLength < maxMatchLength ? ns.index.get(this.#key(history, history.length)) : undefined;
        if (hit !== undefined) {
            const hitSerial = Math.floor(hit / positionSpan);
            const hitPos = hit - hitSerial * positionSpan;
            // Shorter than keyN: a hash collision (a miss, never a wrong draft).
            const m = matchBefore(ns.documents.get(hitSerial)!, hitPos, history);
            if (m >= n && m > matchLength) {
                serial = hitSerial;
                pos = hitPos;
                matchLength = m;
            }
        }
        if (matchLength === 0) return none;
        const doc = ns.documents.get(serial)!;
        this.#documents.get(serial)!.used = ++this.#clock;
        const count = Math.min(maxTokens, suffixDraftLength(matchLength, n), doc.length - pos);
        const tokens = new Array<Token>(count);
        for (let i = 0; i < count; i++) tokens[i] = doc[pos + i]!;
        return { tokens, matchLength, cursor: { serial, pos, historyLength: history.length } };
    }

    #leastRecentlyUsed(): number {
        let oldest = -1;
        let used = Infinity;
        for (const [serial, d] of this.#documents) {
            if (d.used < used) {
                used = d.used;
                oldest = serial;
            }
        }
        return oldest;
    }

    #evict(serial: number): void {
        const { namespace } = this.#documents.get(serial)!;
        const ns = this.#namespaces.get(namespace)!;
        const doc = ns.documents.get(serial)!;
        const base = serial * positionSpan;
        for (let end = this.keyN; end < doc.length; end++) {
            const key = this.#key(doc, end);
            if (ns.index.get(key) === base + end) ns.index.delete(key);
        }
        ns.documents.delete(serial);
        this.#documents.delete(serial);
        this.#indexedTokens -= doc.length;
        if (ns.documents.size === 0) this.#namespaces.delete(namespace);
    }

    /** Key of the keyN tokens before `end`: two 32-bit multiplicative hashes packed into 53 bits. */
    #key(tokens: ArrayLike<Token>, end: number): number {
        let h1 = 0x9e3779b9 | 0;
        let h2 = 0x7f4a7c15 | 0;
        for (let i = end - this.keyN; i < end; i++) {
            const t = tokens[i]!;
            h1 = Math.imul(h1 ^ t, 0x85ebca6b);
            h1 ^= h1 >>> 15;
            h2 = Math.imul(h2 + t, 0xc2b2ae35);
            h2 ^= h2 >>> 13;
        }
        return (h1 >>> 0) * 0x200000 + (h2 >>> 11);
    }
}

/** How many tokens before `pos` in `doc` equal the end of `history`, up to `maxMatchLength`. */
function matchBefore(doc: Int32Array, pos: number, history: readonly Token[]): number {
    const limit = Math.min(maxMatchLength, pos, history.length);
    let m = 0;
    while (m < limit && doc[pos - 1 - m] === history[history.length - 1 - m]) m++;
    return m;
}

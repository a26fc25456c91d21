/**
 * Turns generated tokens into text deltas that are safe to send: it holds back bytes of a multi-byte
 * character that is not complete yet, and text that may be the start of a stop string, and it cuts
 * the output before the first stop string. Detokenization is incremental (only new tokens, with the
 * previous tokens as context for tokenizers that strip a leading space), so a long generation costs
 * O(n), not O(n²).
 */
const replacementChar = "\uFFFD";
/** How many previous tokens give the detokenizer enough context (SPM leading-space rules). */
const detokenizeContextTokens = 4;
/** A character split across tokens completes within this many tokens in UTF-8 byte-level vocabularies. */
const maxPendingTokens = 4;

export type Detokenize = (tokens: readonly number[], lastTokens: readonly number[]) => string;

export interface TextPush {
    /** Text that can be emitted now. */
    text: string;
    /** A stop string was found; nothing after it may be emitted. */
    stopped: boolean;
}

export class TextStream {
    readonly #detokenize: Detokenize;
    readonly #stops: readonly string[];
    readonly #longestStop: number;
    #decodedTokens: number[] = [];
    #pendingTokens: number[] = [];
    /** Decoded text not yet emitted (held back for a possible stop string). */
    #held = "";

    constructor(detokenize: Detokenize, stops: readonly string[] = []) {
        this.#detokenize = detokenize;
        this.#stops = stops.filter((s) => s.length > 0);
        this.#longestStop = this.#stops.reduce((max, s) => Math.max(max, s.length), 0);
    }

    /**
     * Adds generated tokens. The text emitted over a generation does not depend on how its tokens were
     * grouped into pushes (one at a time, or several accepted speculative tokens at once): a character
     * whose bytes are not all there yet is held back with the tokens that carry it, never emitted as
     * U+FFFD and then "completed" by a second replacement character.
     */
    push(tokens: readonly number[]): TextPush {
        const pending = this.#pendingTokens;
        for (const token of tokens) pending.push(token);
        const context = this.#decodedTokens.slice(-detokenizeContextTokens);
        let piece = this.#detokenize(pending, context);
        let take = pending.length;
        if (piece.endsWith(replacementChar)) {
            // The last character may be incomplete: emit up to the latest token boundary that ends on a
            // complete character and keep the rest pending. A boundary ends on a complete character
            // when decoding the two sides apart gives the same text as decoding them together (a cut
            // through a character would decode its pieces to extra U+FFFD) — this, not "the head does
            // not end with U+FFFD", also keeps a genuine U+FFFD in the output apart from a split one.
            // Bytes that stay invalid for maxPendingTokens tokens are not a split character; they are
            // emitted as they decode.
            take = 0;
            for (
                let split = pending.length - 1;
                split >= 1 && split >= pending.length - maxPendingTokens;
                split--
            ) {
                const headTokens = pending.slice(0, split);
                const head = this.#detokenize(headTokens, context);
                const tailContext = [...context, ...headTokens].slice(-detokenizeContextTokens);
                if (head + this.#detokenize(pending.slice(split), tailContext) === piece) {
                    take = split;
                    piece = head;
                    break;
                }
            }
            if (take === 0) {
                if (pending.length < maxPendingTokens) return { text: "", stopped: false };
                take = pending.length;
            }
        }
        for (let i = 0; i < take; i++) this.#decodedTokens.push(pending[i]!);
        if (this.#decodedTokens.length > 64)
            this.#decodedTokens = this.#decodedTokens.slice(-detokenizeContextTokens);
        this.#pendingTokens = take === pending.length ? [] : pending.slice(take);
        return this.#emit(piece);
    }

    /** Releases whatever is held back (end of generation without a stop string). */
    flush(): string {
        const rest =
            this.#pendingTokens.length > 0 ? this.#detokenize(this.#pendingTokens, this.#decodedTokens) : "";
        this.#pendingTokens = [];
        const out = this.#held + rest;
        this.#held = "";
        return out;
    }

    #emit(piece: string): TextPush {
        if (this.#stops.length === 0) return { text: piece, stopped: false };
        const text = this.#held + piece;
        let cut = -1;
        for (const stop of this.#stops) {
            const at = text.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) cut = at;
        }
        if (cut >= 0) {
            this.#held = "";
            return { text: text.slice(0, cut), stopped: true };
        }
        // Hold back the longest tail that is a prefix of some stop string.
        let keep = 0;
        for (let len = Math.min(this.#longestStop - 1, text.length); len > 0; len--) {
            const tail = text.slice(text.length - len);
            if (this.#stops.some((s) => s.startsWith(tail))) {
                keep = len;
                break;
            }
        }
        this.#held = text.slice(text.length - keep);
        return { text: text.slice(0, text.length - keep), stopped: false };
    }
}

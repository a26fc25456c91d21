/**
 * Encoder for our byte-level BPE vocabulary: the same algorithm llama.cpp runs for a "gpt2"
 * tokenizer (repeatedly merge the adjacent pair with the lowest merge rank inside each
 * pre-token). Used to encode the training corpus so the model trains on exactly the token
 * streams llama.cpp will feed it; the round-trip test checks the two agree.
 */
import { pretokenize, toByteSymbols } from "./byteLevel.js";

export interface BpeVocabulary {
    /** Token texts in id order (byte-level strings for normal tokens, plain text for specials). */
    tokens: string[];
    /** Merges in rank order, each "left right". */
    merges: string[];
    /** Ids of special (control) tokens, by text. */
    specials: Record<string, number>;
}

export class ByteLevelBpe {
    readonly #ids = new Map<string, number>();
    readonly #ranks = new Map<string, number>();
    readonly #cache = new Map<string, readonly number[]>();

    constructor(readonly vocab: BpeVocabulary) {
        vocab.tokens.forEach((t, i) => this.#ids.set(t, i));
        vocab.merges.forEach((m, i) => this.#ranks.set(m, i));
    }

    /** Encodes text without special-token parsing (as llama.cpp does with parse_special=false). */
    encode(text: string, out: number[] = []): number[] {
        for (const word of pretokenize(text)) {
            let ids = this.#cache.get(word);
            if (ids === undefined) {
                ids = this.#encodeWord(word);
                if (this.#cache.size < 500_000) this.#cache.set(word, ids);
            }
            for (const id of ids) out.push(id);
        }
        return out;
    }

    #encodeWord(word: string): number[] {
        const symbols = toByteSymbols(word);
        while (symbols.length > 1) {
            let best = -1;
            let bestRank = Infinity;
            for (let i = 0; i + 1 < symbols.length; i++) {
                const rank = this.#ranks.get(symbols[i]! + " " + symbols[i + 1]!);
                if (rank !== undefined && rank < bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) break;
            symbols.splice(best, 2, symbols[best]! + symbols[best + 1]!);
        }
        return symbols.map((s) => {
            const id = this.#ids.get(s);
            if (id === undefined) throw new Error(`symbol ${JSON.stringify(s)} missing from vocabulary`);
            return id;
        });
    }
}

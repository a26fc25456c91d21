/**
 * A model's tokenizer that remembers long texts it tokenized: an agent resends its whole conversation
 * every turn (system prompt, tool definitions, every earlier message), and the chat wrappers tokenize it
 * one text run at a time (a run is the text between two special tokens: with ChatML, one message), so
 * every run but the newest was tokenized the turn before. Measured on the bundled target (2-vCPU EPYC,
 * scratch measurement): tokenizing costs ~1 µs a token, and rendering a 32k-token, 31-message
 * conversation took 28.6 ms a request, on top of a prefix-reused prompt pass that evaluates only the new
 * turn: the tokenizer, not the model, set the time to first token of a long agent session.
 *
 * Tokenization is a pure function of (text, specialTokens, options), so a cached result is exact. Runs
 * shorter than `minCachedChars` are tokenized every time (cheap, and they would only churn the cache).
 * The cache holds at most `maxCachedTokens` tokens over all entries (their keys count too), least
 * recently used evicted first; callers must not mutate the arrays it returns (LlamaText.tokenize copies
 * them into its result).
 *
 * A cached run tokenizes faster than a new one (~1 µs a token), which a caller can time: `scoped(scope)`
 * is a view whose runs are cached apart from other scopes' (the request's KV cache scope, one per tenant),
 * in the same bounded cache.
 */
import { LRUCache } from "lru-cache";
import type { Token, Tokenizer } from "node-llama-cpp";

/** Runs shorter than this are not cached: ~50 tokens, a few tens of µs to tokenize again. */
export const minCachedChars = 200;
/**
 * Tokens kept over all cached runs (keys weighted at a token per 4 characters): a few agents' long
 * sessions (each 20–100k tokens) at ~12 bytes a token, about 25 MB.
 */
export const maxCachedTokens = 2_000_000;

/** The shared scope's caching tokenizer, and views of other scopes over the same cache. */
export type ScopedTokenizer = Tokenizer & { scoped(scope: string): Tokenizer };

export function cachedTokenizer(tokenizer: Tokenizer, maxTokens = maxCachedTokens): ScopedTokenizer {
    const cache = new LRUCache<string, Token[]>({
        maxSize: maxTokens,
        sizeCalculation: (tokens, key) => Math.max(1, tokens.length + Math.ceil(key.length / 4)),
    });
    const view = (scope: string): Tokenizer => {
        // A scope's keys start with its name and a NUL (which names never hold); the shared scope's, without.
        const prefix = scope === "" ? "" : `${scope}\u0000`;
        const tokenize = (
            text: string,
            specialTokens?: boolean | "builtin",
            options?: "trimLeadingSpace",
        ): Token[] => {
            if (text.length < minCachedChars || specialTokens === "builtin")
                return (tokenizer as (t: string, s?: boolean | "builtin", o?: "trimLeadingSpace") => Token[])(
                    text,
                    specialTokens,
                    options,
                );
            const key = `${prefix}${specialTokens === true ? "s" : "t"}${options === undefined ? "" : "l"}${text}`;
            let tokens = cache.get(key);
            if (tokens === undefined) {
                tokens = tokenizer(text, specialTokens, options);
                cache.set(key, tokens);
            }
            return tokens;
        };
        return Object.assign(tokenize, {
            detokenize: tokenizer.detokenize,
            isSpecialToken: (token: Token) => tokenizer.isSpecialToken(token),
            isEogToken: (token: Token) => tokenizer.isEogToken(token),
        });
    };
    return Object.assign(view(""), { scoped: view });
}

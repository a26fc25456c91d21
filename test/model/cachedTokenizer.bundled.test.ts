/**
 * The chat prompt's caching tokenizer (src/engine/cachedTokenizer.ts) on the bundled target's real
 * tokenizer: it answers exactly what the model's tokenizer answers (texts long and short, special-token
 * text, the trim option), tokenizes a long run once however often an agent resends it, forgets the least
 * recently used runs beyond its size, and a rendered conversation is token for token the same with it.
 */
import { readFileSync } from "node:fs";
import { getLlama, type LlamaModel, type Token, type Tokenizer } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedTokenizer, minCachedChars } from "../../src/engine/cachedTokenizer.js";
import { renderChat } from "../../src/engine/renderChat.js";
import type { ChatMessage } from "../../src/engine/types.js";
import { bundledModelPath } from "../helpers/bundledModels.js";

let model: LlamaModel;
beforeAll(async () => {
    const llama = await getLlama({ gpu: false, build: "never" });
    model = await llama.loadModel({ modelPath: bundledModelPath("target") });
});
afterAll(async () => {
    await model.dispose();
});

const source = readFileSync(new URL("../../src/engine/generate.ts", import.meta.url), "utf8");

/** The model's tokenizer, counting the texts it is asked to tokenize. */
function counting(): { tokenizer: Tokenizer; calls: Map<string, number> } {
    const calls = new Map<string, number>();
    const inner = model.tokenizer;
    const call = inner as (
        text: string,
        special?: boolean | "builtin",
        options?: "trimLeadingSpace",
    ) => Token[];
    const tokenize = (text: string, special?: boolean | "builtin", options?: "trimLeadingSpace"): Token[] => {
        calls.set(text, (calls.get(text) ?? 0) + 1);
        return call(text, special, options);
    };
    return {
        tokenizer: Object.assign(tokenize, {
            detokenize: inner.detokenize,
            isSpecialToken: (t: Token) => inner.isSpecialToken(t),
            isEogToken: (t: Token) => inner.isEogToken(t),
        }),
        calls,
    };
}

describe("cachedTokenizer", () => {
    it("answers what the model's tokenizer answers, first time and cached", () => {
        const cached = cachedTokenizer(model.tokenizer);
        const texts = [
            "",
            "x",
            " leading space kept",
            source.slice(0, 150),
            source.slice(0, 5000),
            ` ${source.slice(1000, 9000)}`,
            `<|im_start|>user\n${source.slice(0, 800)}<|im_end|>`,
        ];
        for (let round = 0; round < 2; round++) {
            for (const text of texts) {
                for (const special of [false, true]) {
                    for (const options of [undefined, "trimLeadingSpace"] as const) {
                        expect(cached(text, special, options)).toEqual(
                            model.tokenizer(text, special, options),
                        );
                    }
                }
            }
        }
        expect(cached.isSpecialToken(model.tokens.bos!)).toBe(
            model.tokenizer.isSpecialToken(model.tokens.bos!),
        );
        expect(cached.detokenize(model.tokenize("def f(x):"))).toBe("def f(x):");
    });

    it("tokenizes a long run once, a short one every time, and forgets past its size", () => {
        const { tokenizer, calls } = counting();
        const long = source.slice(0, 6000);
        const short = source.slice(0, minCachedChars - 1);
        const cached = cachedTokenizer(tokenizer, model.tokenize(long).length * 3);
        for (let i = 0; i < 5; i++) {
            cached(long, false);
            cached(short, false);
        }
        expect(calls.get(long)).toBe(1);
        expect(calls.get(short)).toBe(5);
        // Three other long runs push the first one out (least recently used first).
        for (const offset of [6000, 12000, 18000]) cached(source.slice(offset, offset + 6000), false);
        cached(long, false);
        expect(calls.get(long)).toBe(2);
    });

    it("keeps each scope's runs apart in one cache: a run cached for one scope is tokenized again for another", () => {
        const { tokenizer, calls } = counting();
        const long = source.slice(0, 6000);
        const cached = cachedTokenizer(tokenizer);
        const a = cached.scoped("tenant-a");
        const b = cached.scoped("tenant-b");
        expect(a(long, false)).toEqual(model.tokenize(long, false));
        a(long, false);
        expect(calls.get(long)).toBe(1);
        expect(b(long, false)).toEqual(model.tokenize(long, false));
        cached(long, false);
        expect(calls.get(long)).toBe(3);
        cached.scoped("tenant-a")(long, false);
        expect(calls.get(long)).toBe(3);
    });

    it("renders a resent conversation token for token the same, tokenizing only the new turn", () => {
        const messages: ChatMessage[] = [
            { role: "system", content: source.slice(0, 3000) },
            { role: "user", content: `fix this:\n${source.slice(3000, 7000)}` },
            { role: "assistant", content: source.slice(7000, 8000) },
            { role: "user", content: "and now the tests" },
        ];
        const { tokenizer, calls } = counting();
        const cached = cachedTokenizer(tokenizer);
        expect(renderChat(model, messages, undefined, [], cached).tokens).toEqual(
            renderChat(model, messages).tokens,
        );
        const first = [...calls.values()].reduce((a, b) => a + b, 0);
        const next = [
            ...messages,
            { role: "assistant", content: "ok" },
            { role: "user", content: "thanks" },
        ] as ChatMessage[];
        calls.clear();
        expect(renderChat(model, next, undefined, [], cached).tokens).toEqual(renderChat(model, next).tokens);
        // Only runs too short to cache (and the new turn's) were tokenized again.
        for (const [text] of calls) expect(text.length).toBeLessThan(minCachedChars);
        expect(first).toBeGreaterThan(0);
    });
});

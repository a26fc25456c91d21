import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { cacheKeys, canonicalJson, jaccard, normalizeText, trigrams } from "../../../src/router/cacheKey.js";
import { ResponseCache, type CachedAnswer } from "../../../src/router/ResponseCache.js";
import type { ChatRequest, CompletionResult } from "../../../src/chat/types.js";

const history: ChatRequest["messages"] = [
    { role: "user", content: "read src/app.ts" },
    {
        role: "assistant",
        content: [{ type: "tool_call", id: "t1", name: "read", arguments: { path: "src/app.ts" } }],
    },
    { role: "user", content: [{ type: "tool_result", tool_call_id: "t1", content: "export const x = 1;" }] },
    { role: "assistant", content: "It exports x." },
];

const request = (last: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
    system: "You are a coding agent.",
    messages: [...history, { role: "user", content: last }],
    tools: [{ name: "read", input_schema: { type: "object", properties: { path: { type: "string" } } } }],
    ...extra,
});

const keys = (r: ChatRequest, namespace = "repo", tier = "mid") =>
    cacheKeys({ ...r, hints: { namespace, ...r.hints } }, namespace, tier, 1024);

const answer = (text: string, overrides: Partial<CompletionResult> = {}): CachedAnswer => ({
    result: {
        content: [{ type: "text", text }],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 3 },
        model: "m",
        ...overrides,
    },
    tier: "mid",
    provider: "anthropic",
    model: "sonnet",
});

function setup(
    overrides: { ttlMs?: number; maxEntries?: number; minSimilarity?: number; near?: boolean } = {},
) {
    let now = 0;
    const cache = new ResponseCache({
        ttlMs: overrides.ttlMs ?? 1_000,
        maxEntries: overrides.maxEntries ?? 100,
        maxEntryChars: 1_000,
        nearDuplicate: {
            enabled: overrides.near ?? true,
            minSimilarity: overrides.minSimilarity ?? 0.8,
            maxCandidates: 4,
        },
        now: () => now,
    });
    return { cache, advance: (ms: number) => (now += ms) };
}

describe("cache keys", () => {
    it("equal requests share a key whatever their object key order", () => {
        const a = request("what does it import?");
        const b: ChatRequest = { tools: a.tools, messages: a.messages, system: a.system };
        expect(keys(a).exact).toBe(keys(b).exact);
        expect(canonicalJson({ b: 1, a: [{ y: 2, x: undefined }] })).toBe('{"a":[{"y":2}],"b":1}');
    });

    it.each([
        ["system", { system: "other" }],
        ["tools", { tools: [] }],
        ["tool_choice", { tool_choice: "required" }],
        ["temperature", { temperature: 0.5 }],
        ["stop", { stop: ["END"] }],
    ] as const)("a different %s is a different exact key and a different context", (_field, extra) => {
        const a = keys(request("q"));
        const b = keys(request("q", extra));
        expect(b.exact).not.toBe(a.exact);
        expect(b.context).not.toBe(a.context);
    });

    it("without a namespace the session scopes the keys; with neither there is no scope", () => {
        const bare: ChatRequest = { messages: [{ role: "user", content: "q" }] };
        const alice = cacheKeys({ ...bare, hints: { session_id: "alice" } }, "default", "mid", 1);
        const bob = cacheKeys({ ...bare, hints: { session_id: "bob" } }, "default", "mid", 1);
        expect(alice.scope).toBe("session:alice");
        expect(alice.exact).not.toBe(bob.exact);
        expect(cacheKeys(bare, "default", "mid", 1).scope).toBeNull();
        const { cache } = setup();
        const unscoped = cacheKeys(bare, "default", "mid", 1);
        expect(cache.store(unscoped, answer("A"))).toBe(false);
        expect(cache.lookup(unscoped)).toBeUndefined();
    });

    it("answers sampled at temperature > 0 are stored only when the cache allows it", () => {
        const sampled = keys(request("q", { temperature: 0.7 }));
        expect(sampled.sampled).toBe(true);
        expect(keys(request("q", { temperature: 0 })).sampled).toBe(false);
        expect(setup().cache.store(sampled, answer("A"))).toBe(false);
        const allowing = new ResponseCache({
            ttlMs: 1_000,
            maxEntries: 10,
            maxEntryChars: 1_000,
            sampled: true,
            nearDuplicate: { enabled: false, minSimilarity: 0.9, maxCandidates: 4 },
            now: () => 0,
        });
        expect(allowing.store(sampled, answer("A"))).toBe(true);
        expect(allowing.lookup(sampled)?.match).toBe("exact");
    });

    it("a seeded sampled request names its draw: cached as a greedy answer is, per seed", () => {
        const seeded = (seed: number, cache_sampled?: boolean) =>
            keys(request("q", { temperature: 0.7, seed, hints: { namespace: "repo", cache_sampled } }));
        expect(seeded(7).sampled).toBe(false);
        const { cache } = setup();
        expect(cache.store(seeded(7), answer("A"))).toBe(true);
        expect(cache.lookup(seeded(7))?.answer.result.content).toEqual([{ type: "text", text: "A" }]);
        // The hint refuses sampled answers; a seeded one is not a draw to refuse.
        expect(cache.lookup(seeded(7, false))?.match).toBe("exact");
        // Another seed is another draw.
        expect(cache.lookup(seeded(8))).toBeUndefined();
    });

    it("a request's hints.cache_sampled overrides the cache's sampled option, for lookups and stores", () => {
        const sampled = (cache_sampled?: boolean) =>
            keys(request("q", { temperature: 0.7, hints: { namespace: "repo", cache_sampled } }));
        const { cache } = setup();
        expect(sampled(true).cacheSampled).toBe(true);
        expect(cache.store(sampled(true), answer("A"))).toBe(true);
        expect(cache.lookup(sampled(true))?.answer.result.content).toEqual([{ type: "text", text: "A" }]);
        // The same request without the opt-in asked for a fresh draw: the stored one is not replayed to it.
        expect(cache.lookup(sampled())).toBeUndefined();
        expect(cache.lookup(sampled(false))).toBeUndefined();
        // At temperature 0 the hint changes nothing.
        const greedy = keys(
            request("g", { temperature: 0, hints: { namespace: "repo", cache_sampled: false } }),
        );
        expect(cache.store(greedy, answer("G"))).toBe(true);

        const allowing = new ResponseCache({
            ttlMs: 1_000,
            maxEntries: 10,
            maxEntryChars: 1_000,
            sampled: true,
            nearDuplicate: { enabled: false, minSimilarity: 0.9, maxCandidates: 4 },
            now: () => 0,
        });
        expect(allowing.store(sampled(false), answer("B"))).toBe(false);
        expect(allowing.store(sampled(), answer("B"))).toBe(true);
        expect(allowing.lookup(sampled(false))).toBeUndefined();
    });

    it("namespace and tier scope the keys", () => {
        expect(keys(request("q"), "repo-a").exact).not.toBe(keys(request("q"), "repo-b").exact);
        expect(keys(request("q"), "repo", "mid").context).not.toBe(
            keys(request("q"), "repo", "frontier").context,
        );
    });

    it("the response format is part of the keys: a JSON answer is never replayed for free text", () => {
        const json = request("q", { response_format: { type: "json_object" } });
        const schema = request("q", { response_format: { type: "json_schema", schema: { type: "object" } } });
        expect(keys(json).exact).not.toBe(keys(request("q")).exact);
        expect(keys(json).context).not.toBe(keys(request("q")).context);
        expect(keys(schema).exact).not.toBe(keys(json).exact);
    });

    it("a completion's prompt, suffix and sampling are part of the keys; it only matches exactly", () => {
        const fim = (completion: NonNullable<ChatRequest["completion"]>): ChatRequest => ({
            messages: [],
            completion,
        });
        const base = keys(fim({ prompt: "def f(x):\n    ", suffix: "\nprint(f(1))" }));
        expect(keys(fim({ prompt: "def f(x):\n    ", suffix: "\nprint(f(1))" })).exact).toBe(base.exact);
        expect(keys(fim({ prompt: "def f(x):\n    ", suffix: "\nprint(f(2))" })).exact).not.toBe(base.exact);
        expect(keys(fim({ prompt: "def g(x):\n    ", suffix: "\nprint(f(1))" })).exact).not.toBe(base.exact);
        expect(keys(fim({ prompt: "def f(x):\n    " })).exact).not.toBe(base.exact);
        const fimRequest = fim({ prompt: "def f(x):\n    ", suffix: "\nprint(f(1))" });
        for (const sampling of [
            { seed: 3 },
            { top_p: 0.5 },
            { top_k: 4 },
            { presence_penalty: 1 },
            { frequency_penalty: 1 },
        ]) {
            expect(keys({ ...fimRequest, ...sampling }).exact).not.toBe(base.exact);
        }
        expect(base.context).toBeNull();
    });

    it("only a last user turn of plain text may match approximately", () => {
        expect(keys(request("q")).context).not.toBeNull();
        const toolTurn: ChatRequest = { messages: history.slice(0, 3) };
        expect(keys(toolTurn).context).toBeNull();
        const assistantLast: ChatRequest = { messages: history };
        expect(keys(assistantLast).context).toBeNull();
    });

    it("trigram similarity", () => {
        expect(normalizeText("  Hello\n\tWORLD ")).toBe("hello world");
        expect(jaccard(trigrams("abcd"), trigrams("abcd"))).toBe(1);
        expect(jaccard(trigrams("abcd"), trigrams("wxyz"))).toBe(0);
        expect(jaccard(trigrams("abcde"), trigrams("abcdf"))).toBeCloseTo(2 / 4);
    });
});

describe("ResponseCache", () => {
    it("hits exactly, and misses anything else", () => {
        const { cache } = setup();
        expect(cache.store(keys(request("what does it import?")), answer("nothing"))).toBe(true);
        expect(cache.lookup(keys(request("what does it import?")))).toMatchObject({
            match: "exact",
            similarity: 1,
        });
        expect(cache.lookup(keys(request("delete the repo")))).toBeUndefined();
        expect(cache.lookup(keys(request("what does it import?"), "other-repo"))).toBeUndefined();
    });

    it("hits a near-duplicate last user turn when system, tools and history are identical", () => {
        const { cache } = setup();
        cache.store(keys(request("What does this module import?")), answer("nothing"));
        const hit = cache.lookup(keys(request("what does this  module import ?")));
        expect(hit?.match).toBe("near_duplicate");
        expect(hit?.answer.result.content).toEqual([{ type: "text", text: "nothing" }]);
        // The same near-duplicate with a different history is not a hit.
        const otherHistory: ChatRequest = {
            ...request("what does this  module import ?"),
            messages: [
                { role: "user", content: "hi" },
                { role: "user", content: "what does this  module import ?" },
            ],
        };
        expect(cache.lookup(keys(otherHistory))).toBeUndefined();
        // Nor with different tools.
        expect(cache.lookup(keys(request("what does this  module import ?", { tools: [] })))).toBeUndefined();
    });

    it("a dissimilar last turn is a miss, and near-duplicates can be turned off", () => {
        const { cache } = setup({ minSimilarity: 0.9 });
        cache.store(keys(request("What does this module import?")), answer("nothing"));
        expect(cache.lookup(keys(request("What does this module export?")))).toBeUndefined();
        const off = setup({ near: false }).cache;
        off.store(keys(request("What does this module import?")), answer("nothing"));
        expect(off.lookup(keys(request("what does this module import?")))).toBeUndefined();
    });

    it("never stores tool calls", () => {
        const { cache } = setup();
        const toolAnswer = answer("", {
            content: [{ type: "tool_call", id: "t", name: "read", arguments: {} }],
            stop_reason: "tool_use",
        });
        expect(cache.store(keys(request("q")), toolAnswer)).toBe(false);
        const mixed = answer("x", {
            content: [
                { type: "text", text: "let me look" },
                { type: "tool_call", id: "t", name: "read", arguments: {} },
            ],
            stop_reason: "end_turn",
        });
        expect(cache.store(keys(request("q")), mixed)).toBe(false);
        expect(cache.lookup(keys(request("q")))).toBeUndefined();
    });

    it("never stores answers above maxEntryChars", () => {
        const { cache } = setup();
        expect(cache.store(keys(request("q")), answer("x".repeat(1_001)))).toBe(false);
    });

    it("expires entries after the TTL", () => {
        const { cache, advance } = setup({ ttlMs: 1_000 });
        cache.store(keys(request("What does this module import?")), answer("nothing"));
        advance(999);
        expect(cache.lookup(keys(request("What does this module import?")))).toBeDefined();
        advance(1);
        expect(cache.lookup(keys(request("What does this module import?")))).toBeUndefined();
        expect(cache.lookup(keys(request("what does this module import?")))).toBeUndefined();
        expect(cache.size).toBe(0);
    });

    it("evicts the least recently used entry", () => {
        const { cache } = setup({ maxEntries: 2 });
        cache.store(keys(request("a")), answer("A"));
        cache.store(keys(request("b")), answer("B"));
        cache.lookup(keys(request("a")));
        cache.store(keys(request("c")), answer("C"));
        expect(cache.lookup(keys(request("b")))).toBeUndefined();
        expect(cache.lookup(keys(request("a")))).toBeDefined();
        expect(cache.lookup(keys(request("c")))).toBeDefined();
    });

    it("clears one namespace", () => {
        const { cache } = setup();
        cache.store(keys(request("a"), "repo-a"), answer("A"));
        cache.store(keys(request("a"), "repo-b"), answer("B"));
        expect(cache.clear("repo-a")).toBe(1);
        expect(cache.lookup(keys(request("a"), "repo-a"))).toBeUndefined();
        expect(cache.lookup(keys(request("a"), "repo-b"))).toBeDefined();
    });
});

describe("near-duplicate matching never crosses a difference in specifics", () => {
    // minSimilarity 0.01: only the specifics guard can refuse these pairs.
    const loose = () => setup({ minSimilarity: 0.01 }).cache;

    it.each([
        ["a number", "set the timeout to 15000", "set the timeout to 45000"],
        ["a boolean", "False if prime", "True if prime"],
        ["a negation", "the test should pass", "the test should not pass"],
        ["a contracted negation", "it works here", "it doesn't work here"],
        ["an identifier", "rename fooBar to bazQux", "rename fooBar to bazQuux"],
        ["a snake_case identifier", "call load_config first", "call load_configs first"],
        ["a path", "what does src/app.ts export", "what does src/main.ts export"],
        ["code", "wrap `x + 1` in a function", "wrap `x - 1` in a function"],
    ])("%s", (_what, stored, asked) => {
        const cache = loose();
        cache.store(keys(request(stored)), answer("A"));
        expect(cache.lookup(keys(request(asked)))).toBeUndefined();
        // ... while a whitespace and punctuation variant of the stored text still hits.
        const variant = `  ${stored}  ?`;
        expect(cache.lookup(keys(request(variant)))?.match).toBe("near_duplicate");
    });

    const word: fc.Arbitrary<string> = fc.constantFrom(
        "the",
        "set",
        "value",
        "function",
        "returns",
        "when",
        "list",
        "file",
        "make",
        "it",
    );
    const sentence = fc.array(word, { minLength: 3, maxLength: 10 });
    const specific = fc.oneof(
        fc.integer({ min: 0, max: 1_000_000 }).map(String),
        fc.float({ min: 0, max: 100, noNaN: true }).map((x) => x.toFixed(2)),
        fc.constantFrom(
            "not",
            "no",
            "never",
            "don't",
            "isn't",
            "cannot",
            "without",
            "true",
            "false",
            "True",
            "FALSE",
            "null",
            "yes",
        ),
        fc.stringMatching(/^[a-z][a-z0-9]{0,5}[A-Z_][a-z0-9]{1,5}$/),
        fc.stringMatching(/^[a-z]{1,6}\.[a-z]{1,4}$/),
        fc.stringMatching(/^`[a-z0-9 +*=()-]{1,8}`$/),
        fc.constantFrom("==", "!=", "<=", ">", "x[0]", "f()", "--force"),
    );

    it("property: a pair differing in one inserted or replaced specific never matches", () => {
        fc.assert(
            fc.property(sentence, specific, specific, fc.nat(), fc.boolean(), (words, a, b, at, replace) => {
                const i = at % (words.length + 1);
                const withA = [...words];
                withA.splice(i, 0, a);
                const other = [...words];
                if (replace) other.splice(i, 0, b);
                fc.pre(!replace || a !== b);
                const cache = loose();
                cache.store(keys(request(withA.join(" "))), answer("A"));
                const hit = cache.lookup(keys(request(other.join(" "))));
                expect(hit).toBeUndefined();
            }),
            { numRuns: 500 },
        );
    });

    it("property: the same words with only whitespace, case and sentence punctuation changed still match", () => {
        fc.assert(
            fc.property(sentence, fc.constantFrom("", "?", ".", "!"), (words, end) => {
                const cache = loose();
                cache.store(keys(request(words.join(" "))), answer("A"));
                const variant = `${words.map((w, i) => (i === 0 ? w.toUpperCase() : w)).join("   ")}${end}`;
                expect(cache.lookup(keys(request(variant)))).toBeDefined();
            }),
            { numRuns: 200 },
        );
    });
});

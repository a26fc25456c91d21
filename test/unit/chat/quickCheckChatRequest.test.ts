/**
 * quickCheckChatRequest: the fast path may only accept what chatRequestSchema accepts. Checked on valid
 * requests of every shape and on each of them mutated at every path (a field removed, set to a value of
 * each other kind, out of range, or given an unknown key); the valid ones must take the fast path.
 */
import { describe, expect, it } from "vitest";
import { chatRequestSchema, validateChatRequest } from "../../../src/chat/chatRequestSchema.js";
import { quickCheckChatRequest } from "../../../src/chat/quickCheckChatRequest.js";
import { InvalidArgumentError } from "../../../src/errors/ServiceError.js";

const agentTurn = {
    system: "You are a coding agent.",
    messages: [
        { role: "user", content: "Rename x to count." },
        {
            role: "assistant",
            content: [
                { type: "text", text: "Reading the file." },
                { type: "tool_call", id: "call_1", name: "read_file", arguments: { path: "a.ts" } },
            ],
        },
        {
            role: "user",
            content: [
                { type: "tool_result", tool_call_id: "call_1", content: "let x = 1;", is_error: false },
                { type: "text", text: "go on" },
            ],
        },
    ],
    tools: [
        {
            name: "read_file",
            description: "Reads a file",
            input_schema: { type: "object", properties: { path: { type: "string" } } },
        },
    ],
    tool_choice: { name: "read_file" },
    max_tokens: 256,
    temperature: 0.2,
    top_p: 0.9,
    top_k: 40,
    seed: 7,
    presence_penalty: -0.5,
    frequency_penalty: 1.5,
    stop: ["\n\n"],
    hints: {
        session_id: "s-1",
        task_type: "edit",
        tags: ["refactor"],
        latency_budget_ms: 2_000,
        namespace: "key-1/repo",
        tier: "mid",
        no_cache: false,
        cache_sampled: true,
        prompt_version: "v3",
        idempotent: true,
        cache_scope: "key-1",
    },
};

const valid: Record<string, unknown> = {
    "an agent turn with tools, sampling and hints": agentTurn,
    "a bare question": { messages: [{ role: "user", content: "hi" }] },
    "a JSON-schema answer": {
        messages: [{ role: "user", content: "list" }],
        tool_choice: "required",
        response_format: { type: "json_schema", schema: { type: "object" }, name: "list", strict: true },
    },
    "a JSON-object answer": {
        messages: [{ role: "user", content: "obj" }],
        response_format: { type: "json_object" },
    },
    "a completion": { messages: [], completion: { prompt: "def f(", suffix: "\n" }, max_tokens: 16 },
    "a request with its own protocol's body": {
        messages: [{ role: "user", content: "hi" }],
        native: {
            protocol: "anthropic-messages",
            body: { model: "auto", max_tokens: 8, messages: [{ role: "user", content: "hi" }], metadata: {} },
            headers: { "anthropic-beta": "interleaved-thinking-2025-05-14" },
            extras: ["metadata"],
        },
    },
    "optional fields set to undefined": {
        messages: [{ role: "user", content: "x" }],
        system: undefined,
        tools: undefined,
        hints: { tier: undefined, tags: undefined },
    },
};

/** Values of every kind a mutation puts in place of a field. */
const replacements: unknown[] = [
    undefined,
    null,
    "",
    "x",
    "user",
    "assistant",
    "text",
    "tool_call",
    "tool_result",
    "json_object",
    "json_schema",
    "auto",
    "bad name!",
    "v".repeat(129),
    "v".repeat(257),
    0,
    -1,
    -3,
    0.5,
    1,
    2,
    2.5,
    3,
    2 ** 32,
    2 ** 53,
    NaN,
    Infinity,
    -Infinity,
    true,
    false,
    [],
    [""],
    ["x"],
    [1],
    {},
    { type: "text" },
    { name: "" },
];

/** Every mutation of `value` at one path, and that path. */
function* mutations(value: unknown, path: string[] = []): Generator<[string, unknown]> {
    if (typeof value !== "object" || value === null) return;
    const entries: [string, unknown][] = Object.entries(value);
    const rebuild = (key: string, replacement: unknown, remove = false): unknown => {
        if (Array.isArray(value)) {
            const copy: unknown[] = [...(value as unknown[])];
            if (remove) copy.splice(Number(key), 1);
            else copy[Number(key)] = replacement;
            return copy;
        }
        if (remove) return Object.fromEntries(entries.filter(([k]) => k !== key));
        return { ...(value as Record<string, unknown>), [key]: replacement };
    };
    if (!Array.isArray(value)) yield [[...path, "(unknown key)"].join("."), { ...value, zz: 1 }];
    for (const [key, child] of entries) {
        const at = [...path, key].join(".");
        yield [`${at} (removed)`, rebuild(key, undefined, true)];
        for (const replacement of replacements)
            yield [`${at} = ${String(replacement)}`, rebuild(key, replacement)];
        for (const [childPath, mutated] of mutations(child, [...path, key]))
            yield [childPath, rebuild(key, mutated)];
    }
}

describe("quickCheckChatRequest", () => {
    it.each(Object.entries(valid))("takes the fast path for %s (and the schema agrees)", (_name, request) => {
        expect(chatRequestSchema.safeParse(request).success).toBe(true);
        expect(quickCheckChatRequest(request)).toBe(true);
    });

    it.each(Object.entries(valid))(
        "never accepts a mutation of %s that the schema refuses",
        (_name, request) => {
            let mutated = 0;
            let refused = 0;
            const wrong: string[] = [];
            for (const [path, candidate] of mutations(request)) {
                mutated++;
                const schemaAccepts = chatRequestSchema.safeParse(candidate).success;
                if (!schemaAccepts) refused++;
                if (quickCheckChatRequest(candidate) && !schemaAccepts) wrong.push(path);
            }
            expect(wrong).toEqual([]);
            // The corpus is not trivial: most mutations are errors the schema names.
            expect(refused).toBeGreaterThan(mutated / 2);
        },
    );

    it("has a valid corpus that uses every field of the schema (a new field needs a case here and above)", () => {
        const requests = Object.values(valid) as Record<string, unknown>[];
        const used = new Set(requests.flatMap((r) => Object.keys(r)));
        expect([...used].sort()).toEqual(Object.keys(chatRequestSchema.shape).sort());
        expect(Object.keys(agentTurn.hints).sort()).toEqual(
            Object.keys(chatRequestSchema.shape.hints.unwrap().shape).sort(),
        );
    });

    it("refuses inherited unknown keys, as the schema's strict check does", () => {
        const request = Object.create({ extra: 1 }) as Record<string, unknown>;
        request.messages = [{ role: "user", content: "x" }];
        expect(quickCheckChatRequest(request)).toBe(false);
        expect(chatRequestSchema.safeParse(request).success).toBe(false);
    });

    it("leaves the messages to the schema: a refused request still gets every problem named", () => {
        const bad = { ...agentTurn, temperature: 3, hints: { ...agentTurn.hints, tier: "" } };
        expect(quickCheckChatRequest(bad)).toBe(false);
        expect(() => validateChatRequest(bad)).toThrow(InvalidArgumentError);
        expect(() => validateChatRequest(bad)).toThrow(
            /invalid chat request: temperature: .*; hints\.tier: /,
        );
        // The chat-or-completion rule still applies on the fast path.
        const both = { messages: [{ role: "user", content: "x" }], completion: { prompt: "a" } };
        expect(quickCheckChatRequest(both)).toBe(true);
        expect(() => validateChatRequest(both)).toThrow(/a completion request has no messages/);
    });
});

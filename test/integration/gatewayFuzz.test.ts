/**
 * Random malformed bodies on every face of the app's gateway (fast-check, fixed seed): realistic agent
 * requests with one to three values anywhere in them replaced by JSON of another kind (null, numbers,
 * strings no header can carry, arrays, objects) or removed, streamed or not. Every answer is a success
 * or an error below 500 in the face's own shape, and the gateway keeps serving. Found before: `tool_choice:
 * null`, `null` elements in arrays and non-text tool arguments were 500s, and a type name with a control
 * character in `x-tiercel-ignored` made writeHead throw twice and exit the process. A longer or other run:
 * `FUZZ_SEED=<n> FUZZ_RUNS=<n> npx vitest run --project integration test/integration/gatewayFuzz.test.ts`
 * (three seeds × 1,500 runs passed with Codex's custom tools, compaction items and images as seeds).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonMutations, mutateJson } from "../helpers/mutateJson.js";
import { startTestServer, type TestServer } from "../helpers/startTestServer.js";

let server: TestServer;

beforeAll(async () => {
    server = await startTestServer();
});

afterAll(async () => {
    await server.close();
});

const seeds: [path: string, body: unknown][] = [
    [
        "/v1/chat/completions",
        {
            model: "local",
            max_completion_tokens: 2,
            messages: [
                { role: "developer", content: [{ type: "text", text: "sys" }] },
                { role: "user", content: [{ type: "text", text: "hi" }] },
                {
                    role: "assistant",
                    content: null,
                    tool_calls: [
                        { id: "c1", type: "function", function: { name: "ls", arguments: '{"a":1}' } },
                    ],
                },
                { role: "tool", tool_call_id: "c1", content: "a.ts" },
            ],
            tools: [
                {
                    type: "function",
                    function: { name: "ls", parameters: { type: "object", properties: {} } },
                },
            ],
            tool_choice: { type: "function", function: { name: "ls" } },
            stop: ["x"],
            stream_options: { include_usage: true },
            response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } },
        },
    ],
    [
        "/v1/messages",
        {
            model: "local",
            max_tokens: 2,
            system: [{ type: "text", text: "sys", cache_control: { type: "ephemeral" } }],
            messages: [
                { role: "user", content: [{ type: "text", text: "hi" }] },
                {
                    role: "assistant",
                    content: [{ type: "tool_use", id: "t1", name: "ls", input: { p: "." } }],
                },
                {
                    role: "user",
                    content: [
                        { type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "a" }] },
                    ],
                },
            ],
            tools: [
                {
                    name: "ls",
                    description: "d",
                    input_schema: { type: "object", properties: { p: { type: "string" } } },
                },
            ],
            tool_choice: { type: "tool", name: "ls" },
            stop_sequences: ["x"],
            thinking: { type: "enabled", budget_tokens: 1024 },
        },
    ],
    [
        "/v1/messages/count_tokens",
        { model: "local", system: "sys", messages: [{ role: "user", content: "hi" }] },
    ],
    [
        "/v1/responses",
        {
            model: "local",
            instructions: "be brief",
            max_output_tokens: 2,
            input: [
                { type: "message", role: "developer", content: "d" },
                { role: "user", content: [{ type: "input_text", text: "hi" }] },
                { type: "function_call", call_id: "c1", name: "ls", arguments: "{}" },
                { type: "function_call_output", call_id: "c1", output: "a.ts" },
            ],
            tools: [{ type: "function", name: "ls", parameters: { type: "object" } }, { type: "web_search" }],
            tool_choice: { type: "function", name: "ls" },
            text: { format: { type: "text" } },
        },
    ],
    ["/v1/completions", { model: "local", prompt: "def f(", suffix: "\n", max_tokens: 2, stop: ["\n\n"] }],
    // Codex's custom apply_patch, a compaction item and an image; Claude Code's screenshot and web search.
    [
        "/v1/responses",
        {
            model: "local",
            max_output_tokens: 2,
            input: [
                { type: "compaction", id: "cmp_1", encrypted_content: "gAAAA" },
                { role: "user", content: [{ type: "input_image", image_url: "data:image/png;base64,AA==" }] },
                { type: "custom_tool_call", call_id: "p1", name: "apply_patch", input: "*** Begin Patch" },
                { type: "custom_tool_call_output", call_id: "p1", output: "Done" },
            ],
            tools: [
                {
                    type: "custom",
                    name: "apply_patch",
                    format: { type: "grammar", syntax: "lark", definition: 'start: "x"' },
                },
            ],
            tool_choice: { type: "custom", name: "apply_patch" },
        },
    ],
    [
        "/v1/messages",
        {
            model: "local",
            max_tokens: 2,
            messages: [
                {
                    role: "assistant",
                    content: [
                        { type: "server_tool_use", id: "s1", name: "web_search", input: { query: "q" } },
                        { type: "web_search_tool_result", tool_use_id: "s1", content: [] },
                    ],
                },
                {
                    role: "user",
                    content: [
                        { type: "image", source: { type: "base64", media_type: "image/png", data: "AA==" } },
                        { type: "text", text: "this?" },
                    ],
                },
            ],
        },
    ],
    [
        "/v1/chat/completions",
        {
            model: "local",
            max_completion_tokens: 2,
            messages: [
                {
                    role: "user",
                    content: [
                        { type: "text", text: "why?" },
                        { type: "image_url", image_url: { url: "data:image/png;base64,AA==" } },
                    ],
                },
            ],
        },
    ],
];

describe("the gateway under random malformed bodies", () => {
    it("answers each with a success or a protocol-shaped error below 500, and keeps serving", async () => {
        await fc.assert(
            fc.asyncProperty(
                fc.integer({ min: 0, max: seeds.length - 1 }),
                jsonMutations(),
                fc.boolean(),
                async (which, mutations, stream) => {
                    const [path, seed] = seeds[which]!;
                    const body = mutateJson(seed, mutations) as Record<string, unknown>;
                    if (stream) body.stream = true;
                    const response = await fetch(`${server.addresses.gatewayUrl}${path}`, {
                        method: "POST",
                        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
                        body: JSON.stringify(body),
                    });
                    const text = await response.text();
                    expect(response.status, text).toBeLessThan(500);
                    if (response.status >= 400) {
                        const error = JSON.parse(text) as { type?: string; error?: { message?: unknown } };
                        expect(typeof error.error?.message).toBe("string");
                        if (path.startsWith("/v1/messages")) expect(error.type).toBe("error");
                    }
                },
            ),
            {
                seed: Number(process.env.FUZZ_SEED ?? 20261128),
                numRuns: Number(process.env.FUZZ_RUNS ?? 300),
            },
        );
        const ok = await fetch(`${server.addresses.gatewayUrl}/v1/chat/completions`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
                model: "local",
                max_tokens: 2,
                messages: [{ role: "user", content: "hi" }],
            }),
        });
        expect(ok.status).toBe(200);
    }, 120_000);
});

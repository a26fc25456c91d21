/**
 * Bodies of the wrong shape (JSON `null`, a string or a number where the API has an object or an array),
 * on every face of the app's gateway: each is a 400 in the face's own error shape naming the field and
 * what was found there, never a 500, and the gateway keeps serving. `null` where the API allows leaving
 * a field out reads as left out (OpenAI's SDKs and many clients send it so).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/startTestServer.js";

let server: TestServer;

beforeAll(async () => {
    server = await startTestServer();
});

afterAll(async () => {
    await server.close();
});

async function post(
    path: string,
    body: unknown,
): Promise<{ status: number; json: unknown; headers: Headers }> {
    const response = await fetch(`${server.addresses.gatewayUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: JSON.stringify(body),
    });
    const text = await response.text();
    // A stream's answer is server-sent events, not one JSON document.
    return {
        status: response.status,
        json: text.startsWith("{") ? JSON.parse(text) : text,
        headers: response.headers,
    };
}

const user = { role: "user", content: "def f(x):" };
const chat = (fields: Record<string, unknown>) => ({
    model: "local",
    max_tokens: 2,
    messages: [user],
    ...fields,
});
const messages = (fields: Record<string, unknown>) => ({
    model: "local",
    max_tokens: 2,
    messages: [user],
    ...fields,
});
const responses = (fields: Record<string, unknown>) => ({
    model: "local",
    max_output_tokens: 2,
    input: "def f(x):",
    ...fields,
});

const cases: [path: string, body: unknown, message: string][] = [
    ["/v1/chat/completions", chat({ messages: [null] }), "messages[0] must be an object, not null"],
    [
        "/v1/chat/completions",
        chat({ messages: [{ role: "user", content: [7] }] }),
        "messages[0].content[0] must be an object, not a number",
    ],
    [
        "/v1/chat/completions",
        chat({ messages: [{ role: "user", content: 7 }] }),
        "messages[0].content must be a string or an array of content parts, not a number",
    ],
    [
        "/v1/chat/completions",
        chat({ messages: [{ role: "assistant", content: null, tool_calls: "ls" }, user] }),
        "messages[0].tool_calls must be an array, not a string",
    ],
    [
        "/v1/chat/completions",
        chat({
            messages: [
                { role: "assistant", tool_calls: [{ id: "c", type: "function", function: null }] },
                user,
            ],
        }),
        "messages[0].tool_calls[0].function must be an object, not null",
    ],
    [
        "/v1/chat/completions",
        chat({
            messages: [
                {
                    role: "assistant",
                    tool_calls: [{ id: "c", type: "function", function: { name: "ls", arguments: 5 } }],
                },
                user,
            ],
        }),
        'messages[0].tool_calls[0].function.arguments must be a string of JSON text (e.g. "{}"), not a number',
    ],
    [
        "/v1/responses",
        responses({
            input: [
                { type: "function_call", call_id: "c", name: "ls", arguments: { a: 1 } },
                { role: "user", content: "go" },
            ],
        }),
        'input[0].arguments must be a string of JSON text (e.g. "{}"), not an object',
    ],
    ["/v1/chat/completions", chat({ tools: [null] }), "tools[0] must be an object, not null"],
    [
        "/v1/chat/completions",
        chat({ tools: [{ type: "function", function: "ls" }] }),
        "tools[0].function must be an object, not a string",
    ],
    ["/v1/chat/completions", chat({ tools: {} }), "tools must be an array, not an object"],
    [
        "/v1/chat/completions",
        chat({ tool_choice: { type: "function", function: null } }),
        "tool_choice.function must be an object, not null",
    ],
    ["/v1/messages", messages({ messages: [null] }), "messages.0 must be an object, not null"],
    [
        "/v1/messages",
        messages({ messages: [{ role: "user", content: 5 }] }),
        "messages.0.content: must be a string or an array of content blocks, not a number",
    ],
    [
        "/v1/messages",
        messages({ messages: [{ role: "user", content: [null] }] }),
        "messages.0.content.0 must be an object, not null",
    ],
    [
        "/v1/messages",
        messages({
            messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: [1] }] }],
        }),
        "messages.0.content.0.content.0 must be an object, not a number",
    ],
    ["/v1/messages", messages({ system: [null] }), "system.0 must be an object, not null"],
    ["/v1/messages", messages({ tools: [null] }), "tools.0 must be an object, not null"],
    [
        "/v1/messages",
        messages({ tools: [{ name: "ls", input_schema: {} }], tool_choice: "auto" }),
        "tool_choice must be an object, not a string",
    ],
    [
        "/v1/messages/count_tokens",
        { model: "local", messages: [[]] },
        "messages.0 must be an object, not an array",
    ],
    ["/v1/responses", responses({ input: [null] }), "input[0] must be an object, not null"],
    [
        "/v1/responses",
        responses({ input: [{ role: "user", content: [null] }] }),
        "input[0].content[0] must be an object, not null",
    ],
    ["/v1/responses", responses({ tools: [null] }), "tools[0] must be an object, not null"],
    [
        "/v1/responses",
        responses({ tools: [{ type: "function", name: "ls", parameters: {} }], tool_choice: 3 }),
        "tool_choice must be an object, not a number",
    ],
];

/** The error message in either protocol's shape. */
function messageOf(json: unknown): string | undefined {
    const body = json as { type?: string; error?: { message?: string } };
    return body.error?.message;
}

describe("bodies of the wrong shape", () => {
    it.each(cases)("%s %j is a 400 naming the field", async (path, body, message) => {
        const { status, json } = await post(path, body);
        expect(status).toBe(400);
        expect(messageOf(json)).toBe(message);
        if (path.startsWith("/v1/messages"))
            expect(json).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
        else expect(json).toMatchObject({ error: { type: "invalid_request_error" } });
    });

    it("reads null as left out where the API lets a field be left out, and keeps serving", async () => {
        const nulls = { tool_choice: null, tools: null, response_format: null, stop: null, seed: null };
        const openai = await post("/v1/chat/completions", chat({ ...nulls, stream: true }));
        expect(openai.status).toBe(200);
        const anthropic = await post(
            "/v1/messages",
            messages({ system: null, tools: null, tool_choice: null, stop_sequences: null }),
        );
        expect(anthropic.status).toBe(200);
        const codex = await post("/v1/responses", responses({ tools: null, tool_choice: null, text: null }));
        expect(codex.status).toBe(200);
    });

    it("escapes the caller's own names in x-tiercel-ignored (a header cannot carry them as they are)", async () => {
        // A tool type and a top-level key no header may carry: before, writeHead threw while answering,
        // and again while answering the error, and the process exited.
        const { status, headers } = await post("/v1/responses", {
            ...responses({ tools: [{ type: "t\u0000\u5e03" }] }),
            "k\ne\u00ff": 1,
        });
        expect(status).toBe(200);
        expect(headers.get("x-tiercel-ignored")).toBe("k\\u000ae\\u00ff, tools (t\\u0000\\u5e03)");
        expect((await post("/v1/chat/completions", chat({}))).status).toBe(200);
    });
});

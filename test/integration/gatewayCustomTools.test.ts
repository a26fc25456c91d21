/**
 * Custom (free-text) tools on the Responses face, as Codex CLI declares `apply_patch` for its gpt-5 Codex
 * models: driven by the official `openai` SDK through the gateway to a tier that only knows JSON tools
 * (the fake OpenAI server on the Chat Completions wire; the local tier gets the same tool definition, but
 * the project's toy models never close a free-text string, so no call of theirs completes), the tool is offered as
 * a JSON tool with one `input` string described by the caller's grammar, the earlier patches in `input`
 * (custom_tool_call / custom_tool_call_output items) arrive as tool calls and results, and a call of it
 * comes back as a `custom_tool_call` item with the free text as its input, unary and streamed. Codex's MCP
 * tools come in `namespace` tools: each function is offered as `<namespace>__<name>`, and its calls go
 * back under their own name with the `namespace` field.
 */
import type {
    ResponseCreateParamsNonStreaming,
    ResponseCreateParamsStreaming,
    ResponseStreamEvent,
} from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import { lastOpenAIBody, openaiCompletion, openaiStream } from "../helpers/fakeOpenAIServer.js";
import { codexHeaders, codexRequest } from "../helpers/fixtures/codexRequest.js";
import { gatewayKey, openaiClient, useGatewayFixture } from "../helpers/gatewayFixture.js";

const env = useGatewayFixture();

/** A patch grammar in lark (written for this test; Codex sends its own, longer one). */
const patchGrammar = [
    'start: "*** Begin Patch" LF change+ "*** End Patch" LF?',
    'change: "*** Update File: " PATH LF line+',
    "line: /[ +-][^\\n]*/ LF",
    "PATH: /[^\\n]+/",
    'LF: "\\n"',
].join("\n");

const applyPatch = {
    type: "custom",
    name: "apply_patch",
    description: "Edits files with a patch.",
    format: { type: "grammar", syntax: "lark", definition: patchGrammar },
};

const earlierPatch = "*** Begin Patch\n*** Update File: a.py\n-x = 1\n+x = 2\n*** End Patch\n";
const nextPatch = "*** Begin Patch\n*** Update File: b.py\n-y = 1\n+y = 3\n*** End Patch\n";

/** A Codex turn with apply_patch beside its shell tool, after one patch that applied. */
function codexPatchTurn(): Record<string, unknown> {
    const request = codexRequest([
        { type: "custom_tool_call", call_id: "call_p1", name: "apply_patch", input: earlierPatch },
        {
            type: "custom_tool_call_output",
            call_id: "call_p1",
            output: "Success. Updated the following files:\nM a.py",
        },
        { type: "message", role: "user", content: [{ type: "input_text", text: "now bump y to 3 in b.py" }] },
    ]);
    return { ...request, tools: [...(request.tools as unknown[]), applyPatch] };
}

describe("custom tools on the Responses face", () => {
    it("crosses to a JSON-tool tier and back: the patch history arrives, the call returns as custom_tool_call (streamed)", async () => {
        const args = JSON.stringify({ input: nextPatch });
        env.openai.enqueue(
            openaiStream({
                toolCalls: [
                    { id: "call_p2", name: "apply_patch", args: [args.slice(0, 20), args.slice(20)] },
                ],
                finishReason: "tool_calls",
            }),
        );
        const { data: stream, response } = await openaiClient(env.gateway.url, gatewayKey)
            .responses.create(codexPatchTurn() as unknown as ResponseCreateParamsStreaming, {
                headers: codexHeaders,
            })
            .withResponse();
        const events: ResponseStreamEvent[] = [];
        for await (const event of stream) events.push(event);
        expect(response.headers.get("x-tiercel-route")).toMatch(/^frontier\/openai\//);
        expect(response.headers.get("x-tiercel-ignored")).not.toMatch(/custom/);

        // What the Chat Completions tier was sent.
        const sent = lastOpenAIBody(env.openai);
        const tool = (
            sent.tools as { function: { name: string; parameters: Record<string, unknown> } }[]
        ).find((t) => t.function.name === "apply_patch");
        expect(tool?.function.parameters).toMatchObject({
            type: "object",
            properties: { input: { type: "string" } },
            required: ["input"],
        });
        expect(JSON.stringify(tool?.function.parameters)).toContain(
            JSON.stringify(patchGrammar).slice(1, -1),
        );
        expect((sent.messages as unknown[]).slice(-3)).toEqual([
            {
                role: "assistant",
                content: null,
                tool_calls: [
                    {
                        id: "call_p1",
                        type: "function",
                        function: { name: "apply_patch", arguments: JSON.stringify({ input: earlierPatch }) },
                    },
                ],
            },
            {
                role: "tool",
                tool_call_id: "call_p1",
                content: "Success. Updated the following files:\nM a.py",
            },
            { role: "user", content: "now bump y to 3 in b.py" },
        ]);

        // What Codex gets back: the patch as the custom call's input, whole.
        const types = events.map((e) => e.type);
        expect(types).not.toContain("response.function_call_arguments.delta");
        const deltas = events.flatMap((e) =>
            e.type === "response.custom_tool_call_input.delta" ? [e.delta] : [],
        );
        expect(deltas.join("")).toBe(nextPatch);
        const inputDone = events.find((e) => e.type === "response.custom_tool_call_input.done");
        expect(inputDone && "input" in inputDone ? inputDone.input : undefined).toBe(nextPatch);
        const item = events.find((e) => e.type === "response.output_item.done");
        const expected = {
            type: "custom_tool_call",
            call_id: "call_p2",
            name: "apply_patch",
            input: nextPatch,
        };
        expect(item && "item" in item ? item.item : undefined).toMatchObject(expected);
        const last = events.at(-1);
        expect(last?.type).toBe("response.completed");
        expect(last && "response" in last ? last.response.output : []).toMatchObject([expected]);
        expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    });

    it("takes tool_choice naming a custom tool (unary)", async () => {
        const args = JSON.stringify({ input: nextPatch });
        env.openai.enqueue(
            openaiCompletion({
                toolCalls: [{ id: "call_p3", name: "apply_patch", args: [args] }],
                finishReason: "tool_calls",
            }),
        );
        const body = {
            ...codexPatchTurn(),
            stream: false,
            tool_choice: { type: "custom", name: "apply_patch" },
        };
        const answer = await openaiClient(env.gateway.url, gatewayKey).responses.create(
            body as unknown as ResponseCreateParamsNonStreaming,
            { headers: codexHeaders },
        );
        expect(lastOpenAIBody(env.openai).tool_choice).toEqual({
            type: "function",
            function: { name: "apply_patch" },
        });
        expect(answer.output).toMatchObject([
            { type: "custom_tool_call", call_id: "call_p3", name: "apply_patch", input: nextPatch },
        ]);
    });
});

describe("namespace tools (Codex CLI's MCP tools) on the Responses face", () => {
    it("offers each function as <namespace>__<name> and answers its call under its own name and namespace", async () => {
        const mcp = {
            type: "namespace",
            name: "mcp__docs",
            description: "The docs MCP server.",
            tools: [
                {
                    type: "function",
                    name: "search",
                    description: "Searches the docs.",
                    parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
                },
            ],
        };
        const base = codexRequest([
            {
                type: "function_call",
                call_id: "m1",
                namespace: "mcp__docs",
                name: "search",
                arguments: '{"q":"vite"}',
            },
            { type: "function_call_output", call_id: "m1", output: "vite.dev/guide" },
        ]);
        const tools = (base.tools as { type: string }[]).filter((t) => t.type !== "namespace");
        const body = { ...base, stream: false, tools: [...tools, mcp] };
        env.openai.enqueue(
            openaiCompletion({
                toolCalls: [{ id: "m2", name: "mcp__docs__search", args: ['{"q":"css"}'] }],
                finishReason: "tool_calls",
            }),
        );
        const { data, response } = await openaiClient(env.gateway.url, gatewayKey)
            .responses.create(body as unknown as ResponseCreateParamsNonStreaming, { headers: codexHeaders })
            .withResponse();
        expect(response.headers.get("x-tiercel-ignored")).not.toMatch(/namespace/);
        const sent = lastOpenAIBody(env.openai);
        const offered = (sent.tools as { function: { name: string; description: string } }[]).find(
            (t) => t.function.name === "mcp__docs__search",
        );
        expect(offered?.function.description).toBe("The docs MCP server.\n\nSearches the docs.");
        expect((sent.messages as unknown[]).slice(-2)[0]).toMatchObject({
            tool_calls: [{ id: "m1", function: { name: "mcp__docs__search", arguments: '{"q":"vite"}' } }],
        });
        expect(data.output).toMatchObject([
            {
                type: "function_call",
                call_id: "m2",
                name: "search",
                namespace: "mcp__docs",
                arguments: '{"q":"css"}',
            },
        ]);
    });
});

import type {
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseTextDeltaEvent,
} from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import type { RouterStreamEvent } from "../../../src/index.js";
import { fromResponsesParams } from "../../../src/gateway/openai/responsesRequest.js";
import { ResponseEventEncoder } from "../../../src/gateway/openai/responsesResponse.js";
import { codexRequest } from "../../helpers/fixtures/codexRequest.js";
import { messageStart } from "../../helpers/messageStart.js";

describe("fromResponsesParams", () => {
    it("joins function_call items to the assistant turn and outputs into one user turn; ignores reasoning", () => {
        const parsed = fromResponsesParams(
            codexRequest([
                { type: "reasoning", id: "rs_1", summary: [], encrypted_content: "..." },
                { type: "message", role: "assistant", content: [{ type: "output_text", text: "Looking." }] },
                { type: "function_call", call_id: "c1", name: "shell", arguments: '{"command":["ls"]}' },
                { type: "function_call", call_id: "c2", name: "shell", arguments: '{"command":["pwd"]}' },
                { type: "function_call_output", call_id: "c1", output: "a.txt" },
                { type: "function_call_output", call_id: "c2", output: "/home" },
            ]),
        );
        expect(parsed.request.messages.slice(-2)).toEqual([
            {
                role: "assistant",
                content: [
                    { type: "text", text: "Looking." },
                    { type: "tool_call", id: "c1", name: "shell", arguments: { command: ["ls"] } },
                    { type: "tool_call", id: "c2", name: "shell", arguments: { command: ["pwd"] } },
                ],
            },
            {
                role: "user",
                content: [
                    { type: "tool_result", tool_call_id: "c1", content: "a.txt" },
                    { type: "tool_result", tool_call_id: "c2", content: "/home" },
                ],
            },
        ]);
        expect(parsed.request.tools?.map((t) => t.name)).toEqual(["shell"]);
        expect(parsed.request.tool_choice).toBe("auto");
        expect(parsed.ignored).toContain("input items (reasoning)");
        expect(parsed.stream).toBe(true);
    });

    it("takes custom tools as JSON tools with one string input, and their calls and outputs as any tool's", () => {
        const parsed = fromResponsesParams({
            model: "auto",
            input: [
                { role: "user", content: "fix it" },
                { type: "custom_tool_call", call_id: "p1", name: "apply_patch", input: "" },
                { type: "custom_tool_call_output", call_id: "p1", output: "Failed to find context" },
            ],
            tools: [
                {
                    type: "custom",
                    name: "apply_patch",
                    format: { type: "grammar", syntax: "regex", definition: "\\*.*" },
                },
                { type: "custom", name: "note" },
                { type: "custom", name: "odd", format: { type: "grammar", definition: 7 } },
            ],
        });
        expect(parsed.toolNames.custom).toEqual(new Set(["apply_patch", "note", "odd"]));
        expect(parsed.ignored).toEqual([]);
        const [patch, note, odd] = parsed.request.tools!;
        const inputOf = (t: typeof patch) =>
            (t!.input_schema.properties as Record<string, { type: string; description: string }>).input!;
        expect(patch!.input_schema.required).toEqual(["input"]);
        expect(inputOf(patch).description).toMatch(/regex grammar:\n\\\*\.\*$/);
        expect(inputOf(note).description).not.toMatch(/grammar/);
        expect(inputOf(odd).description).not.toMatch(/grammar/);
        expect(parsed.request.messages.slice(1)).toEqual([
            {
                role: "assistant",
                content: [{ type: "tool_call", id: "p1", name: "apply_patch", arguments: { input: "" } }],
            },
            {
                role: "user",
                content: [{ type: "tool_result", tool_call_id: "p1", content: "Failed to find context" }],
            },
        ]);
    });

    it("keeps image and file parts as placeholders, in messages and tool outputs, named for the Responses API", () => {
        const parsed = fromResponsesParams({
            model: "auto",
            input: [
                {
                    role: "user",
                    content: [
                        { type: "input_text", text: "match this mock-up" },
                        {
                            type: "input_image",
                            image_url: "data:image/png;base64,iVBORw0KGgo=",
                            detail: "auto",
                        },
                    ],
                },
                { type: "function_call", call_id: "c1", name: "view_image", arguments: '{"path":"a.png"}' },
                {
                    type: "function_call_output",
                    call_id: "c1",
                    output: [{ type: "input_file", file_data: "JVBERi0=" }],
                },
            ],
        });
        expect(parsed.request.messages[0]).toEqual({
            role: "user",
            content: "match this mock-up\n[input_image]",
        });
        expect(parsed.request.messages[2]).toEqual({
            role: "user",
            content: [{ type: "tool_result", tool_call_id: "c1", content: "[input_file]" }],
        });
        expect(parsed.only).toBe("input_file, input_image parts (no form outside the Responses API)");
    });

    it("names a compaction summary and built-in tool items as content only the Responses API reads", () => {
        const parsed = fromResponsesParams({
            model: "auto",
            input: [
                { type: "compaction", id: "cmp_1", encrypted_content: "gAAAAABo..." },
                { type: "reasoning", id: "rs_1", summary: [], encrypted_content: "..." },
                { type: "shell_call", call_id: "s1", action: { commands: ["ls"] }, status: "completed" },
                { type: "shell_call_output", call_id: "s1", output: [] },
                { role: "user", content: [{ type: "input_image", image_url: "data:image/png;base64,AA==" }] },
            ],
        });
        expect(parsed.only).toBe(
            "compaction, shell_call, shell_call_output items; input_image parts (no form outside the Responses API)",
        );
        expect(parsed.ignored).toEqual(["input items (reasoning)"]);
    });

    it.each([
        [{ previous_response_id: "resp_1" }, /stateless/],
        [
            { input: [{ type: "custom_tool_call", call_id: "p", name: "apply_patch", input: { a: 1 } }] },
            /input\[0\]\.input must be a string/,
        ],
        [{ tools: [{ type: "custom", description: "no name" }] }, /tools\[0\]\.name is required/],
        [{ input: [] }, /`input` must be a non-empty/],
        [
            { input: [{ type: "function_call", name: "f", arguments: "{}" }] },
            /input\[0\]\.call_id is required/,
        ],
        [
            { input: [{ role: "user", content: [{ type: "input_video", video_url: "x" }] }] },
            /input\[0\]\.content\[0\]: "input_video" is not a Responses API content part type here/,
        ],
    ])("refuses %j with a 400 naming the field", (patch, message) => {
        expect(() => fromResponsesParams({ model: "auto", input: "hi", ...patch })).toThrow(message);
    });
});

describe("ResponseEventEncoder", () => {
    it("streams a namespace function's call under its own name and namespace", () => {
        const namespaced = new Map([["mcp__docs__search", { namespace: "mcp__docs", name: "search" }]]);
        const encoder = new ResponseEventEncoder("resp_1", 1, { custom: new Set(), namespaced });
        encoder.encode(messageStart);
        const events = [
            { type: "tool_call_start", index: 0, id: "m1", name: "mcp__docs__search" },
            { type: "tool_call_delta", index: 0, arguments_delta: '{"q":"x"}' },
            { type: "tool_call_end", index: 0, arguments: { q: "x" } },
        ] as const satisfies RouterStreamEvent[];
        const frames = events
            .flatMap((event) => encoder.encode(event))
            .map((f) => JSON.parse(f.data) as Record<string, unknown>);
        const call = { type: "function_call", call_id: "m1", name: "search", namespace: "mcp__docs" };
        expect(frames[0]).toMatchObject({ type: "response.output_item.added", item: call });
        expect(frames.at(-2)).toMatchObject({
            type: "response.function_call_arguments.done",
            name: "search",
        });
        expect(frames.at(-1)).toMatchObject({
            type: "response.output_item.done",
            item: { ...call, arguments: '{"q":"x"}' },
        });
    });

    it("ends a failed stream with response.failed, unless OpenAI's own was relayed", () => {
        const ours = new ResponseEventEncoder("resp_1", 1);
        ours.encode(messageStart);
        ours.encode({ type: "text_delta", index: 0, text: "Hell" });
        const frame = ours.failed("overloaded", "upstream overloaded");
        expect(frame?.event).toBe("response.failed");
        expect(JSON.parse(frame!.data)).toMatchObject({
            type: "response.failed",
            sequence_number: 5, // created, in_progress, item added, part added, one delta
            response: {
                id: "resp_1",
                status: "failed",
                error: { code: "overloaded", message: "upstream overloaded" },
            },
        });

        const relayed = new ResponseEventEncoder("resp_2", 1);
        relayed.encode({ ...messageStart, native: { protocol: "openai-responses", relayed: true } });
        const upstream = { type: "response.failed", sequence_number: 3, response: { status: "failed" } };
        expect(
            relayed.encode({ type: "native", event: "response.failed", data: upstream, output: false }),
        ).toHaveLength(1);
        expect(relayed.failed("server_error", "response failed")).toBeUndefined();
        expect(relayed.nextSequence()).toBe(4);
    });

    it("answers a custom tool's call as custom_tool_call: its input whole, or none where the cap cut it", () => {
        const encoder = new ResponseEventEncoder("resp_1", 1, {
            custom: new Set(["apply_patch"]),
            namespaced: new Map(),
        });
        const decode = (events: RouterStreamEvent[]) =>
            events
                .flatMap((event) => encoder.encode(event))
                .map((f) => JSON.parse(f.data) as Record<string, unknown>);
        decode([messageStart]);
        const done = decode([
            { type: "tool_call_start", index: 0, id: "p1", name: "apply_patch" },
            { type: "tool_call_delta", index: 0, arguments_delta: '{"input":"*** Be' },
            { type: "tool_call_end", index: 0, arguments: { input: "*** Begin Patch\n" } },
        ]);
        expect(done.map((e) => e.type)).toEqual([
            "response.output_item.added",
            "response.custom_tool_call_input.delta",
            "response.custom_tool_call_input.done",
            "response.output_item.done",
        ]);
        expect(done[3]!.item).toMatchObject({
            type: "custom_tool_call",
            call_id: "p1",
            input: "*** Begin Patch\n",
        });
        // A tier that did not keep to the one-string schema: the caller's tool gets its JSON to refuse.
        const odd = decode([
            { type: "tool_call_start", index: 1, id: "p2", name: "apply_patch" },
            { type: "tool_call_end", index: 1, arguments: { patch: "x" } },
        ]);
        expect(odd.at(-1)!.item).toMatchObject({ input: '{"patch":"x"}' });
        const cut = decode([
            { type: "tool_call_start", index: 2, id: "p3", name: "apply_patch" },
            { type: "tool_call_delta", index: 2, arguments_delta: '{"input":"*** Begin' },
            // The encoder reads the end's stop reason and usage, not its routing record.
            {
                type: "message_end",
                stop_reason: "max_tokens",
                stop_sequence: null,
                usage: { input_tokens: 1, output_tokens: 9 },
            } as unknown as RouterStreamEvent,
        ]);
        expect(cut.map((e) => e.type)).toEqual([
            "response.output_item.added",
            "response.custom_tool_call_input.delta",
            "response.custom_tool_call_input.done",
            "response.output_item.done",
            "response.incomplete",
        ]);
        expect(cut[3]!.item).toMatchObject({ type: "custom_tool_call", call_id: "p3", input: "" });
        expect((cut[4]!.response as { output: unknown[] }).output).toHaveLength(3);
    });

    it("sends whole tool arguments as one delta when the provider streamed none", () => {
        const encoder = new ResponseEventEncoder("resp_1", 1);
        encoder.encode(messageStart);
        encoder.encode({ type: "tool_call_start", index: 0, id: "c", name: "f" });
        const events = encoder
            .encode({ type: "tool_call_end", index: 0, arguments: { a: 1 } })
            .map((f) => ({ event: f.event, ...(JSON.parse(f.data) as { type: string; delta?: string }) }));
        for (const e of events) expect(e.type).toBe(e.event);
        expect(events.map((e) => e.type)).toEqual([
            "response.function_call_arguments.delta",
            "response.function_call_arguments.done",
            "response.output_item.done",
        ]);
        expect(events[0]).toMatchObject({ delta: '{"a":1}' });
    });

    it("serializes each delta as JSON.stringify of the SDK-typed event, byte for byte", () => {
        const texts = [
            "hi",
            'say "hi"\n',
            "\u0000\u001f\t",
            "é漢字🙂",
            "\u2028\u2029",
            "\\",
            "\ud800",
            "</script>",
        ];
        const encoder = new ResponseEventEncoder("resp_1", 1);
        const events: RouterStreamEvent[] = [
            messageStart,
            ...texts.map((text): RouterStreamEvent => ({ type: "text_delta", index: 0, text })),
            { type: "tool_call_start", index: 1, id: "c", name: "f" },
            ...texts.map((t): RouterStreamEvent => ({
                type: "tool_call_delta",
                index: 1,
                arguments_delta: t,
            })),
            { type: "tool_call_end", index: 1, arguments: {} },
            { type: "tool_call_start", index: 2, id: "d", name: "g" },
            { type: "tool_call_end", index: 2, arguments: { path: 'a"b' } },
            ...texts.map((text): RouterStreamEvent => ({ type: "text_delta", index: 3, text })),
        ];
        const frames = events.flatMap((event) => encoder.encode(event));
        const parsed = frames.map(
            (f) => JSON.parse(f.data) as { type: string; sequence_number: number; item?: { id: string } },
        );
        expect(parsed.map((e) => e.sequence_number)).toEqual(parsed.map((_, i) => i));
        expect(parsed.map((e) => e.type)).toEqual(frames.map((f) => f.event));
        const itemIds = parsed.filter((e) => e.type === "response.output_item.added").map((e) => e.item!.id);
        const inputs: ["text" | "arguments", number, string][] = [
            ...texts.map((t): ["text", number, string] => ["text", 0, t]),
            ...texts.map((t): ["arguments", number, string] => ["arguments", 1, t]),
            ["arguments", 2, '{"path":"a\\"b"}'],
            ...texts.map((t): ["text", number, string] => ["text", 3, t]),
        ];
        const deltas = frames.flatMap((f, i) =>
            f.event.endsWith(".delta") ? [{ data: f.data, sequence: i }] : [],
        );
        expect(deltas).toHaveLength(inputs.length);
        deltas.forEach(({ data, sequence }, i) => {
            const [kind, outputIndex, delta] = inputs[i]!;
            const itemId = itemIds[outputIndex]!;
            const text: ResponseTextDeltaEvent = {
                type: "response.output_text.delta",
                item_id: itemId,
                output_index: outputIndex,
                content_index: 0,
                delta,
                logprobs: [],
                sequence_number: sequence,
            };
            const args: ResponseFunctionCallArgumentsDeltaEvent = {
                type: "response.function_call_arguments.delta",
                item_id: itemId,
                output_index: outputIndex,
                delta,
                sequence_number: sequence,
            };
            expect(data).toBe(JSON.stringify(kind === "text" ? text : args));
        });
    });
});

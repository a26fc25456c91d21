/**
 * Replies of the fake OpenAI server (fakeOpenAIServer.ts) on `POST /v1/responses`, in the Responses API's
 * wire format as its reference documents it: a `response` object for unary calls, and for streams the
 * named event sequence (`response.created`, `response.in_progress`, per output item
 * `response.output_item.added` … `response.output_item.done` with `response.content_part.*`,
 * `response.output_text.delta` / `.done` or `response.function_call_arguments.delta` / `.done` between,
 * then `response.completed` or `response.incomplete`), each with its `sequence_number`. A turn may start
 * with a reasoning item (its summary and the encrypted content a stateless caller sends back).
 */
import type { Reply, SseFrame } from "./fakeHttpServer.js";
import { fakeOpenAIModel, type OpenAIToolCall } from "./fakeOpenAIServer.js";

export interface ResponsesTurn {
    model?: string;
    reasoning?: { summary: string; encrypted: string };
    /** Text deltas of one message item. */
    text?: readonly string[];
    calls?: readonly OpenAIToolCall[];
    /** `incomplete` with reason `max_output_tokens`. Defaults to `completed`. */
    status?: "completed" | "incomplete";
    usage?: { input: number; output: number; cached?: number };
}

let nextId = 1;
const id = (prefix: string): string => `${prefix}_${String(nextId++).padStart(6, "0")}`;

type Item = Record<string, unknown>;

/** The turn's output items, whole, with their ids. */
function outputItems(turn: ResponsesTurn): Item[] {
    const items: Item[] = [];
    if (turn.reasoning)
        items.push({
            type: "reasoning",
            id: id("rs"),
            summary: [{ type: "summary_text", text: turn.reasoning.summary }],
            encrypted_content: turn.reasoning.encrypted,
        });
    if (turn.text)
        items.push({
            type: "message",
            id: id("msg"),
            status: "completed",
            role: "assistant",
            content: [{ type: "output_text", text: turn.text.join(""), annotations: [], logprobs: [] }],
        });
    for (const call of turn.calls ?? [])
        items.push({
            type: "function_call",
            id: id("fc"),
            call_id: call.id,
            name: call.name,
            arguments: call.args.join(""),
            status: "completed",
        });
    return items;
}

function responseBody(turn: ResponsesTurn, output: Item[], status: string): Item {
    const usage = turn.usage ?? { input: 14, output: 9 };
    const done = status !== "in_progress";
    return {
        id: "resp_fake",
        object: "response",
        created_at: 1_763_000_000,
        status,
        error: null,
        incomplete_details: status === "incomplete" ? { reason: "max_output_tokens" } : null,
        instructions: null,
        model: turn.model ?? fakeOpenAIModel,
        output,
        parallel_tool_calls: true,
        store: false,
        tool_choice: "auto",
        tools: [],
        usage: done
            ? {
                  input_tokens: usage.input,
                  input_tokens_details: { cached_tokens: usage.cached ?? 0 },
                  output_tokens: usage.output,
                  output_tokens_details: { reasoning_tokens: 0 },
                  total_tokens: usage.input + usage.output,
              }
            : null,
    };
}

/** A unary Responses API reply. */
export function responsesReply(turn: ResponsesTurn): Reply {
    return {
        kind: "json",
        status: 200,
        headers: { "x-request-id": id("req") },
        body: responseBody(turn, outputItems(turn), turn.status ?? "completed"),
    };
}

/** The named event sequence of a streamed turn. */
export function responsesFrames(turn: ResponsesTurn): SseFrame[] {
    const frames: SseFrame[] = [];
    let sequence = 0;
    const push = (type: string, data: Item): void => {
        frames.push({ event: type, data: { type, ...data, sequence_number: sequence++ } });
    };
    const items = outputItems(turn);
    push("response.created", { response: responseBody(turn, [], "in_progress") });
    push("response.in_progress", { response: responseBody(turn, [], "in_progress") });
    items.forEach((item, output_index) => {
        const item_id = item.id;
        if (item.type === "reasoning") {
            push("response.output_item.added", {
                output_index,
                item: { ...item, summary: [], encrypted_content: null },
            });
        } else if (item.type === "message") {
            push("response.output_item.added", {
                output_index,
                item: { ...item, status: "in_progress", content: [] },
            });
            const part = { type: "output_text", text: "", annotations: [], logprobs: [] };
            push("response.content_part.added", { item_id, output_index, content_index: 0, part });
            for (const delta of turn.text ?? [])
                push("response.output_text.delta", {
                    item_id,
                    output_index,
                    content_index: 0,
                    delta,
                    logprobs: [],
                });
            const text = (turn.text ?? []).join("");
            push("response.output_text.done", {
                item_id,
                output_index,
                content_index: 0,
                text,
                logprobs: [],
            });
            push("response.content_part.done", {
                item_id,
                output_index,
                content_index: 0,
                part: { ...part, text },
            });
        } else {
            push("response.output_item.added", {
                output_index,
                item: { ...item, arguments: "", status: "in_progress" },
            });
            const call = turn.calls?.find((c) => c.id === item.call_id);
            for (const delta of call?.args ?? [])
                push("response.function_call_arguments.delta", { item_id, output_index, delta });
            push("response.function_call_arguments.done", {
                item_id,
                output_index,
                arguments: item.arguments,
            });
        }
        push("response.output_item.done", { output_index, item });
    });
    const status = turn.status ?? "completed";
    push(status === "completed" ? "response.completed" : "response.incomplete", {
        response: responseBody(turn, items, status),
    });
    return frames;
}

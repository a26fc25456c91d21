/**
 * The router's answers → OpenAI Responses objects: one `response` for unary calls, and for streams the
 * Responses event sequence: `response.created`, `response.in_progress`, then per output item
 * `response.output_item.added`, for a message `content_part.added` / `output_text.delta` /
 * `output_text.done` / `content_part.done`, for a function call `function_call_arguments.delta` /
 * `function_call_arguments.done`, for a call of a custom tool (customTool.ts) one
 * `custom_tool_call_input.delta` with the whole input and `custom_tool_call_input.done` (its input is one
 * JSON string argument until the call ends), then `response.output_item.done`, and last `response.completed`
 * (`response.incomplete` when the output cap cut the answer). Every event carries its sequence number.
 * Stream events come out serialized: the per-token ones (`output_text.delta`,
 * `function_call_arguments.delta`) from a prefix built once per output item plus the delta's JSON and the
 * sequence number, the same bytes as `JSON.stringify` of the SDK-typed event; the others are typed
 * objects serialized once each.
 */
import { randomUUID } from "node:crypto";
import type {
    Response,
    ResponseCustomToolCall,
    ResponseError,
    ResponseFunctionToolCall,
    ResponseOutputItem,
    ResponseOutputMessage,
    ResponseStreamEvent,
    ResponseUsage,
} from "openai/resources/responses/responses";
import type { CompletionResult, RouterStreamEvent, StopReason, Usage } from "../../index.js";
import type { SseFrame } from "../SseWriter.js";
import { customToolInput, noToolNames, type ResponsesToolNames } from "./customTool.js";

const itemId = (prefix: string): string => `${prefix}_${randomUUID().replaceAll("-", "")}`;

function usageOf(usage: Usage): ResponseUsage {
    return {
        input_tokens: usage.input_tokens,
        // Prompt tokens the answering provider read from (or wrote to) its prompt cache; the local tier's
        // reused KV prefix counts as read.
        input_tokens_details: {
            cached_tokens: usage.cache_read_input_tokens ?? 0,
            cache_write_tokens: usage.cache_creation_input_tokens ?? 0,
        },
        output_tokens: usage.output_tokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: usage.input_tokens + usage.output_tokens,
    };
}

/** A response object; `status` in_progress until the answer's end is known. */
function responseOf(id: string, created: number, model: string, output: ResponseOutputItem[]): Response {
    return {
        id,
        object: "response",
        created_at: created,
        status: "in_progress",
        model,
        output,
        output_text: "",
        error: null,
        incomplete_details: null,
        instructions: null,
        metadata: null,
        parallel_tool_calls: true,
        temperature: null,
        tool_choice: "auto",
        tools: [],
        top_p: null,
    };
}

function finish(response: Response, stop: StopReason, usage: Usage): Response {
    const incomplete = stop === "max_tokens";
    let text = "";
    for (const item of response.output) {
        if (item.type === "message")
            for (const part of item.content) if (part.type === "output_text") text += part.text;
    }
    return {
        ...response,
        status: incomplete ? "incomplete" : "completed",
        incomplete_details: incomplete ? { reason: "max_output_tokens" } : null,
        output_text: text,
        usage: usageOf(usage),
    };
}

function messageItem(text: string, status: ResponseOutputMessage["status"]): ResponseOutputMessage {
    return {
        id: itemId("msg"),
        type: "message",
        role: "assistant",
        status,
        content: text === "" ? [] : [{ type: "output_text", text, annotations: [] }],
    };
}

/** A call of a custom tool as an output item. */
function customCallItem(id: string, callId: string, name: string, input: string): ResponseCustomToolCall {
    return { id, type: "custom_tool_call", call_id: callId, name, input };
}

/** A function call as an output item: a namespace function's under its own name and namespace. */
function functionCallItem(
    callId: string,
    name: string,
    args: string,
    status: ResponseFunctionToolCall["status"],
    toolNames: ResponsesToolNames,
): ResponseFunctionToolCall {
    const namespaced = toolNames.namespaced.get(name);
    return {
        id: itemId("fc"),
        type: "function_call",
        call_id: callId,
        name: namespaced?.name ?? name,
        ...(namespaced && { namespace: namespaced.namespace }),
        arguments: args,
        status,
    };
}

/** `toolNames`: what the request's tools were (customTool.ts), so their calls go back as declared. */
export function toResponse(
    answer: CompletionResult,
    id: string,
    created: number,
    toolNames: ResponsesToolNames = noToolNames,
): Response {
    const output: ResponseOutputItem[] = [];
    for (const part of answer.content) {
        if (part.type === "text") output.push(messageItem(part.text, "completed"));
        else if (toolNames.custom.has(part.name))
            output.push(customCallItem(itemId("ctc"), part.id, part.name, customToolInput(part.arguments)));
        else
            output.push(
                functionCallItem(part.id, part.name, JSON.stringify(part.arguments), "completed", toolNames),
            );
    }
    return finish(responseOf(id, created, answer.model, output), answer.stop_reason, answer.usage);
}

/** The events that end a response's stream. */
const terminalEvents: ReadonlySet<string> = new Set([
    "response.completed",
    "response.incomplete",
    "response.failed",
]);

/** An event serialized as it is: its `event:` name is its `type`. */
function frameOf(event: ResponseStreamEvent): SseFrame {
    return { event: event.type, data: JSON.stringify(event) };
}

/**
 * `{"type":"response.output_text.delta","item_id":…,"output_index":…,"content_index":0,"delta":` : what
 * every text delta of one message item starts with (ResponseTextDeltaEvent's members, in its order).
 */
function textDeltaHead(itemId: string, outputIndex: number): string {
    return `{"type":"response.output_text.delta","item_id":${JSON.stringify(itemId)},"output_index":${outputIndex},"content_index":0,"delta":`;
}

/** The same for a function call's argument deltas (ResponseFunctionCallArgumentsDeltaEvent). */
function argumentsDeltaHead(itemId: string, outputIndex: number): string {
    return `{"type":"response.function_call_arguments.delta","item_id":${JSON.stringify(itemId)},"output_index":${outputIndex},"delta":`;
}

/** Router stream events → Responses stream events, serialized. */
export class ResponseEventEncoder {
    readonly #id: string;
    readonly #created: number;
    #sequence = 0;
    #response: Response | undefined;
    /** The item being streamed: a message (its text so far) or a function call; `head` starts its deltas. */
    #open:
        | { kind: "message"; item: ResponseOutputMessage; outputIndex: number; text: string; head: string }
        | {
              kind: "call";
              item: ResponseFunctionToolCall;
              outputIndex: number;
              streamed: boolean;
              head: string;
          }
        | { kind: "custom"; id: string; callId: string; name: string; outputIndex: number }
        | undefined;
    readonly #done: ResponseOutputItem[] = [];
    /**
     * The answer comes from OpenAI's Responses API as its own events (`message_start.native.relayed`):
     * those are written as they came, and the normalized events after each of them are not encoded.
     */
    #relay = false;
    /** A relayed stream already carried its response's terminal event (a relayed `response.failed`). */
    #relayedEnd = false;

    /** What the request's tools were (see toResponse). */
    readonly #toolNames: ResponsesToolNames;

    constructor(id: string, created: number, toolNames: ResponsesToolNames = noToolNames) {
        this.#id = id;
        this.#created = created;
        this.#toolNames = toolNames;
    }

    /** The `response.output_item.added` frame of an item opened at `outputIndex`. */
    #itemAdded(item: ResponseOutputItem, outputIndex: number): SseFrame {
        return frameOf({
            type: "response.output_item.added",
            item,
            output_index: outputIndex,
            sequence_number: this.nextSequence(),
        });
    }

    /** The `response.output_item.done` frame of a finished item, which joins the response's output. */
    #itemDone(frames: SseFrame[], item: ResponseOutputItem, outputIndex: number): void {
        frames.push(
            frameOf({
                type: "response.output_item.done",
                item,
                output_index: outputIndex,
                sequence_number: this.nextSequence(),
            }),
        );
        this.#done.push(item);
    }

    /** The next sequence number, for an `error` event the caller writes after a failure. */
    nextSequence(): number {
        return this.#sequence++;
    }

    /**
     * The `response.failed` event that ends a stream whose answer failed after it opened: the response with
     * what was done, `status: "failed"` and the error's code and message. Codex CLI reads only this event
     * of a failure (not `error`): by its code it compacts (`context_length_exceeded`), stops
     * (`insufficient_quota`) or waits (`rate_limit_exceeded`, "try again in N s"), and retries otherwise.
     */
    failed(code: string | null, message: string): SseFrame | undefined {
        // OpenAI's own response.failed was relayed already (the provider throws after relaying it).
        if (this.#relayedEnd) return undefined;
        const response: Response = {
            ...(this.#response ?? responseOf(this.#id, this.#created, "", [])),
            output: [...this.#done],
            status: "failed",
            // The SDK types `code` as the codes OpenAI's own failures use; ours are the same vocabulary.
            error: { code: (code ?? "server_error") as ResponseError["code"], message },
        };
        return frameOf({ type: "response.failed", response, sequence_number: this.nextSequence() });
    }

    encode(event: RouterStreamEvent): SseFrame[] {
        if (this.#relay) {
            if (event.type !== "native") return [];
            // The caller's sequence numbers continue from the relayed ones (an `error` event after them).
            const sequence = (event.data as { sequence_number?: unknown }).sequence_number;
            if (typeof sequence === "number") this.#sequence = sequence + 1;
            if (terminalEvents.has(event.event)) this.#relayedEnd = true;
            return [{ event: event.event, data: JSON.stringify(event.data) }];
        }
        const frames: SseFrame[] = [];
        switch (event.type) {
            case "native":
                return [];
            case "message_start": {
                if (event.native?.relayed === true && event.native.protocol === "openai-responses") {
                    this.#relay = true;
                    return [];
                }
                this.#response = responseOf(this.#id, this.#created, event.model, []);
                frames.push(
                    frameOf({
                        type: "response.created",
                        response: this.#response,
                        sequence_number: this.nextSequence(),
                    }),
                    frameOf({
                        type: "response.in_progress",
                        response: this.#response,
                        sequence_number: this.nextSequence(),
                    }),
                );
                break;
            }
            case "text_delta": {
                if (this.#open?.kind !== "message") {
                    this.#close(frames);
                    const item = messageItem("", "in_progress");
                    const outputIndex = this.#done.length;
                    const head = textDeltaHead(item.id, outputIndex);
                    this.#open = { kind: "message", item, outputIndex, text: "", head };
                    frames.push(
                        this.#itemAdded(item, outputIndex),
                        frameOf({
                            type: "response.content_part.added",
                            item_id: item.id,
                            output_index: outputIndex,
                            content_index: 0,
                            part: { type: "output_text", text: "", annotations: [] },
                            sequence_number: this.nextSequence(),
                        }),
                    );
                }
                const open = this.#open;
                open.text += event.text;
                frames.push({
                    event: "response.output_text.delta",
                    data: `${open.head}${JSON.stringify(event.text)},"logprobs":[],"sequence_number":${this.nextSequence()}}`,
                });
                break;
            }
            case "tool_call_start": {
                this.#close(frames);
                if (this.#toolNames.custom.has(event.name)) {
                    const open = {
                        kind: "custom" as const,
                        id: itemId("ctc"),
                        callId: event.id,
                        name: event.name,
                        outputIndex: this.#done.length,
                    };
                    this.#open = open;
                    const item = customCallItem(open.id, open.callId, open.name, "");
                    frames.push(this.#itemAdded(item, open.outputIndex));
                    break;
                }
                const item = functionCallItem(event.id, event.name, "", "in_progress", this.#toolNames);
                const outputIndex = this.#done.length;
                const head = argumentsDeltaHead(item.id ?? "", outputIndex);
                this.#open = { kind: "call", item, outputIndex, streamed: false, head };
                frames.push(this.#itemAdded(item, outputIndex));
                break;
            }
            case "tool_call_delta": {
                if (this.#open?.kind !== "call") break;
                this.#open.streamed = true;
                this.#open.item.arguments += event.arguments_delta;
                frames.push(this.#argumentsDelta(event.arguments_delta, this.nextSequence()));
                break;
            }
            case "tool_call_end": {
                if (this.#open?.kind === "custom") {
                    this.#closeCustom(frames, this.#open, event.arguments);
                    break;
                }
                if (this.#open?.kind !== "call") break;
                // A provider may send the arguments whole, without deltas: clients that read only the
                // deltas still get them, as one delta.
                if (!this.#open.streamed) {
                    this.#open.item.arguments = JSON.stringify(event.arguments);
                    frames.push(this.#argumentsDelta(this.#open.item.arguments, this.nextSequence()));
                }
                this.#close(frames);
                break;
            }
            case "message_end": {
                this.#close(frames);
                const response = finish(
                    {
                        ...(this.#response ?? responseOf(this.#id, this.#created, "", [])),
                        output: [...this.#done],
                    },
                    event.stop_reason,
                    event.usage,
                );
                frames.push(
                    frameOf(
                        response.status === "incomplete"
                            ? { type: "response.incomplete", response, sequence_number: this.nextSequence() }
                            : { type: "response.completed", response, sequence_number: this.nextSequence() },
                    ),
                );
                break;
            }
        }
        return frames;
    }

    #argumentsDelta(delta: string, sequence: number): SseFrame {
        const head = this.#open?.kind === "call" ? this.#open.head : "";
        return {
            event: "response.function_call_arguments.delta",
            data: `${head}${JSON.stringify(delta)},"sequence_number":${sequence}}`,
        };
    }

    /** A custom tool call's input, whole, once its arguments are complete; then the item is done. */
    #closeCustom(
        frames: SseFrame[],
        open: { id: string; callId: string; name: string; outputIndex: number },
        args: Record<string, unknown> | undefined,
    ): void {
        this.#open = undefined;
        const input = args === undefined ? "" : customToolInput(args);
        const item = customCallItem(open.id, open.callId, open.name, input);
        const at = { item_id: open.id, output_index: open.outputIndex };
        frames.push(
            frameOf({
                type: "response.custom_tool_call_input.delta",
                ...at,
                delta: item.input,
                sequence_number: this.nextSequence(),
            }),
            frameOf({
                type: "response.custom_tool_call_input.done",
                ...at,
                input: item.input,
                sequence_number: this.nextSequence(),
            }),
        );
        this.#itemDone(frames, item, open.outputIndex);
    }

    #close(frames: SseFrame[]): void {
        const open = this.#open;
        if (open === undefined) return;
        // A custom call cut before its end (the output cap): its input never completed, so none.
        if (open.kind === "custom") {
            this.#closeCustom(frames, open, undefined);
            return;
        }
        this.#open = undefined;
        if (open.kind === "message") {
            const part = { type: "output_text" as const, text: open.text, annotations: [] };
            const item: ResponseOutputMessage = { ...open.item, status: "completed", content: [part] };
            frames.push(
                frameOf({
                    type: "response.output_text.done",
                    item_id: item.id,
                    output_index: open.outputIndex,
                    content_index: 0,
                    text: open.text,
                    logprobs: [],
                    sequence_number: this.nextSequence(),
                }),
                frameOf({
                    type: "response.content_part.done",
                    item_id: item.id,
                    output_index: open.outputIndex,
                    content_index: 0,
                    part,
                    sequence_number: this.nextSequence(),
                }),
            );
            this.#itemDone(frames, item, open.outputIndex);
            return;
        }
        const item: ResponseFunctionToolCall = { ...open.item, status: "completed" };
        frames.push(
            frameOf({
                type: "response.function_call_arguments.done",
                item_id: item.id ?? "",
                output_index: open.outputIndex,
                name: item.name,
                arguments: item.arguments,
                sequence_number: this.nextSequence(),
            }),
        );
        this.#itemDone(frames, item, open.outputIndex);
    }
}

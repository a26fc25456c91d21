/**
 * The router's answers → Anthropic Messages responses: a `message` object for unary calls, and for
 * streams the API's event sequence: `message_start`, `ping`, per block `content_block_start` /
 * `content_block_delta` (`text_delta`, `input_json_delta`) / `content_block_stop`, then `message_delta`
 * (stop reason, usage) and `message_stop`. Block indexes are the gateway's own, contiguous from 0.
 * An answer Anthropic streamed for a Messages request (same-protocol pass-through) is relayed instead:
 * its own events, re-serialized as received, so thinking blocks, signatures and cache usage reach the
 * caller. Stream events come out serialized: the per-token `content_block_delta` events from a prefix built once
 * per block plus the delta's JSON, the same bytes as `JSON.stringify` of the SDK-typed event; the others
 * are typed objects serialized once each.
 */
import type {
    ContentBlock,
    Message,
    RawMessageStreamEvent,
    StopReason as AnthropicStopReason,
    Usage as AnthropicUsage,
} from "@anthropic-ai/sdk/resources/messages/messages";
import type { CompletionResult, RouterStreamEvent, StopReason, Usage } from "../../index.js";
import type { SseFrame } from "../SseWriter.js";

export const stopReasonByStopReason = {
    end_turn: "end_turn",
    tool_use: "tool_use",
    max_tokens: "max_tokens",
    stop_sequence: "stop_sequence",
    refusal: "refusal",
} as const satisfies Record<StopReason, AnthropicStopReason>;

/** Anthropic counts cache reads and writes apart from `input_tokens`; the router's total includes them. */
function usageOf(usage: Usage): AnthropicUsage {
    const read = usage.cache_read_input_tokens;
    const written = usage.cache_creation_input_tokens;
    return {
        input_tokens: usage.input_tokens - (read ?? 0) - (written ?? 0),
        output_tokens: usage.output_tokens,
        cache_creation_input_tokens: written ?? null,
        cache_read_input_tokens: read ?? null,
        cache_creation: null,
        inference_geo: null,
        output_tokens_details: null,
        server_tool_use: null,
        service_tier: null,
        speed: null,
    };
}

function messageOf(id: string, model: string, content: ContentBlock[]): Message {
    return {
        id,
        type: "message",
        role: "assistant",
        model,
        content,
        stop_reason: null,
        stop_sequence: null,
        stop_details: null,
        container: null,
        diagnostics: null,
        usage: usageOf({ input_tokens: 0, output_tokens: 0 }),
    };
}

export function toMessage(answer: CompletionResult, id: string): Message {
    const content = answer.content.map((part): ContentBlock =>
        part.type === "text"
            ? { type: "text", text: part.text, citations: null }
            : {
                  type: "tool_use",
                  id: part.id,
                  name: part.name,
                  input: part.arguments,
                  caller: { type: "direct" },
              },
    );
    return {
        ...messageOf(id, answer.model, content),
        stop_reason: stopReasonByStopReason[answer.stop_reason],
        stop_sequence: answer.stop_sequence,
        usage: usageOf(answer.usage),
    };
}

/** A stream event on the wire: its `event:` name is its `type`. `ping` is not in the SDK's union. */
export type MessageStreamFrame = RawMessageStreamEvent | { type: "ping" };

function frameOf(event: MessageStreamFrame): SseFrame {
    return { event: event.type, data: JSON.stringify(event) };
}

/**
 * `{"type":"content_block_delta","index":…,"delta":{"type":"text_delta","text":` (or `input_json_delta`
 * and `partial_json`): what every delta of one block starts with (RawContentBlockDeltaEvent's members,
 * in its order); the delta's JSON and `}}` complete it.
 */
function deltaHead(index: number, kind: "text_delta" | "input_json_delta"): string {
    const member = kind === "text_delta" ? "text" : "partial_json";
    return `{"type":"content_block_delta","index":${index},"delta":{"type":"${kind}","${member}":`;
}

/** Router stream events → Anthropic stream events, serialized. */
export class MessageEventEncoder {
    readonly #id: string;
    /** Router content index → block index. */
    readonly #blocks = new Map<number, number>();
    /** The block index of the text block still open, if any, and the prefix of its deltas. */
    #openText: { index: number; head: string } | undefined;
    /** Tool blocks by block index → the prefix of their deltas, once they received one. */
    readonly #streamedTools = new Map<number, string>();

    /**
     * The answer comes from Anthropic as its own events (`message_start.native.relayed`): those are
     * written as they came, and the normalized events that follow each of them are not encoded.
     */
    #relay = false;

    constructor(id: string) {
        this.#id = id;
    }

    encode(event: RouterStreamEvent): SseFrame[] {
        if (this.#relay) {
            return event.type === "native" ? [{ event: event.event, data: JSON.stringify(event.data) }] : [];
        }
        switch (event.type) {
            case "native":
                return [];
            case "message_start":
                if (event.native?.relayed === true && event.native.protocol === "anthropic-messages") {
                    this.#relay = true;
                    return [];
                }
                return [
                    frameOf({ type: "message_start", message: messageOf(this.#id, event.model, []) }),
                    frameOf({ type: "ping" }),
                ];
            case "text_delta": {
                const frames: SseFrame[] = [];
                let index = this.#blocks.get(event.index);
                if (index === undefined) {
                    this.#closeText(frames);
                    index = this.#open(event.index);
                    this.#openText = { index, head: deltaHead(index, "text_delta") };
                    frames.push(
                        frameOf({
                            type: "content_block_start",
                            index,
                            content_block: { type: "text", text: "", citations: null },
                        }),
                    );
                }
                if (event.text !== "") {
                    const open = this.#openText;
                    const head = open?.index === index ? open.head : deltaHead(index, "text_delta");
                    frames.push({
                        event: "content_block_delta",
                        data: `${head}${JSON.stringify(event.text)}}}`,
                    });
                }
                return frames;
            }
            case "tool_call_start": {
                const frames: SseFrame[] = [];
                this.#closeText(frames);
                const index = this.#open(event.index);
                frames.push(
                    frameOf({
                        type: "content_block_start",
                        index,
                        content_block: {
                            type: "tool_use",
                            id: event.id,
                            name: event.name,
                            input: {},
                            caller: { type: "direct" },
                        },
                    }),
                );
                return frames;
            }
            case "tool_call_delta": {
                const index = this.#blocks.get(event.index) ?? 0;
                let head = this.#streamedTools.get(index);
                if (head === undefined) {
                    head = deltaHead(index, "input_json_delta");
                    this.#streamedTools.set(index, head);
                }
                return [
                    {
                        event: "content_block_delta",
                        data: `${head}${JSON.stringify(event.arguments_delta)}}}`,
                    },
                ];
            }
            case "tool_call_end": {
                const index = this.#blocks.get(event.index) ?? 0;
                const frames: SseFrame[] = [];
                if (!this.#streamedTools.has(index)) {
                    frames.push({
                        event: "content_block_delta",
                        data: `${deltaHead(index, "input_json_delta")}${JSON.stringify(JSON.stringify(event.arguments))}}}`,
                    });
                }
                frames.push(frameOf({ type: "content_block_stop", index }));
                return frames;
            }
            case "message_end": {
                const frames: SseFrame[] = [];
                this.#closeText(frames);
                // Cumulative usage, cache reads apart as in a unary answer: the local tier knows how much of
                // the prompt its KV cache held only once the prompt is in, after message_start went out.
                const usage = usageOf(event.usage);
                frames.push(
                    frameOf({
                        type: "message_delta",
                        delta: {
                            stop_reason: stopReasonByStopReason[event.stop_reason],
                            stop_sequence: event.stop_sequence,
                            stop_details: null,
                            container: null,
                        },
                        usage: {
                            input_tokens: usage.input_tokens,
                            output_tokens: usage.output_tokens,
                            cache_creation_input_tokens: usage.cache_creation_input_tokens,
                            cache_read_input_tokens: usage.cache_read_input_tokens,
                            output_tokens_details: null,
                            server_tool_use: null,
                        },
                    }),
                    frameOf({ type: "message_stop" }),
                );
                return frames;
            }
        }
    }

    #open(contentIndex: number): number {
        const index = this.#blocks.size;
        this.#blocks.set(contentIndex, index);
        return index;
    }

    #closeText(frames: SseFrame[]): void {
        if (this.#openText === undefined) return;
        frames.push(frameOf({ type: "content_block_stop", index: this.#openText.index }));
        this.#openText = undefined;
    }
}

/**
 * The gateway's per-chunk cost on a Chat Completions stream (not a test): a 64-token answer's router
 * events encoded into `data:` payloads by `ChatChunkEncoder`, which serializes the members every chunk
 * repeats once per stream and only the delta per chunk, against the reference encoding it replaced:
 * a whole `ChatCompletionChunk` object built per event (spreads of the shared members) and then
 * `JSON.stringify`. Both produce the same JSON (checked before timing). Prints ns per stream and the ratio.
 * Then the per-token part of the Messages and Responses streams: the stream's 64 text deltas encoded by
 * `MessageEventEncoder` / `ResponseEventEncoder` (a prefix per block or item plus the delta's JSON)
 * against building each SDK-typed delta event and `JSON.stringify`-ing it (same bytes, checked).
 *
 *   node --import tsx bench/micro/gatewayEncode.bench.ts
 */
import { cpus, loadavg } from "node:os";
import type { ChatCompletionChunk } from "openai/resources/chat/completions/completions";
import type { RouterStreamEvent } from "../../src/index.js";
import type { RawContentBlockDeltaEvent } from "@anthropic-ai/sdk/resources/messages/messages";
import type { ResponseTextDeltaEvent } from "openai/resources/responses/responses";
import { MessageEventEncoder } from "../../src/gateway/anthropic/messagesResponse.js";
import { ChatChunkEncoder, finishReasonByStopReason } from "../../src/gateway/openai/chatResponse.js";
import { ResponseEventEncoder } from "../../src/gateway/openai/responsesResponse.js";
import { measure } from "./measure.js";
import { messageStart } from "../../test/helpers/messageStart.js";

const events: RouterStreamEvent[] = [
    messageStart,
    ...Array.from({ length: 64 }, (_, i): RouterStreamEvent => ({
        type: "text_delta",
        index: 0,
        text: ` tok${i}`,
    })),
    {
        type: "message_end",
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: { input_tokens: 30, output_tokens: 64 },
    } as RouterStreamEvent,
];

/** The object-per-chunk encoding, kept here as the baseline. */
function objectFrames(): string[] {
    const base = { id: "chatcmpl-1", object: "chat.completion.chunk" as const, created: 1, model: "m" };
    const chunk = (
        delta: ChatCompletionChunk.Choice.Delta,
        finish: ChatCompletionChunk.Choice["finish_reason"] = null,
    ): ChatCompletionChunk => ({
        ...base,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...{ usage: null },
    });
    const frames: string[] = [];
    for (const event of events) {
        if (event.type === "message_start")
            frames.push(JSON.stringify(chunk({ role: "assistant", content: "", refusal: null })));
        else if (event.type === "text_delta") frames.push(JSON.stringify(chunk({ content: event.text })));
        else if (event.type === "message_end") {
            frames.push(JSON.stringify(chunk({}, finishReasonByStopReason[event.stop_reason])));
            const { input_tokens: p, output_tokens: c } = event.usage;
            frames.push(
                JSON.stringify({
                    ...base,
                    choices: [],
                    usage: { prompt_tokens: p, completion_tokens: c, total_tokens: p + c },
                }),
            );
        }
    }
    return frames;
}

function encoderFrames(): string[] {
    const encoder = new ChatChunkEncoder("chatcmpl-1", 1, true);
    return events.flatMap((event) => encoder.encode(event));
}

const same = JSON.stringify(objectFrames().map((f) => JSON.parse(f) as unknown));
if (same !== JSON.stringify(encoderFrames().map((f) => JSON.parse(f) as unknown)))
    throw new Error("the two encodings differ");

const reference = measure(objectFrames, 400);
const encoder = measure(encoderFrames, 400);
console.log(
    `gateway chunk encoding, ${events.length} events; CPU ${cpus()[0]?.model ?? "?"} (${cpus().length} cores), load ${loadavg()[0]?.toFixed(2) ?? "?"}`,
);
console.log(
    `object per chunk + JSON.stringify ${(reference / 1000).toFixed(1)} us/stream | ChatChunkEncoder ${(encoder / 1000).toFixed(1)} us/stream | ratio ${(reference / encoder).toFixed(2)}`,
);

const [start, ...rest] = events;
const deltas = rest.filter((e) => e.type === "text_delta");

/** A Messages encoder with its text block open, and a Responses encoder with its message item open. */
function openEncoders(): { messages: MessageEventEncoder; responses: ResponseEventEncoder; itemId: string } {
    const messages = new MessageEventEncoder("msg_1");
    const responses = new ResponseEventEncoder("resp_1", 1);
    const opening: RouterStreamEvent = { type: "text_delta", index: 0, text: "" };
    for (const encoder of [messages, responses]) encoder.encode(start!);
    messages.encode(opening);
    const added = responses.encode(opening)[0]!;
    return { messages, responses, itemId: (JSON.parse(added.data) as { item: { id: string } }).item.id };
}

function messagesObjects(): string[] {
    return deltas.map((e) => {
        const event: RawContentBlockDeltaEvent = {
            type: "content_block_delta",
            index: 0,
            delta: { type: "text_delta", text: e.text },
        };
        return JSON.stringify(event);
    });
}

function responsesObjects(itemId: string, firstSequence: number): string[] {
    return deltas.map((e, i) => {
        const event: ResponseTextDeltaEvent = {
            type: "response.output_text.delta",
            item_id: itemId,
            output_index: 0,
            content_index: 0,
            delta: e.text,
            logprobs: [],
            sequence_number: firstSequence + i,
        };
        return JSON.stringify(event);
    });
}

const check = openEncoders();
const firstSequence = 5; // created, in_progress, output_item.added, content_part.added, the opening delta
if (
    JSON.stringify(deltas.flatMap((e) => check.messages.encode(e).map((f) => f.data))) !==
        JSON.stringify(messagesObjects()) ||
    JSON.stringify(deltas.flatMap((e) => check.responses.encode(e).map((f) => f.data))) !==
        JSON.stringify(responsesObjects(check.itemId, firstSequence))
)
    throw new Error("the delta encodings differ");

// Both sides of each row open the encoders first (the same per-stream cost: ids, the response object).
const messagesReference = measure(() => {
    openEncoders();
    return messagesObjects();
}, 600);
const messagesEncoder = measure(() => {
    const { messages } = openEncoders();
    return deltas.map((e) => messages.encode(e));
}, 600);
const responsesReference = measure(() => {
    const { itemId } = openEncoders();
    return responsesObjects(itemId, firstSequence);
}, 600);
const responsesEncoder = measure(() => {
    const { responses } = openEncoders();
    return deltas.map((e) => responses.encode(e));
}, 600);
const us = (ns: number): string => (ns / 1000).toFixed(1);
console.log(
    `${deltas.length} text deltas, per stream (both encoders opened in every row):\n` +
        `Messages  object + JSON.stringify ${us(messagesReference)} us | MessageEventEncoder ${us(messagesEncoder)} us | ratio ${(messagesReference / messagesEncoder).toFixed(2)}\n` +
        `Responses object + JSON.stringify ${us(responsesReference)} us | ResponseEventEncoder ${us(responsesEncoder)} us | ratio ${(responsesReference / responsesEncoder).toFixed(2)}`,
);

/**
 * The gateway's per-chunk cost on a Chat Completions stream (not a test): a 64-token answer's router
 * events encoded into `data:` payloads by `ChatChunkEncoder`, which serializes the members every chunk
 * repeats once per stream and only the delta per chunk, against the reference encoding it replaced:
 * a whole `ChatCompletionChunk` object built per event (spreads of the shared members) and then
 * `JSON.stringify`. Both produce the same JSON (checked before timing). Prints ns per stream and the ratio.
 *
 *   node --import tsx bench/micro/gatewayEncode.bench.ts
 */
import { cpus, loadavg } from "node:os";
import type { ChatCompletionChunk } from "openai/resources/chat/completions/completions";
import type { RouterStreamEvent } from "../../src/index.js";
import { ChatChunkEncoder, finishReasonByStopReason } from "../../src/gateway/openai/chatResponse.js";
import { measure } from "./measure.js";

const events: RouterStreamEvent[] = [
    {
        type: "message_start",
        model: "m",
        tier: "t",
        provider: "p",
        model_used: "m",
        routing_reason: "default",
    },
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

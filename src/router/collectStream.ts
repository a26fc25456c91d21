/**
 * Assembles normalized stream events into the answer they describe: what the router caches after a
 * stream ended, and what a caller uses to turn `router.stream()` into a `ChatResponse`.
 */
import { ErrorCode } from "../errors/codes.js";
import { ServiceError } from "../errors/ServiceError.js";
import type {
    CompletionResult,
    MessageEndEvent,
    ProviderStreamEvent,
    TextPart,
    ToolCallPart,
} from "../chat/types.js";
import type { ChatResponse, RouterStreamEvent } from "./types.js";

export class StreamCollector {
    readonly #parts: (TextPart | ToolCallPart)[] = [];
    #model = "";
    #end: MessageEndEvent | undefined;

    push(event: ProviderStreamEvent | RouterStreamEvent): void {
        switch (event.type) {
            case "message_start":
                this.#model = event.model;
                break;
            case "text_delta": {
                const part = this.#parts[event.index];
                if (part?.type === "text") part.text += event.text;
                else this.#parts[event.index] = { type: "text", text: event.text };
                break;
            }
            case "tool_call_start":
                this.#parts[event.index] = {
                    type: "tool_call",
                    id: event.id,
                    name: event.name,
                    arguments: {},
                };
                break;
            case "tool_call_end": {
                const part = this.#parts[event.index];
                if (part?.type === "tool_call") part.arguments = event.arguments;
                break;
            }
            case "tool_call_delta":
            case "native":
                break;
            case "message_end":
                this.#end = event;
                break;
        }
    }

    /** The answer, or undefined until `message_end` was pushed. */
    result(): CompletionResult | undefined {
        const end = this.#end;
        if (!end) return undefined;
        return {
            // Object.values skips the holes a part index never filled.
            content: Object.values(this.#parts),
            stop_reason: end.stop_reason,
            stop_sequence: end.stop_sequence,
            usage: end.usage,
            model: this.#model,
            ...(end.signals && { signals: end.signals }),
        };
    }
}

/** Consumes a router stream into the response `complete()` would have returned (routing included). */
export async function collectStream(events: AsyncIterable<RouterStreamEvent>): Promise<ChatResponse> {
    const collector = new StreamCollector();
    for await (const event of events) {
        collector.push(event);
        if (event.type === "message_end") {
            const result = collector.result()!;
            return { ...result, routing: event.routing };
        }
    }
    throw new ServiceError(ErrorCode.Internal, "stream ended without message_end");
}

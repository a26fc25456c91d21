/**
 * GenerateStream chunks → normalized content events (chat/types.ts ProviderStreamEvent). Content indexes
 * count the answer's parts: a run of text is one part, each tool call another. A call starts with its
 * first delta (id and name), takes argument fragments, and ends on the last chunk with the arguments the
 * server parsed. A call the server did not return on the last chunk (cut short by max_tokens) ends with
 * the arguments streamed so far if they parse, else `{}`; the stop reason (`max_tokens`) says it was cut.
 */
import type { ProviderStreamEvent } from "../../chat/types.js";
import type { GenerateChunk__Output } from "../../grpc/generated/tiercel/v1/GenerateChunk.js";
import { parseArguments } from "./transform.js";

export class StreamEvents {
    #next = 0;
    /** The open text part's index, or undefined after a tool call started. */
    #text: number | undefined;
    /** Content index and streamed arguments per server call index. */
    readonly #calls = new Map<number, { index: number; args: string }>();

    *of(chunk: GenerateChunk__Output): Generator<ProviderStreamEvent> {
        if (chunk.text !== "") {
            this.#text ??= this.#next++;
            yield { type: "text_delta", index: this.#text, text: chunk.text };
        }
        for (const delta of chunk.tool_call_deltas) {
            let call = this.#calls.get(delta.index);
            if (!call) {
                call = { index: this.#next++, args: "" };
                this.#calls.set(delta.index, call);
                this.#text = undefined;
                yield { type: "tool_call_start", index: call.index, id: delta.id, name: delta.name };
            }
            if (delta.arguments_json !== "") {
                call.args += delta.arguments_json;
                yield { type: "tool_call_delta", index: call.index, arguments_delta: delta.arguments_json };
            }
        }
        if (chunk.finish_reason === "FINISH_REASON_UNSPECIFIED") return;
        for (const [i, call] of this.#calls) {
            const final = chunk.tool_calls[i];
            yield {
                type: "tool_call_end",
                index: call.index,
                arguments: argumentsOf(final?.arguments_json ?? call.args),
            };
        }
    }
}

function argumentsOf(json: string): Record<string, unknown> {
    try {
        return parseArguments(json);
    } catch {
        return {};
    }
}

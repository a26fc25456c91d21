/**
 * The router's answers to completion requests → OpenAI (legacy) Completions responses: a
 * `text_completion` object whose `choices[0].text` is the answer (the middle, for fill-in-the-middle),
 * and for streams the same object per text fragment, a finish chunk, then the usage chunk with
 * `choices: []` when asked for.
 */
import type { Completion, CompletionChoice } from "openai/resources/completions";
import type { CompletionResult, RouterStreamEvent, StopReason } from "../../index.js";
import { openaiUsage } from "./openaiUsage.js";

/** A completion has no tool calls; `tool_use` cannot happen and reads as a finished answer. */
const finishReasonByStopReason = {
    end_turn: "stop",
    stop_sequence: "stop",
    max_tokens: "length",
    tool_use: "stop",
    refusal: "content_filter",
} as const satisfies Record<StopReason, CompletionChoice["finish_reason"]>;

export function toCompletion(answer: CompletionResult, id: string, created: number): Completion {
    let text = "";
    for (const part of answer.content) if (part.type === "text") text += part.text;
    return {
        id,
        object: "text_completion",
        created,
        model: answer.model,
        choices: [
            { index: 0, text, logprobs: null, finish_reason: finishReasonByStopReason[answer.stop_reason] },
        ],
        usage: openaiUsage(answer.usage),
    };
}

/**
 * Router stream events → `text_completion` chunks, one `data:` frame each. The finish chunk carries an
 * empty text (the API's streams end that way); its `finish_reason` is the only one that is not null.
 */
export class CompletionChunkEncoder {
    readonly #id: string;
    readonly #created: number;
    readonly #includeUsage: boolean;
    #model = "";

    constructor(id: string, created: number, includeUsage: boolean) {
        this.#id = id;
        this.#created = created;
        this.#includeUsage = includeUsage;
    }

    encode(event: RouterStreamEvent): Completion[] {
        switch (event.type) {
            case "native":
                return []; // another protocol's own events (an Anthropic stream relayed for Messages callers)
            case "message_start":
                this.#model = event.model;
                return [];
            case "text_delta":
                return event.text === "" ? [] : [this.#chunk(event.text, null)];
            case "tool_call_start":
            case "tool_call_delta":
            case "tool_call_end":
                return [];
            case "message_end": {
                const chunks = [this.#chunk("", finishReasonByStopReason[event.stop_reason])];
                if (this.#includeUsage)
                    chunks.push({ ...this.#base(), choices: [], usage: openaiUsage(event.usage) });
                return chunks;
            }
        }
    }

    #base(): Omit<Completion, "choices"> {
        return { id: this.#id, object: "text_completion", created: this.#created, model: this.#model };
    }

    #chunk(text: string, finish: CompletionChoice["finish_reason"] | null): Completion {
        return {
            ...this.#base(),
            // The API sends `finish_reason: null` on every chunk but the last; the SDK's type omits null.
            choices: [
                {
                    index: 0,
                    text,
                    logprobs: null,
                    finish_reason: finish as CompletionChoice["finish_reason"],
                },
            ],
        };
    }
}

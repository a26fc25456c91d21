/**
 * The router's answers → OpenAI Chat Completions responses: a `chat.completion` object for unary calls,
 * and for streams `chat.completion.chunk` objects (role first, content and tool-call fragments keyed by
 * the tool call's own index, a finish chunk, then the usage chunk with `choices: []` when asked for).
 */
import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions/completions";
import type { CompletionResult, RouterStreamEvent, StopReason, Usage } from "../../index.js";

type FinishReason = ChatCompletion.Choice["finish_reason"];

export const finishReasonByStopReason = {
    end_turn: "stop",
    stop_sequence: "stop",
    max_tokens: "length",
    tool_use: "tool_calls",
    refusal: "content_filter",
} as const satisfies Record<StopReason, FinishReason>;

const usageOf = (usage: Usage): NonNullable<ChatCompletion["usage"]> => ({
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    total_tokens: usage.input_tokens + usage.output_tokens,
});

export function toChatCompletion(answer: CompletionResult, id: string, created: number): ChatCompletion {
    let text = "";
    const toolCalls: NonNullable<ChatCompletion.Choice["message"]["tool_calls"]> = [];
    for (const part of answer.content) {
        if (part.type === "text") text += part.text;
        else {
            toolCalls.push({
                id: part.id,
                type: "function",
                function: { name: part.name, arguments: JSON.stringify(part.arguments) },
            });
        }
    }
    return {
        id,
        object: "chat.completion",
        created,
        model: answer.model,
        choices: [
            {
                index: 0,
                message: {
                    role: "assistant",
                    content: text === "" && toolCalls.length > 0 ? null : text,
                    refusal: null,
                    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
                },
                logprobs: null,
                finish_reason: finishReasonByStopReason[answer.stop_reason],
            },
        ],
        usage: usageOf(answer.usage),
    };
}

/**
 * Router stream events → chunks. Returns the chunks one event produces (none for most events' bookkeeping),
 * so the caller writes each as one `data:` frame.
 */
export class ChatChunkEncoder {
    readonly #id: string;
    readonly #created: number;
    readonly #includeUsage: boolean;
    #model = "";
    /** Content index of each tool call → its index among the tool calls (what OpenAI keys fragments by). */
    readonly #toolIndex = new Map<number, number>();

    constructor(id: string, created: number, includeUsage: boolean) {
        this.#id = id;
        this.#created = created;
        this.#includeUsage = includeUsage;
    }

    encode(event: RouterStreamEvent): ChatCompletionChunk[] {
        switch (event.type) {
            case "message_start":
                this.#model = event.model;
                return [this.#chunk({ role: "assistant", content: "", refusal: null })];
            case "text_delta":
                return event.text === "" ? [] : [this.#chunk({ content: event.text })];
            case "tool_call_start": {
                const index = this.#toolIndex.size;
                this.#toolIndex.set(event.index, index);
                return [
                    this.#chunk({
                        tool_calls: [
                            {
                                index,
                                id: event.id,
                                type: "function",
                                function: { name: event.name, arguments: "" },
                            },
                        ],
                    }),
                ];
            }
            case "tool_call_delta": {
                const index = this.#toolIndex.get(event.index) ?? 0;
                return [
                    this.#chunk({ tool_calls: [{ index, function: { arguments: event.arguments_delta } }] }),
                ];
            }
            case "tool_call_end":
                return [];
            case "message_end": {
                const chunks = [this.#chunk({}, finishReasonByStopReason[event.stop_reason])];
                if (this.#includeUsage) {
                    chunks.push({ ...this.#base(), choices: [], usage: usageOf(event.usage) });
                }
                return chunks;
            }
        }
    }

    #base(): Omit<ChatCompletionChunk, "choices"> {
        return { id: this.#id, object: "chat.completion.chunk", created: this.#created, model: this.#model };
    }

    #chunk(delta: ChatCompletionChunk.Choice.Delta, finish: FinishReason | null = null): ChatCompletionChunk {
        return {
            ...this.#base(),
            choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
            ...(this.#includeUsage ? { usage: null } : {}),
        };
    }
}

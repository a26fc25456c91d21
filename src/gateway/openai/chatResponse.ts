/**
 * The router's answers → OpenAI Chat Completions responses: a `chat.completion` object for unary calls,
 * and for streams `chat.completion.chunk` objects (role first, content and tool-call fragments keyed by
 * the tool call's own index, a finish chunk, then the usage chunk with `choices: []` when asked for).
 */
import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions/completions";
import type { CompletionResult, RouterStreamEvent, StopReason } from "../../index.js";
import { openaiUsage } from "./openaiUsage.js";

type FinishReason = ChatCompletion.Choice["finish_reason"];

export const finishReasonByStopReason = {
    end_turn: "stop",
    stop_sequence: "stop",
    max_tokens: "length",
    tool_use: "tool_calls",
    refusal: "content_filter",
} as const satisfies Record<StopReason, FinishReason>;

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
        usage: openaiUsage(answer.usage),
    };
}

/**
 * Router stream events → chunks, each returned already serialized (the `data:` payload of one frame), with
 * none for most events' bookkeeping. The members every chunk repeats (`id`, `object`, `created`,
 * `model`) are serialized once per stream, at `message_start`, and each chunk adds only its delta: a text
 * delta costs one `JSON.stringify` of its text instead of building and serializing a whole
 * `ChatCompletionChunk` (bench/micro/gatewayEncode.bench.ts). Members keep the API's order.
 */
export class ChatChunkEncoder {
    readonly #id: string;
    readonly #created: number;
    readonly #includeUsage: boolean;
    /** `{"id":…,"model":…,` : the members of every chunk, set at `message_start`. */
    #head: string;
    /** Content index of each tool call → its index among the tool calls (what OpenAI keys fragments by). */
    readonly #toolIndex = new Map<number, number>();

    constructor(id: string, created: number, includeUsage: boolean) {
        this.#id = id;
        this.#created = created;
        this.#includeUsage = includeUsage;
        this.#head = this.#headFor("");
    }

    encode(event: RouterStreamEvent): string[] {
        switch (event.type) {
            case "native":
                return []; // another protocol's own events (an Anthropic stream relayed for Messages callers)
            case "message_start":
                this.#head = this.#headFor(event.model);
                return [this.#chunk('{"role":"assistant","content":"","refusal":null}')];
            case "text_delta":
                return event.text === "" ? [] : [this.#chunk(`{"content":${JSON.stringify(event.text)}}`)];
            case "tool_call_start": {
                const index = this.#toolIndex.size;
                this.#toolIndex.set(event.index, index);
                const call = {
                    index,
                    id: event.id,
                    type: "function",
                    function: { name: event.name, arguments: "" },
                } satisfies ChatCompletionChunk.Choice.Delta.ToolCall;
                return [this.#chunk(`{"tool_calls":[${JSON.stringify(call)}]}`)];
            }
            case "tool_call_delta": {
                const call = {
                    index: this.#toolIndex.get(event.index) ?? 0,
                    function: { arguments: event.arguments_delta },
                } satisfies ChatCompletionChunk.Choice.Delta.ToolCall;
                return [this.#chunk(`{"tool_calls":[${JSON.stringify(call)}]}`)];
            }
            case "tool_call_end":
                return [];
            case "message_end": {
                const chunks = [this.#chunk("{}", finishReasonByStopReason[event.stop_reason])];
                if (this.#includeUsage)
                    chunks.push(
                        `${this.#head}"choices":[],"usage":${JSON.stringify(openaiUsage(event.usage))}}`,
                    );
                return chunks;
            }
        }
    }

    #headFor(model: string): string {
        return `{"id":${JSON.stringify(this.#id)},"object":"chat.completion.chunk","created":${this.#created},"model":${JSON.stringify(model)},`;
    }

    /** One chunk with a single choice; `delta` is the delta object's JSON. */
    #chunk(delta: string, finish: FinishReason | null = null): string {
        const usage = this.#includeUsage ? ',"usage":null' : "";
        const finishJson = finish === null ? "null" : `"${finish}"`;
        return `${this.#head}"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finishJson}}]${usage}}`;
    }
}

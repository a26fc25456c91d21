/**
 * A local fake of OpenAI's Chat Completions API (POST /v1/chat/completions) speaking its wire format
 * (and of the Responses API, POST /v1/responses: its replies are in fakeResponsesApi.ts),
 * for driving the official `openai` SDK through `baseURL`: completion JSON, `data:` chunk streams ending
 * in `data: [DONE]` with the usage-only final chunk (`choices: []`) when include_usage is set, tool-call
 * fragments keyed by index, error bodies (`{"error":{message,type,param,code}}`) with 429 + retry-after
 * and 5xx, and an error object inside a stream (anchors/router.md §5.2).
 */
import {
    startFakeHttpServer,
    type FakeHttpServer,
    type RecordedRequest,
    type Reply,
    type SseFrame,
} from "./fakeHttpServer.js";

export type FakeOpenAIServer = FakeHttpServer;

export const fakeOpenAIModel = "gpt-5.1-codex";

let nextId = 1;
const id = (prefix: string): string => `${prefix}-${String(nextId++).padStart(6, "0")}`;

/** `keepRequests`: see FakeHttpServerOptions (benches keep only the last few). */
export function startFakeOpenAIServer({
    keepRequests,
}: { keepRequests?: number } = {}): Promise<FakeOpenAIServer> {
    return startFakeHttpServer({
        keepRequests,
        // Chat Completions frames are `data:` lines only; Responses API frames also name their event.
        formatFrame: (frame) =>
            `${frame.event === null ? "" : `event: ${frame.event}\n`}data: ${typeof frame.data === "string" ? frame.data : JSON.stringify(frame.data)}\n\n`,
        check: (request: RecordedRequest) => {
            if (
                request.method !== "POST" ||
                (request.path !== "/v1/chat/completions" && request.path !== "/v1/responses")
            ) {
                return openaiError(
                    404,
                    "invalid_request_error",
                    null,
                    `Unknown request URL: ${request.method} ${request.path}`,
                );
            }
            const auth = request.headers.authorization;
            if (auth === undefined || !auth.startsWith("Bearer ")) {
                return openaiError(
                    401,
                    "invalid_request_error",
                    "invalid_api_key",
                    "You didn't provide an API key.",
                );
            }
            return undefined;
        },
        unexpected: (request) =>
            openaiError(500, "server_error", null, `fake: no scripted reply for ${request.path}`),
    });
}

export function openaiError(
    status: number,
    type: string,
    code: string | null,
    message: string,
    headers?: Record<string, string>,
): Reply {
    return {
        kind: "json",
        status,
        headers: { "x-request-id": id("req"), ...headers },
        body: { error: { message, type, param: null, code } },
    };
}

export interface OpenAIToolCall {
    id: string;
    name: string;
    /** Argument fragments as streamed. */
    args: readonly string[];
}

export interface OpenAITurn {
    model?: string;
    /** Text deltas (before any tool call). */
    text?: readonly string[];
    toolCalls?: readonly OpenAIToolCall[];
    finishReason: string | null;
    usage?: { prompt: number; completion: number } | null;
}

/** A unary completion body. */
export function openaiCompletion(turn: OpenAITurn): Reply {
    const text = turn.text?.join("") ?? "";
    const toolCalls = turn.toolCalls?.map((call) => ({
        id: call.id,
        type: "function",
        function: { name: call.name, arguments: call.args.join("") },
    }));
    const usage = turn.usage === undefined ? { prompt: 11, completion: 6 } : turn.usage;
    return {
        kind: "json",
        status: 200,
        headers: { "x-request-id": id("req") },
        body: {
            id: id("chatcmpl"),
            object: "chat.completion",
            created: 1_763_000_000,
            model: turn.model ?? fakeOpenAIModel,
            choices: [
                {
                    index: 0,
                    message: {
                        role: "assistant",
                        content: text === "" ? null : text,
                        refusal: null,
                        annotations: [],
                        ...(toolCalls ? { tool_calls: toolCalls } : {}),
                    },
                    logprobs: null,
                    finish_reason: turn.finishReason,
                },
            ],
            usage:
                usage === null
                    ? undefined
                    : {
                          prompt_tokens: usage.prompt,
                          completion_tokens: usage.completion,
                          total_tokens: usage.prompt + usage.completion,
                      },
            service_tier: "default",
            system_fingerprint: "fp_fake",
        },
    };
}

/** The chunk stream of a turn, as the API sends it with `stream_options.include_usage`. */
export function openaiFrames(turn: OpenAITurn, options: { done?: boolean } = {}): SseFrame[] {
    const chunkId = id("chatcmpl");
    const model = turn.model ?? fakeOpenAIModel;
    const chunk = (choices: unknown[], usage: unknown = null): SseFrame => ({
        event: null,
        data: {
            id: chunkId,
            object: "chat.completion.chunk",
            created: 1_763_000_000,
            model,
            system_fingerprint: "fp_fake",
            choices,
            usage,
        },
    });
    const delta = (d: Record<string, unknown>, finish: string | null = null): SseFrame =>
        chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);
    const frames: SseFrame[] = [delta({ role: "assistant", content: "", refusal: null })];
    for (const text of turn.text ?? []) frames.push(delta({ content: text }));
    (turn.toolCalls ?? []).forEach((call, index) => {
        frames.push(
            delta({
                tool_calls: [
                    { index, id: call.id, type: "function", function: { name: call.name, arguments: "" } },
                ],
            }),
        );
        for (const args of call.args)
            frames.push(delta({ tool_calls: [{ index, function: { arguments: args } }] }));
    });
    frames.push(delta({}, turn.finishReason));
    const usage = turn.usage === undefined ? { prompt: 11, completion: 6 } : turn.usage;
    if (usage !== null) {
        frames.push(
            chunk([], {
                prompt_tokens: usage.prompt,
                completion_tokens: usage.completion,
                total_tokens: usage.prompt + usage.completion,
            }),
        );
    }
    if (options.done !== false) frames.push({ event: null, data: "[DONE]" });
    return frames;
}

export function openaiStream(turn: OpenAITurn, headers?: Record<string, string>): Reply {
    return { kind: "sse", frames: openaiFrames(turn), headers: { "x-request-id": id("req"), ...headers } };
}

/** An error object inside a stream (the API's way of failing after the 200). */
export function openaiErrorFrame(type: string, code: string | null, message: string): SseFrame {
    return { event: null, data: { error: { message, type, param: null, code } } };
}

export function lastOpenAIBody(server: FakeOpenAIServer): Record<string, unknown> {
    const body = server.requests.at(-1)?.body;
    if (typeof body !== "object" || body === null) throw new Error("no request body recorded");
    return body as Record<string, unknown>;
}

/**
 * A local fake of Anthropic's Messages API (POST /v1/messages) speaking its wire format, for driving the
 * official @anthropic-ai/sdk through `baseURL`: message JSON, the SSE event sequence (message_start,
 * content_block_start/delta/stop, ping, message_delta, message_stop, mid-stream `error`), and error
 * bodies (`{"type":"error","error":{"type":...,"message":...}}`) with the statuses the API uses
 * (429 + retry-after, 529 overloaded, 5xx). Shapes follow the streaming docs (anchors/router.md §5.1).
 */
import {
    startFakeHttpServer,
    type FakeHttpServer,
    type RecordedRequest,
    type Reply,
    type SseFrame,
} from "./fakeHttpServer.js";

export type FakeAnthropicServer = FakeHttpServer;

export const fakeAnthropicModel = "claude-sonnet-5-5";

let nextId = 1;
const id = (prefix: string): string => `${prefix}_${String(nextId++).padStart(6, "0")}`;

/** `keepRequests`: see FakeHttpServerOptions (benches keep only the last few). */
export function startFakeAnthropicServer({
    keepRequests,
}: { keepRequests?: number } = {}): Promise<FakeAnthropicServer> {
    return startFakeHttpServer({
        keepRequests,
        formatFrame: (frame) =>
            `${frame.event === null ? "" : `event: ${frame.event}\n`}data: ${typeof frame.data === "string" ? frame.data : JSON.stringify(frame.data)}\n\n`,
        check: (request: RecordedRequest) => {
            if (request.method !== "POST" || !request.path.startsWith("/v1/messages")) {
                return anthropicError(404, "not_found_error", `no route ${request.method} ${request.path}`);
            }
            if (request.headers.authorization === undefined && request.headers["x-api-key"] === undefined) {
                return anthropicError(401, "authentication_error", "missing credentials");
            }
            if (request.headers["anthropic-version"] === undefined) {
                return anthropicError(400, "invalid_request_error", "anthropic-version header is required");
            }
            return undefined;
        },
        unexpected: (request) =>
            anthropicError(500, "api_error", `fake: no scripted reply for request ${request.path}`),
    });
}

/** An error response in Anthropic's envelope. */
export function anthropicError(
    status: number,
    type: string,
    message: string,
    headers?: Record<string, string>,
): Reply {
    return {
        kind: "json",
        status,
        headers: { "request-id": id("req"), ...headers },
        body: { type: "error", error: { type, message }, request_id: id("req") },
    };
}

export type AnthropicBlock =
    | { type: "text"; deltas: readonly string[] }
    /** Extended thinking: its text in deltas, then the signature that lets a later turn send it back. */
    | { type: "thinking"; deltas: readonly string[]; signature: string }
    | {
          type: "tool_use";
          id: string;
          name: string;
          /** input_json_delta fragments, concatenated by the client. */
          json: readonly string[];
          /** `input` sent in content_block_start (normally `{}`). */
          startInput?: Record<string, unknown>;
      };

export interface AnthropicTurn {
    model?: string;
    blocks: readonly AnthropicBlock[];
    stopReason: string | null;
    stopSequence?: string | null;
    usage?: { input: number; output: number; cacheRead?: number; cacheCreation?: number };
}

function usageBody(input: number, output: number, usage?: AnthropicTurn["usage"]): Record<string, unknown> {
    return {
        input_tokens: input,
        output_tokens: output,
        cache_creation_input_tokens: usage?.cacheCreation ?? 0,
        cache_read_input_tokens: usage?.cacheRead ?? 0,
        cache_creation: null,
        server_tool_use: null,
        service_tier: "standard",
        inference_geo: null,
        output_tokens_details: null,
        speed: null,
    };
}

/** A unary Messages response body. */
export function anthropicMessage(turn: AnthropicTurn): Reply {
    const content = turn.blocks.map((block) =>
        block.type === "text"
            ? { type: "text", text: block.deltas.join(""), citations: null }
            : block.type === "thinking"
              ? { type: "thinking", thinking: block.deltas.join(""), signature: block.signature }
              : {
                    type: "tool_use",
                    id: block.id,
                    name: block.name,
                    input:
                        block.json.length > 0
                            ? (JSON.parse(block.json.join("")) as unknown)
                            : (block.startInput ?? {}),
                    caller: { type: "direct" },
                },
    );
    return {
        kind: "json",
        status: 200,
        headers: { "request-id": id("req") },
        body: {
            id: id("msg"),
            type: "message",
            role: "assistant",
            model: turn.model ?? fakeAnthropicModel,
            content,
            stop_reason: turn.stopReason,
            stop_sequence: turn.stopSequence ?? null,
            stop_details: null,
            container: null,
            diagnostics: null,
            usage: usageBody(turn.usage?.input ?? 12, turn.usage?.output ?? 7, turn.usage),
        },
    };
}

/** The SSE frames of a streamed turn, exactly in the API's order (with a ping after the first block start). */
export function anthropicFrames(turn: AnthropicTurn): SseFrame[] {
    const frames: SseFrame[] = [];
    const push = (event: string, data: Record<string, unknown>): void => {
        frames.push({ event, data: { type: event, ...data } });
    };
    push("message_start", {
        message: {
            id: id("msg"),
            type: "message",
            role: "assistant",
            model: turn.model ?? fakeAnthropicModel,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            stop_details: null,
            container: null,
            diagnostics: null,
            usage: usageBody(turn.usage?.input ?? 12, 1, turn.usage),
        },
    });
    turn.blocks.forEach((block, index) => {
        if (block.type === "text") {
            push("content_block_start", {
                index,
                content_block: { type: "text", text: "", citations: null },
            });
            if (index === 0) frames.push({ event: "ping", data: { type: "ping" } });
            for (const text of block.deltas)
                push("content_block_delta", { index, delta: { type: "text_delta", text } });
        } else if (block.type === "thinking") {
            push("content_block_start", {
                index,
                content_block: { type: "thinking", thinking: "", signature: "" },
            });
            if (index === 0) frames.push({ event: "ping", data: { type: "ping" } });
            for (const thinking of block.deltas)
                push("content_block_delta", { index, delta: { type: "thinking_delta", thinking } });
            push("content_block_delta", {
                index,
                delta: { type: "signature_delta", signature: block.signature },
            });
        } else {
            push("content_block_start", {
                index,
                content_block: {
                    type: "tool_use",
                    id: block.id,
                    name: block.name,
                    input: block.startInput ?? {},
                    caller: { type: "direct" },
                },
            });
            if (index === 0) frames.push({ event: "ping", data: { type: "ping" } });
            for (const partial_json of block.json) {
                push("content_block_delta", { index, delta: { type: "input_json_delta", partial_json } });
            }
        }
        push("content_block_stop", { index });
    });
    push("message_delta", {
        delta: {
            stop_reason: turn.stopReason,
            stop_sequence: turn.stopSequence ?? null,
            stop_details: null,
            container: null,
        },
        usage: {
            output_tokens: turn.usage?.output ?? 7,
            input_tokens: null,
            cache_creation_input_tokens: null,
            cache_read_input_tokens: null,
            output_tokens_details: null,
            server_tool_use: null,
        },
    });
    push("message_stop", {});
    return frames;
}

export function anthropicStream(turn: AnthropicTurn, headers?: Record<string, string>): Reply {
    return { kind: "sse", frames: anthropicFrames(turn), headers: { "request-id": id("req"), ...headers } };
}

/** A text-only turn. */
export function anthropicText(text: string, options: Partial<AnthropicTurn> = {}): AnthropicTurn {
    return { blocks: [{ type: "text", deltas: splitText(text) }], stopReason: "end_turn", ...options };
}

/** Splits text into a few deltas, as the API streams it. */
export function splitText(text: string, size = 4): string[] {
    const parts: string[] = [];
    for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
    return parts.length > 0 ? parts : [""];
}

/** A mid-stream `error` event (e.g. overloaded_error, what a 529 is inside a stream). */
export function anthropicErrorFrame(type: string, message: string): SseFrame {
    return { event: "error", data: { type: "error", error: { type, message } } };
}

/** The body of the last request the fake received. */
export function lastAnthropicBody(server: FakeAnthropicServer): Record<string, unknown> {
    const body = server.requests.at(-1)?.body;
    if (typeof body !== "object" || body === null) throw new Error("no request body recorded");
    return body as Record<string, unknown>;
}

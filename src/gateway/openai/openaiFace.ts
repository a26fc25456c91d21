/**
 * OpenAI's error shape: `{"error": {"message", "type", "param", "code"}}` with the API's statuses; inside
 * a stream, the same object as a `data:` frame (what the API sends when it fails after the 200).
 */
import type { ErrorKind, GatewayError } from "../GatewayError.js";
import type { SseWriter } from "../SseWriter.js";
import type { Face } from "../types.js";

const byKind = {
    invalid_request: { status: 400, type: "invalid_request_error", code: null },
    authentication: { status: 401, type: "invalid_request_error", code: "invalid_api_key" },
    not_found: { status: 404, type: "invalid_request_error", code: null },
    request_too_large: { status: 413, type: "invalid_request_error", code: "request_too_large" },
    rate_limit: { status: 429, type: "rate_limit_error", code: "rate_limit_exceeded" },
    api_error: { status: 500, type: "server_error", code: null },
    overloaded: { status: 503, type: "server_error", code: "overloaded" },
    timeout: { status: 504, type: "server_error", code: "timeout" },
} as const satisfies Record<ErrorKind, { status: number; type: string; code: string | null }>;

/** OpenAI's error body for `error`. */
export function openaiErrorBody(error: GatewayError): {
    error: { message: string; type: string; param: null; code: string | null };
} {
    const { type, code } = byKind[error.kind];
    const overflow = error.contextOverflow;
    if (overflow === undefined) {
        // As OpenAI words it: Codex CLI reads the wait from a failed stream's message, not a header.
        const wait = error.retryAfterSeconds;
        const message =
            error.kind === "rate_limit" && wait !== undefined
                ? `${error.message}. Please try again in ${wait}s.`
                : error.message;
        return { error: { message, type, param: null, code } };
    }
    // OpenAI's code (Codex CLI compacts on it) and wording, with the sizes where known.
    const { promptTokens, contextTokens } = overflow;
    const message =
        promptTokens === undefined || contextTokens === undefined
            ? error.message
            : `This model's maximum context length is ${contextTokens} tokens. However, your messages resulted in ${promptTokens} tokens. (${error.message})`;
    return { error: { message, type, param: null, code: "context_length_exceeded" } };
}

export const openaiFace: Face = {
    protocol: "openai",
    error: (error) => ({ status: byKind[error.kind].status, body: openaiErrorBody(error) }),
    streamError: (sse: SseWriter, error) => sse.write(openaiErrorBody(error)),
};

/**
 * Anthropic's error shape: `{"type": "error", "error": {"type", "message"}}` with the API's statuses
 * (529 for overload); inside a stream, an `error` event with the same body.
 */
import type { ErrorKind, GatewayError } from "../GatewayError.js";
import type { SseWriter } from "../SseWriter.js";
import type { Face } from "../types.js";

const byKind = {
    invalid_request: { status: 400, type: "invalid_request_error" },
    authentication: { status: 401, type: "authentication_error" },
    not_found: { status: 404, type: "not_found_error" },
    request_too_large: { status: 413, type: "request_too_large" },
    rate_limit: { status: 429, type: "rate_limit_error" },
    api_error: { status: 500, type: "api_error" },
    overloaded: { status: 529, type: "overloaded_error" },
    timeout: { status: 504, type: "timeout_error" },
} as const satisfies Record<ErrorKind, { status: number; type: string }>;

function body(error: GatewayError): { type: "error"; error: { type: string; message: string } } {
    return { type: "error", error: { type: byKind[error.kind].type, message: messageOf(error) } };
}

/**
 * The message; a context overflow with its sizes starts as Anthropic words it, on which Claude Code
 * compacts the conversation (errors/contextOverflow.ts).
 */
function messageOf(error: GatewayError): string {
    const sizes = error.contextOverflow;
    if (sizes?.promptTokens === undefined || sizes.contextTokens === undefined) return error.message;
    return `prompt is too long: ${sizes.promptTokens} tokens > ${sizes.contextTokens} maximum (${error.message})`;
}

export const anthropicFace: Face = {
    protocol: "anthropic",
    error: (error) => ({ status: byKind[error.kind].status, body: body(error) }),
    streamError: (sse: SseWriter, error) => sse.write(body(error), "error"),
};

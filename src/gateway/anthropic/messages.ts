/**
 * `POST /v1/messages` (unary JSON, or the SSE event sequence) and `POST /v1/messages/count_tokens`.
 * Claude Code sends `?beta=true` and `anthropic-beta`; both are accepted (the path is matched without
 * the query). Token counts come from the target the router would send the request to first, with its
 * own tokenizer (router/countInputTokens.ts; Anthropic is sent the caller's own count body, with only the
 * model its target's); where it cannot count, the router's estimate (characters /
 * 4), and the `x-tiercel-token-count` header says which (`exact; counted_by=<provider>/<model>` or
 * `estimate; reason=...`).
 *
 * Same-protocol pass-through: the body travels with the normalized request (ChatRequest.native), so when
 * Anthropic answers it is sent as the caller wrote it (cache_control, thinking, metadata, betas) and its
 * answer comes back as Anthropic wrote it; another tier answers from the normalized request, and the
 * fields it could not take are named in `x-tiercel-ignored`.
 */
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { MessageTokensCount } from "@anthropic-ai/sdk/resources/messages/messages";
import type { ChatRequest } from "../../index.js";
import { completeRouted } from "../completeRouted.js";
import { forwardRouterStream } from "../forwardRouterStream.js";
import { ignoredHeader, ignoredHeaderValue } from "../ignoredFields.js";
import { readJsonBody } from "../readJsonBody.js";
import { requestHints } from "../requestHints.js";
import { routeHeaderName, routeOf } from "../routeHeader.js";
import type { Handler } from "../types.js";
import { anthropicFace } from "./anthropicFace.js";
import { fromMessageParams } from "./messagesRequest.js";
import { MessageEventEncoder, toMessage } from "./messagesResponse.js";

export const createMessage: Handler = async (context, exchange) => {
    const body = await readJsonBody(exchange.req, context.maxBodyBytes);
    const parsed = fromMessageParams(body, { requireMaxTokens: true });
    const request: ChatRequest = {
        ...parsed.request,
        hints: requestHints(exchange.req.headers, context.models.resolve(parsed.model), exchange.keyId),
        native: {
            protocol: "anthropic-messages",
            body,
            headers: anthropicHeaders(exchange.req.headers),
            extras: parsed.ignored,
            ...(parsed.only === undefined ? {} : { only: parsed.only }),
        },
    };
    if (parsed.ignored.length > 0) exchange.headers[ignoredHeader] = ignoredHeaderValue(parsed.ignored);
    const id = `msg_${randomUUID().replaceAll("-", "")}`;
    if (!parsed.stream) {
        const answer = await completeRouted(context, exchange, request);
        exchange.headers[routeHeaderName] = routeOf(answer.routing);
        exchange.res.writeHead(200, { ...exchange.headers, "content-type": "application/json" });
        // Anthropic's own message where it answered (thinking blocks, cache usage and all), else ours.
        const own = answer.native?.protocol === "anthropic-messages" ? answer.native.body : undefined;
        exchange.res.end(JSON.stringify(own ?? toMessage(answer, id)));
        return;
    }
    const encoder = new MessageEventEncoder(id);
    await forwardRouterStream(context, exchange, request, {
        encode: (event) => encoder.encode(event),
        write: (sse, frame) => sse.write(frame.data, frame.event),
        error: (sse, error) => anthropicFace.streamError(sse, error),
    });
};

/** The caller's Anthropic protocol headers (sent on with its body when Anthropic answers). */
function anthropicHeaders(headers: IncomingHttpHeaders): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of ["anthropic-beta", "anthropic-version"]) {
        const value = headers[name];
        if (value !== undefined) out[name] = Array.isArray(value) ? value.join(",") : value;
    }
    return out;
}

export const countTokens: Handler = async (context, exchange) => {
    const body = await readJsonBody(exchange.req, context.maxBodyBytes);
    const parsed = fromMessageParams(body, { requireMaxTokens: false });
    // Anthropic counts the caller's own body (what it bills: earlier turns' thinking blocks, the billing
    // block, cache_control), as it would answer it; the local tier counts the normalized prompt it serves.
    const request: ChatRequest = {
        ...parsed.request,
        hints: requestHints(exchange.req.headers, context.models.resolve(parsed.model), exchange.keyId),
        native: {
            protocol: "anthropic-messages",
            body,
            headers: anthropicHeaders(exchange.req.headers),
            extras: parsed.ignored,
            ...(parsed.only === undefined ? {} : { only: parsed.only }),
        },
    };
    const count = await context.router.countTokens(request, { signal: exchange.signal });
    exchange.headers[tokenCountHeader] = count.exact
        ? `exact; counted_by=${count.counted_by}`
        : `estimate; reason=${count.estimate_reason}`;
    const answer: MessageTokensCount = { input_tokens: count.input_tokens };
    exchange.res.writeHead(200, { ...exchange.headers, "content-type": "application/json" });
    exchange.res.end(JSON.stringify(answer));
};

/** Whether a count_tokens answer is the answering target's own count or the router's estimate. */
export const tokenCountHeader = "x-tiercel-token-count";

/**
 * `POST /v1/messages` (unary JSON, or the SSE event sequence) and `POST /v1/messages/count_tokens`.
 * Claude Code sends `?beta=true` and `anthropic-beta`; both are accepted (the path is matched without
 * the query). Token counts come from the target the router would send the request to first, with its
 * own tokenizer (router/countInputTokens.ts); where it cannot count, the router's estimate (characters /
 * 4), and the `x-tiercel-token-count` header says which (`exact; counted_by=<provider>/<model>` or
 * `estimate; reason=...`).
 */
import { randomUUID } from "node:crypto";
import type { MessageTokensCount } from "@anthropic-ai/sdk/resources/messages/messages";
import { completeRouted } from "../completeRouted.js";
import { forwardRouterStream } from "../forwardRouterStream.js";
import { ignoredHeader } from "../ignoredFields.js";
import { readJsonBody } from "../readJsonBody.js";
import { requestHints } from "../requestHints.js";
import { routeHeaderName, routeOf } from "../routeHeader.js";
import type { Handler } from "../types.js";
import { anthropicFace } from "./anthropicFace.js";
import { fromMessageParams } from "./messagesRequest.js";
import { MessageEventEncoder, toMessage } from "./messagesResponse.js";

export const createMessage: Handler = async (context, exchange) => {
    const parsed = fromMessageParams(await readJsonBody(exchange.req, context.maxBodyBytes), {
        requireMaxTokens: true,
    });
    const request = {
        ...parsed.request,
        hints: requestHints(exchange.req.headers, context.models.resolve(parsed.model), exchange.keyId),
    };
    if (parsed.ignored.length > 0) exchange.headers[ignoredHeader] = parsed.ignored.join(", ");
    const id = `msg_${randomUUID().replaceAll("-", "")}`;
    if (!parsed.stream) {
        const answer = await completeRouted(context, exchange, request);
        exchange.headers[routeHeaderName] = routeOf(answer.routing);
        exchange.res.writeHead(200, { ...exchange.headers, "content-type": "application/json" });
        exchange.res.end(JSON.stringify(toMessage(answer, id)));
        return;
    }
    const encoder = new MessageEventEncoder(id);
    await forwardRouterStream(context, exchange, request, {
        encode: (event) => encoder.encode(event),
        write: (sse, frame) => sse.write(frame.data, frame.event),
        error: (sse, error) => anthropicFace.streamError(sse, error),
    });
};

export const countTokens: Handler = async (context, exchange) => {
    const parsed = fromMessageParams(await readJsonBody(exchange.req, context.maxBodyBytes), {
        requireMaxTokens: false,
    });
    const request = {
        ...parsed.request,
        hints: requestHints(exchange.req.headers, context.models.resolve(parsed.model), exchange.keyId),
    };
    const count = await context.router.countTokens(request, { signal: exchange.signal });
    exchange.headers[tokenCountHeader] = count.exact
        ? `exact; counted_by=${count.counted_by}`
        : `estimate; reason=${count.estimate_reason}`;
    const body: MessageTokensCount = { input_tokens: count.input_tokens };
    exchange.res.writeHead(200, { ...exchange.headers, "content-type": "application/json" });
    exchange.res.end(JSON.stringify(body));
};

/** Whether a count_tokens answer is the answering target's own count or the router's estimate. */
export const tokenCountHeader = "x-tiercel-token-count";

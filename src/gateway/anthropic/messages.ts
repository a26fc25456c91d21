/**
 * `POST /v1/messages` (unary JSON, or the SSE event sequence) and `POST /v1/messages/count_tokens`.
 * Claude Code sends `?beta=true` and `anthropic-beta`; both are accepted (the path is matched without
 * the query). Token counts are the router's estimate (characters / 4, the ratio its rules use), not a
 * tokenizer's: no single tokenizer is right for every tier a request may go to.
 */
import { randomUUID } from "node:crypto";
import type { MessageTokensCount } from "@anthropic-ai/sdk/resources/messages/messages";
import { completeRouted } from "../completeRouted.js";
import type { ChatRequest } from "../../index.js";
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
        write: (sse, frame) => sse.write(frame, frame.type),
        error: (sse, error) => anthropicFace.streamError(sse, error),
    });
};

export const countTokens: Handler = async (context, exchange) => {
    const parsed = fromMessageParams(await readJsonBody(exchange.req, context.maxBodyBytes), {
        requireMaxTokens: false,
    });
    context.models.resolve(parsed.model);
    const body: MessageTokensCount = { input_tokens: estimateTokens(parsed.request) };
    exchange.res.writeHead(200, { ...exchange.headers, "content-type": "application/json" });
    exchange.res.end(JSON.stringify(body));
};

const charsPerToken = 4;

function estimateTokens(request: ChatRequest): number {
    let chars = request.system?.length ?? 0;
    for (const message of request.messages) {
        if (typeof message.content === "string") chars += message.content.length;
        else {
            for (const part of message.content) {
                chars +=
                    part.type === "text"
                        ? part.text.length
                        : part.type === "tool_result"
                          ? part.content.length
                          : JSON.stringify(part.arguments).length;
            }
        }
    }
    for (const tool of request.tools ?? [])
        chars +=
            tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.input_schema).length;
    return Math.ceil(chars / charsPerToken);
}

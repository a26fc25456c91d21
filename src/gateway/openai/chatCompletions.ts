/**
 * `POST /v1/chat/completions`: unary JSON, or SSE chunks ending in `data: [DONE]`. The body travels with
 * the normalized request (ChatRequest.native): OpenAI is sent it as the caller wrote it, other tiers the
 * normalized request (what they could not take is named in `x-tiercel-ignored`).
 */
import { randomUUID } from "node:crypto";
import type { ChatRequest } from "../../index.js";
import { completeRouted } from "../completeRouted.js";
import { ignoredHeader, ignoredHeaderValue } from "../ignoredFields.js";
import { readJsonBody } from "../readJsonBody.js";
import { requestHints } from "../requestHints.js";
import { forwardRouterStream } from "../forwardRouterStream.js";
import { routeHeaderName, routeOf } from "../routeHeader.js";
import type { Handler } from "../types.js";
import { ChatChunkEncoder, toChatCompletion } from "./chatResponse.js";
import { fromChatCompletionParams } from "./chatRequest.js";
import { openaiFace } from "./openaiFace.js";

export const chatCompletions: Handler = async (context, exchange) => {
    const body = await readJsonBody(exchange.req, context.maxBodyBytes);
    const parsed = fromChatCompletionParams(body);
    const request: ChatRequest = {
        ...parsed.request,
        hints: requestHints(exchange.req.headers, context.models.resolve(parsed.model), exchange.keyId),
        native: {
            protocol: "openai-chat",
            body,
            extras: parsed.ignored,
            ...(parsed.only === undefined ? {} : { only: parsed.only }),
        },
    };
    if (parsed.ignored.length > 0) exchange.headers[ignoredHeader] = ignoredHeaderValue(parsed.ignored);
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    if (!parsed.stream) {
        const answer = await completeRouted(context, exchange, request);
        exchange.headers[routeHeaderName] = routeOf(answer.routing);
        exchange.res.writeHead(200, { ...exchange.headers, "content-type": "application/json" });
        // OpenAI's own completion where it answered, else ours.
        const own = answer.native?.protocol === "openai-chat" ? answer.native.body : undefined;
        exchange.res.end(JSON.stringify(own ?? toChatCompletion(answer, id, created)));
        return;
    }
    const encoder = new ChatChunkEncoder(id, created, parsed.includeUsage);
    await forwardRouterStream(context, exchange, request, {
        encode: (event) => encoder.encode(event),
        write: (sse, chunk) => sse.write(chunk),
        // The SDKs raise the error object as an APIError; no `[DONE]` follows it (as from the API).
        error: (sse, error) => openaiFace.streamError(sse, error),
        done: (sse) => sse.write("[DONE]"),
    });
};

/** `POST /v1/chat/completions`: unary JSON, or SSE chunks ending in `data: [DONE]`. */
import { randomUUID } from "node:crypto";
import { ignoredHeader } from "../ignoredFields.js";
import { readJsonBody } from "../readJsonBody.js";
import { requestHints } from "../requestHints.js";
import { routeHeaderName, routeOf, streamRouteOf } from "../routeHeader.js";
import { SseWriter } from "../SseWriter.js";
import { toGatewayError } from "../GatewayError.js";
import type { Handler } from "../types.js";
import { ChatChunkEncoder, toChatCompletion } from "./chatResponse.js";
import { fromChatCompletionParams } from "./chatRequest.js";
import { openaiFace } from "./openaiFace.js";

export const chatCompletions: Handler = async (context, exchange) => {
    const parsed = fromChatCompletionParams(await readJsonBody(exchange.req, context.maxBodyBytes));
    const request = {
        ...parsed.request,
        hints: requestHints(exchange.req.headers, context.models.resolve(parsed.model)),
    };
    if (parsed.ignored.length > 0) exchange.headers[ignoredHeader] = parsed.ignored.join(", ");
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    if (!parsed.stream) {
        const answer = await context.router.complete(request, { signal: exchange.signal });
        exchange.headers[routeHeaderName] = routeOf(answer.routing);
        exchange.res.writeHead(200, { ...exchange.headers, "content-type": "application/json" });
        exchange.res.end(JSON.stringify(toChatCompletion(answer, id, created)));
        return;
    }
    const sse = new SseWriter(exchange.res);
    const encoder = new ChatChunkEncoder(id, created, parsed.includeUsage);
    try {
        for await (const event of context.router.stream(request, { signal: exchange.signal })) {
            if (event.type === "message_start") {
                exchange.headers[routeHeaderName] = await streamRouteOf(context.router, request, event);
                sse.open(exchange.headers);
            }
            for (const chunk of encoder.encode(event)) await sse.write(chunk);
        }
    } catch (error) {
        if (!sse.opened) throw error;
        // The SDKs raise the error object as an APIError; no `[DONE]` follows it (as from the API).
        await openaiFace.streamError(sse, toGatewayError(error));
        sse.end();
        return;
    }
    await sse.write("[DONE]");
    sse.end();
};

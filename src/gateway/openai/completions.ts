/**
 * `POST /v1/completions` (OpenAI's legacy Completions, as editors use it for autocomplete): unary JSON,
 * or SSE `text_completion` chunks ending in `data: [DONE]`. The request's hints say `task_type:
 * "completion"`, so routing rules can match editor traffic.
 */
import { randomUUID } from "node:crypto";
import { completeRouted } from "../completeRouted.js";
import { ignoredHeader, ignoredHeaderValue } from "../ignoredFields.js";
import { readJsonBody } from "../readJsonBody.js";
import { requestHints } from "../requestHints.js";
import { forwardRouterStream } from "../forwardRouterStream.js";
import { routeHeaderName, routeOf } from "../routeHeader.js";
import type { Handler } from "../types.js";
import { CompletionChunkEncoder, toCompletion } from "./completionResponse.js";
import { fromCompletionParams } from "./completionRequest.js";
import { openaiFace } from "./openaiFace.js";

export const completions: Handler = async (context, exchange) => {
    const parsed = fromCompletionParams(await readJsonBody(exchange.req, context.maxBodyBytes));
    const hints = requestHints(exchange.req.headers, context.models.resolve(parsed.model), exchange.keyId);
    const request = { ...parsed.request, hints: { task_type: "completion", ...hints } };
    if (parsed.ignored.length > 0) exchange.headers[ignoredHeader] = ignoredHeaderValue(parsed.ignored);
    const id = `cmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    if (!parsed.stream) {
        const answer = await completeRouted(context, exchange, request);
        exchange.headers[routeHeaderName] = routeOf(answer.routing);
        exchange.res.writeHead(200, { ...exchange.headers, "content-type": "application/json" });
        exchange.res.end(JSON.stringify(toCompletion(answer, id, created)));
        return;
    }
    const encoder = new CompletionChunkEncoder(id, created, parsed.includeUsage);
    await forwardRouterStream(context, exchange, request, {
        encode: (event) => encoder.encode(event),
        write: (sse, chunk) => sse.write(chunk),
        error: (sse, error) => openaiFace.streamError(sse, error),
        done: (sse) => sse.write("[DONE]"),
    });
};

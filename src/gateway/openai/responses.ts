/**
 * `POST /v1/responses` as Codex CLI uses it: unary JSON, or the Responses SSE event sequence (each frame
 * named by its `event:` line, as the API sends it). A failure after the stream opened is an `error` event.
 */
import { randomUUID } from "node:crypto";
import type { ResponseErrorEvent } from "openai/resources/responses/responses";
import { completeRouted } from "../completeRouted.js";
import { forwardRouterStream } from "../forwardRouterStream.js";
import { ignoredHeader } from "../ignoredFields.js";
import { readJsonBody } from "../readJsonBody.js";
import { requestHints } from "../requestHints.js";
import { routeHeaderName, routeOf } from "../routeHeader.js";
import type { Handler } from "../types.js";
import { openaiErrorBody } from "./openaiFace.js";
import { fromResponsesParams } from "./responsesRequest.js";
import { ResponseEventEncoder, toResponse } from "./responsesResponse.js";

export const createResponse: Handler = async (context, exchange) => {
    const parsed = fromResponsesParams(await readJsonBody(exchange.req, context.maxBodyBytes));
    const request = {
        ...parsed.request,
        hints: requestHints(exchange.req.headers, context.models.resolve(parsed.model), exchange.keyId),
    };
    if (parsed.ignored.length > 0) exchange.headers[ignoredHeader] = parsed.ignored.join(", ");
    const id = `resp_${randomUUID().replaceAll("-", "")}`;
    const created = Math.floor(Date.now() / 1000);
    if (!parsed.stream) {
        const answer = await completeRouted(context, exchange, request);
        exchange.headers[routeHeaderName] = routeOf(answer.routing);
        exchange.res.writeHead(200, { ...exchange.headers, "content-type": "application/json" });
        exchange.res.end(JSON.stringify(toResponse(answer, id, created)));
        return;
    }
    const encoder = new ResponseEventEncoder(id, created);
    await forwardRouterStream(context, exchange, request, {
        encode: (event) => encoder.encode(event),
        write: (sse, frame) => sse.write(frame.data, frame.event),
        error: (sse, error) => {
            const { error: body } = openaiErrorBody(error);
            const frame: ResponseErrorEvent = {
                type: "error",
                code: body.code,
                message: body.message,
                param: null,
                sequence_number: encoder.nextSequence(),
            };
            return sse.write(frame, "error");
        },
    });
};

/**
 * `POST /v1/responses` as Codex CLI uses it: unary JSON, or the Responses SSE event sequence (each frame
 * named by its `event:` line, as the API sends it). A failure after the stream opened is an `error` event.
 * The body travels with the normalized request (ChatRequest.native): an OpenAI provider on the Responses
 * wire is sent it as the caller wrote it and its answer comes back as OpenAI wrote it (events relayed);
 * other tiers answer from the normalized request, and `x-tiercel-ignored` names what they could not take.
 */
import { randomUUID } from "node:crypto";
import type { ResponseErrorEvent } from "openai/resources/responses/responses";
import type { ChatRequest } from "../../index.js";
import { completeRouted } from "../completeRouted.js";
import { forwardRouterStream } from "../forwardRouterStream.js";
import { ignoredHeader, ignoredHeaderValue } from "../ignoredFields.js";
import { readJsonBody } from "../readJsonBody.js";
import { requestHints } from "../requestHints.js";
import { routeHeaderName, routeOf } from "../routeHeader.js";
import type { Handler } from "../types.js";
import { openaiErrorBody } from "./openaiFace.js";
import { fromResponsesParams } from "./responsesRequest.js";
import { ResponseEventEncoder, toResponse } from "./responsesResponse.js";

export const createResponse: Handler = async (context, exchange) => {
    const body = await readJsonBody(exchange.req, context.maxBodyBytes);
    const parsed = fromResponsesParams(body);
    const request: ChatRequest = {
        ...parsed.request,
        hints: requestHints(exchange.req.headers, context.models.resolve(parsed.model), exchange.keyId),
        native: {
            protocol: "openai-responses",
            body,
            extras: parsed.ignored,
            ...(parsed.only === undefined ? {} : { only: parsed.only }),
        },
    };
    if (parsed.ignored.length > 0) exchange.headers[ignoredHeader] = ignoredHeaderValue(parsed.ignored);
    const id = `resp_${randomUUID().replaceAll("-", "")}`;
    const created = Math.floor(Date.now() / 1000);
    if (!parsed.stream) {
        const answer = await completeRouted(context, exchange, request);
        exchange.headers[routeHeaderName] = routeOf(answer.routing);
        exchange.res.writeHead(200, { ...exchange.headers, "content-type": "application/json" });
        // OpenAI's own response where it answered on this wire (reasoning items and all), else ours.
        const own = answer.native?.protocol === "openai-responses" ? answer.native.body : undefined;
        exchange.res.end(JSON.stringify(own ?? toResponse(answer, id, created, parsed.toolNames)));
        return;
    }
    const encoder = new ResponseEventEncoder(id, created, parsed.toolNames);
    await forwardRouterStream(context, exchange, request, {
        encode: (event) => encoder.encode(event),
        write: (sse, frame) => sse.write(frame.data, frame.event),
        error: async (sse, error) => {
            const { error: body } = openaiErrorBody(error);
            const frame: ResponseErrorEvent = {
                type: "error",
                code: body.code,
                message: body.message,
                param: null,
                sequence_number: encoder.nextSequence(),
            };
            await sse.write(frame, "error");
            // The terminal event of a failed response, which Codex CLI reads (the encoder says why).
            const failed = encoder.failed(body.code, body.message);
            if (failed) await sse.write(failed.data, failed.event);
        },
    });
};

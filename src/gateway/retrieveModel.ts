/**
 * `GET /v1/models/{model}`: one model as the listing describes it (modelShapes.ts), in Anthropic's shape
 * when the request carries `anthropic-version`: what both SDKs' `models.retrieve(id)` call. Any name the
 * gateway serves is found, a name a `gateway.models` prefix pattern serves included (patterns are not
 * listed, but `claude-sonnet-…` dated ids are what Claude Code names); anything else is the same 404 a
 * request naming it gets.
 */
import { GatewayError } from "./GatewayError.js";
import { anthropicModel, openaiModel } from "./modelShapes.js";
import type { Handler } from "./types.js";

/** The path prefix; the rest of the path is the model id, percent-encoded. */
export const retrieveModelPrefix = "/v1/models/";

export const retrieveModel: Handler = (context, exchange) => {
    let id: string;
    try {
        id = decodeURIComponent(exchange.path.slice(retrieveModelPrefix.length));
    } catch {
        throw new GatewayError(
            "invalid_request",
            `the model id in ${exchange.path} is not valid percent-encoding`,
        );
    }
    const entry = context.models.entry(id);
    const body =
        exchange.req.headers["anthropic-version"] !== undefined ? anthropicModel(entry) : openaiModel(entry);
    exchange.res.writeHead(200, { ...exchange.headers, "content-type": "application/json" });
    exchange.res.end(JSON.stringify(body));
    return Promise.resolve();
};

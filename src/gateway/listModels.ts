/**
 * `GET /v1/models`: what `model` may name (ModelCatalog), in OpenAI's list shape, or in Anthropic's page
 * shape when the request carries `anthropic-version` (Claude Code lists models at start-up).
 */
import type { ModelInfo } from "@anthropic-ai/sdk/resources/models";
import type { PageResponse } from "@anthropic-ai/sdk/core/pagination";
import { anthropicModel, openaiModel } from "./modelShapes.js";
import type { Handler } from "./types.js";

export const listModels: Handler = (context, exchange) => {
    const entries = context.models.list();
    let body: unknown;
    if (exchange.req.headers["anthropic-version"] !== undefined) {
        const data = entries.map(anthropicModel);
        body = {
            data,
            has_more: false,
            first_id: data[0]?.id ?? null,
            last_id: data.at(-1)?.id ?? null,
        } satisfies PageResponse<ModelInfo>;
    } else {
        body = {
            object: "list",
            // Picker names exist for Claude Code's picker (ModelCatalog.ts), which reads the page above.
            data: entries.filter((entry) => entry.kind !== "picker").map(openaiModel),
        };
    }
    exchange.res.writeHead(200, { ...exchange.headers, "content-type": "application/json" });
    exchange.res.end(JSON.stringify(body));
    return Promise.resolve();
};

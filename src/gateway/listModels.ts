/**
 * `GET /v1/models`: what `model` may name (ModelCatalog), in OpenAI's list shape, or in Anthropic's page
 * shape when the request carries `anthropic-version` (Claude Code lists models at start-up).
 */
import type { ModelInfo } from "@anthropic-ai/sdk/resources/models";
import type { PageResponse } from "@anthropic-ai/sdk/core/pagination";
import type { Model } from "openai/resources/models";
import type { ModelEntry } from "./ModelCatalog.js";
import type { Handler } from "./types.js";

/** Listed creation time: the catalog is built from config, so there is no real date; the epoch says so. */
const epoch = new Date(0).toISOString();

export const listModels: Handler = (context, exchange) => {
    const entries = context.models.list();
    let body: unknown;
    if (exchange.req.headers["anthropic-version"] !== undefined) {
        const data = entries.map((entry): ModelInfo => ({
            type: "model",
            id: entry.id,
            display_name: displayName(entry),
            created_at: epoch,
            capabilities: null,
            deprecated_at: null,
            lifecycle: "active",
            line: null,
            max_input_tokens: null,
            max_tokens: null,
            retires_at: null,
        }));
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
            data: entries
                .filter((entry) => entry.kind !== "picker")
                .map((entry): Model => ({
                    id: entry.id,
                    object: "model",
                    created: 0,
                    owned_by: "tiercel",
                })),
        };
    }
    exchange.res.writeHead(200, { ...exchange.headers, "content-type": "application/json" });
    exchange.res.end(JSON.stringify(body));
    return Promise.resolve();
};

function displayName(entry: ModelEntry): string {
    if (entry.kind === "picker")
        return entry.tier === undefined ? "tiercel: the router decides" : `tiercel: the ${entry.tier} tier`;
    return entry.tier === undefined ? "tiercel router (auto)" : `${entry.id} (tier ${entry.tier})`;
}

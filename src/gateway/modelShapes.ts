/**
 * A catalog entry (ModelCatalog.ts) as each protocol describes a model: OpenAI's `Model` and Anthropic's
 * `ModelInfo`, for the listing (`GET /v1/models`) and the lookup of one (`GET /v1/models/{id}`).
 */
import type { ModelInfo } from "@anthropic-ai/sdk/resources/models";
import type { Model } from "openai/resources/models";
import type { ModelEntry } from "./ModelCatalog.js";

/** Listed creation time: the catalog is built from config, so there is no real date; the epoch says so. */
const epoch = new Date(0).toISOString();

export function openaiModel(entry: ModelEntry): Model {
    return { id: entry.id, object: "model", created: 0, owned_by: "tiercel" };
}

export function anthropicModel(entry: ModelEntry): ModelInfo {
    return {
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
    };
}

function displayName(entry: ModelEntry): string {
    if (entry.kind === "picker")
        return entry.tier === undefined ? "tiercel: the router decides" : `tiercel: the ${entry.tier} tier`;
    return entry.tier === undefined ? "tiercel router (auto)" : `${entry.id} (tier ${entry.tier})`;
}

/**
 * What the two OpenAI request parsers (Chat Completions and the legacy Completions) share: the `model`
 * check, the fields both APIs name and mean alike (sampling, stop sequences, streaming), and the result
 * the faces read. Each parser supplies the rest: its own refusals and how its body becomes a ChatRequest.
 */
import type { ChatRequest } from "../../index.js";
import { GatewayError } from "../GatewayError.js";
import { collectIgnored } from "../ignoredFields.js";

/** What the face needs besides the normalized request. */
export interface ParsedOpenAIRequest {
    request: ChatRequest;
    model: string;
    stream: boolean;
    /** `stream_options.include_usage`: a final usage chunk with `choices: []`. */
    includeUsage: boolean;
    /** Fields accepted but not applied, for the `x-tiercel-ignored` header. */
    ignored: string[];
    /** Content only the caller's API reads, named (NativeRequest.only); undefined when there is none. */
    only?: string;
}

/** The members both APIs' request bodies have, as the `openai` SDK types them. */
export interface SharedOpenAIParams {
    model: unknown;
    temperature?: number | null;
    top_p?: number | null;
    seed?: number | null;
    presence_penalty?: number | null;
    frequency_penalty?: number | null;
    stop?: string | string[] | null;
    stream?: boolean | null;
    stream_options?: { include_usage?: boolean } | null;
}

/** The fields `parseOpenAIRequest` reads; each parser's own handled set adds its fields to these. */
export const sharedOpenAIFields = [
    "model",
    "temperature",
    "top_p",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "stop",
    "stream",
    "stream_options",
] as const;

/**
 * Checks `model`, has `toRequest` build the request from the body (read as its API's params type,
 * refusing what the API has and the gateway does not serve), then sets the shared fields on it.
 * `handled` lists every field read; the rest is reported as ignored.
 */
export function parseOpenAIRequest(
    body: Record<string, unknown>,
    handled: ReadonlySet<string>,
    toRequest: () => ChatRequest,
): ParsedOpenAIRequest {
    const params = body as unknown as SharedOpenAIParams;
    if (typeof params.model !== "string" || params.model === "") {
        throw new GatewayError(
            "invalid_request",
            '`model` is required: a model id from GET /v1/models, or "auto"',
        );
    }
    const request = toRequest();
    if (params.temperature != null) request.temperature = params.temperature;
    if (params.top_p != null) request.top_p = params.top_p;
    if (params.seed != null) request.seed = params.seed;
    if (params.presence_penalty != null) request.presence_penalty = params.presence_penalty;
    if (params.frequency_penalty != null) request.frequency_penalty = params.frequency_penalty;
    if (params.stop != null) request.stop = typeof params.stop === "string" ? [params.stop] : params.stop;
    return {
        request,
        model: params.model,
        stream: params.stream === true,
        includeUsage: params.stream_options?.include_usage === true,
        ignored: collectIgnored(body, handled),
    };
}

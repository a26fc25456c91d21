/**
 * The fast path of validateChatRequest (chatRequestSchema.ts): `true` only for a request the schema
 * surely accepts, checked with plain loops and `typeof`. Anything it does not accept (an error, or a
 * shape it does not know) goes to the zod schema, which stays the one source of the type and of every
 * message; this check has none. The contract is one-way: quick-accepted ⇒ the schema accepts (proved on
 * valid requests and their mutations in test/unit/chat/quickCheckChatRequest.test.ts); a valid request
 * it refuses costs only the zod pass it would have had anyway.
 *
 * Why it exists: zod's parse is a few µs in a warm loop over one schema, but in a process that also
 * parses config, SDK bodies and the rest, its shared code paths see many shapes. Timed around
 * validateChatRequest inside bench/e2e/gatewayOverhead.ts (shared 2-core Xeon), the bench's request took
 * 134 µs at p50 through zod and 29 µs with this check first; the same request in a warm loop there:
 * zod ~45 µs, this check ~2.3 µs. It was the largest single cost of the router's own per-request CPU.
 *
 * Mirrors the schema rule by rule: strict objects (`for...in` over keys, as zod's catchall does), optional
 * fields may be absent or `undefined`, `min(1)` strings are non-empty, numbers are finite (integers are
 * safe integers) and within the schema's bounds. Keep it in step with chatRequestSchema: a field the
 * schema gains is unknown here (such requests lose the fast path, nothing else), and the test's valid
 * corpus must use every field of the schema, so that test fails until both know the new field.
 */
import { maxSessionIdChars, type ChatRequest } from "./types.js";

const requestKeys = new Set([
    "system",
    "messages",
    "completion",
    "tools",
    "tool_choice",
    "response_format",
    "max_tokens",
    "temperature",
    "top_p",
    "top_k",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "stop",
    "hints",
    "native",
]);
const nativeKeys = new Set(["protocol", "body", "headers", "extras", "only"]);
const nativeProtocols = new Set(["anthropic-messages", "openai-chat", "openai-responses"]);
const messageKeys = new Set(["role", "content"]);
const textKeys = new Set(["type", "text"]);
const toolCallKeys = new Set(["type", "id", "name", "arguments"]);
const toolResultKeys = new Set(["type", "tool_call_id", "content", "is_error"]);
const completionKeys = new Set(["prompt", "suffix"]);
const toolKeys = new Set(["name", "description", "input_schema"]);
const toolChoiceKeys = new Set(["name"]);
const jsonSchemaFormatKeys = new Set(["type", "schema", "name", "strict"]);
const jsonObjectFormatKeys = new Set(["type"]);
const hintKeys = new Set([
    "session_id",
    "task_type",
    "tags",
    "latency_budget_ms",
    "namespace",
    "tier",
    "no_cache",
    "cache_sampled",
    "prompt_version",
    "idempotent",
    "cache_scope",
]);
const toolChoiceModes = new Set(["auto", "none", "required"]);
const toolName = /^[A-Za-z0-9_-]{1,128}$/;

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every enumerable key (own and inherited, as zod's strict check sees them) is one of `keys`. */
function onlyKeys(value: Fields, keys: ReadonlySet<string>): boolean {
    for (const key in value) if (!keys.has(key)) return false;
    return true;
}

function optionalString(value: unknown): boolean {
    return value === undefined || typeof value === "string";
}

function nonEmptyString(value: unknown): boolean {
    return typeof value === "string" && value.length > 0;
}

function optionalNonEmptyString(value: unknown): boolean {
    return value === undefined || nonEmptyString(value);
}

function optionalBoolean(value: unknown): boolean {
    return value === undefined || typeof value === "boolean";
}

function optionalNumberIn(value: unknown, min: number, max: number): boolean {
    return value === undefined || (typeof value === "number" && value >= min && value <= max);
}

function optionalIntegerIn(value: unknown, min: number, max: number): boolean {
    return (
        value === undefined ||
        (Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max)
    );
}

function nonEmptyStrings(value: unknown): boolean {
    if (!Array.isArray(value)) return false;
    for (const item of value as unknown[]) if (!nonEmptyString(item)) return false;
    return true;
}

function part(value: unknown, user: boolean): boolean {
    if (!isObject(value)) return false;
    switch (value.type) {
        case "text":
            return onlyKeys(value, textKeys) && typeof value.text === "string";
        case "tool_result":
            return (
                user &&
                onlyKeys(value, toolResultKeys) &&
                nonEmptyString(value.tool_call_id) &&
                typeof value.content === "string" &&
                optionalBoolean(value.is_error)
            );
        case "tool_call":
            return (
                !user &&
                onlyKeys(value, toolCallKeys) &&
                nonEmptyString(value.id) &&
                nonEmptyString(value.name) &&
                isObject(value.arguments)
            );
        default:
            return false;
    }
}

function message(value: unknown): boolean {
    if (!isObject(value) || !onlyKeys(value, messageKeys)) return false;
    const user = value.role === "user";
    if (!user && value.role !== "assistant") return false;
    const content = value.content;
    if (typeof content === "string") return true;
    if (!Array.isArray(content)) return false;
    for (const item of content as unknown[]) if (!part(item, user)) return false;
    return true;
}

function tools(value: unknown): boolean {
    if (value === undefined) return true;
    if (!Array.isArray(value)) return false;
    for (const tool of value as unknown[]) {
        if (!isObject(tool) || !onlyKeys(tool, toolKeys)) return false;
        if (typeof tool.name !== "string" || !toolName.test(tool.name)) return false;
        if (!optionalString(tool.description) || !isObject(tool.input_schema)) return false;
    }
    return true;
}

function toolChoice(value: unknown): boolean {
    if (value === undefined) return true;
    if (typeof value === "string") return toolChoiceModes.has(value);
    return isObject(value) && onlyKeys(value, toolChoiceKeys) && nonEmptyString(value.name);
}

function responseFormat(value: unknown): boolean {
    if (value === undefined) return true;
    if (!isObject(value)) return false;
    if (value.type === "json_object") return onlyKeys(value, jsonObjectFormatKeys);
    return (
        value.type === "json_schema" &&
        onlyKeys(value, jsonSchemaFormatKeys) &&
        isObject(value.schema) &&
        optionalNonEmptyString(value.name) &&
        optionalBoolean(value.strict)
    );
}

function completion(value: unknown): boolean {
    if (value === undefined) return true;
    return (
        isObject(value) &&
        onlyKeys(value, completionKeys) &&
        typeof value.prompt === "string" &&
        optionalString(value.suffix)
    );
}

function hints(value: unknown): boolean {
    if (value === undefined) return true;
    if (!isObject(value) || !onlyKeys(value, hintKeys)) return false;
    return (
        (value.session_id === undefined ||
            (nonEmptyString(value.session_id) && (value.session_id as string).length <= maxSessionIdChars)) &&
        optionalNonEmptyString(value.task_type) &&
        (value.tags === undefined || nonEmptyStrings(value.tags)) &&
        optionalNumberIn(value.latency_budget_ms, 0, Infinity) &&
        Number.isFinite(value.latency_budget_ms ?? 0) &&
        optionalNonEmptyString(value.namespace) &&
        optionalNonEmptyString(value.tier) &&
        optionalBoolean(value.no_cache) &&
        optionalBoolean(value.cache_sampled) &&
        (value.prompt_version === undefined ||
            (nonEmptyString(value.prompt_version) && (value.prompt_version as string).length <= 128)) &&
        optionalBoolean(value.idempotent) &&
        (value.cache_scope === undefined ||
            (nonEmptyString(value.cache_scope) && (value.cache_scope as string).length <= 256))
    );
}

function native(value: unknown): boolean {
    if (value === undefined) return true;
    if (!isObject(value) || !onlyKeys(value, nativeKeys)) return false;
    if (!nativeProtocols.has(value.protocol as string) || !isObject(value.body)) return false;
    const headers = value.headers;
    if (headers !== undefined) {
        if (!isObject(headers)) return false;
        for (const key in headers) if (typeof headers[key] !== "string") return false;
    }
    if (value.only !== undefined && !nonEmptyString(value.only)) return false;
    const extras = value.extras;
    return Array.isArray(extras) && (extras as unknown[]).every((x) => typeof x === "string");
}

export function quickCheckChatRequest(value: unknown): value is ChatRequest {
    if (!isObject(value) || !onlyKeys(value, requestKeys)) return false;
    const messages = value.messages;
    if (!Array.isArray(messages)) return false;
    for (const item of messages as unknown[]) if (!message(item)) return false;
    const topP = value.top_p;
    return (
        optionalString(value.system) &&
        completion(value.completion) &&
        tools(value.tools) &&
        toolChoice(value.tool_choice) &&
        responseFormat(value.response_format) &&
        optionalIntegerIn(value.max_tokens, 1, Number.MAX_SAFE_INTEGER) &&
        optionalNumberIn(value.temperature, 0, 2) &&
        (topP === undefined || (typeof topP === "number" && topP > 0 && topP <= 1)) &&
        optionalIntegerIn(value.top_k, 0, Number.MAX_SAFE_INTEGER) &&
        optionalIntegerIn(value.seed, 0, 0xffffffff) &&
        optionalNumberIn(value.presence_penalty, -2, 2) &&
        optionalNumberIn(value.frequency_penalty, -2, 2) &&
        (value.stop === undefined || nonEmptyStrings(value.stop)) &&
        hints(value.hints) &&
        native(value.native)
    );
}

/**
 * Response-cache keys and the near-duplicate similarity, pure.
 *
 * - The exact key hashes everything that shapes the answer: namespace, tier, system prompt, tools and
 *   tool choice, every message, max_tokens, temperature and stop sequences, canonically (two equal
 *   requests built with their object keys in a different order share a key).
 * - The context key hashes the same minus the last message, and exists only when that last message is
 *   user text (no tool results): near-duplicate matching is allowed on the last user turn alone, when
 *   system, tools and history are identical. Replaying an answer to a different history or a different
 *   tool result is how semantic caches go wrong on agent traffic (LiteLLM's own warning).
 */
import { createHash } from "node:crypto";
import { partsOf, textOf } from "../chat/messages.js";
import type { ChatMessage, ChatRequest, TextPart, ToolCallPart, ToolResultPart } from "../chat/types.js";

export interface CacheKeys {
    namespace: string;
    exact: string;
    /** Null when the request may only match exactly. */
    context: string | null;
    /** The last user turn, normalized (see normalizeText); "" when `context` is null. */
    lastUserText: string;
}

/** JSON with object keys sorted at every level; undefined members are left out as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
    if (value === undefined) return "null";
    if (value === null || typeof value !== "object") return JSON.stringify(value);
    if (Array.isArray(value))
        return `[${value.map((v: unknown) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
}

/** Lower case, whitespace runs collapsed, trimmed: what near-duplicate matching compares. */
export function normalizeText(text: string): string {
    return text.toLowerCase().replace(/\s+/g, " ").trim();
}

type Part = TextPart | ToolCallPart | ToolResultPart;

/**
 * A part as a small array in a fixed field order. The request schema is strict, so these fields are all
 * a part can have: serializing them by hand is canonical without sorting keys, and several times faster
 * than canonicalJson on a long history. Only free-form JSON (tool arguments) goes through canonicalJson.
 */
function partKey(part: Part): unknown[] {
    switch (part.type) {
        case "text":
            return ["t", part.text];
        case "tool_call":
            return ["c", part.id, part.name, canonicalJson(part.arguments)];
        case "tool_result":
            return ["r", part.tool_call_id, part.content, part.is_error === true];
    }
}

/** A message's key; string content and a single text part are the same message. */
const messageKey = (message: ChatMessage): unknown[] => [message.role, partsOf(message).map(partKey)];

export function cacheKeys(
    request: ChatRequest,
    namespace: string,
    tier: string,
    maxTokens: number,
): CacheKeys {
    const head = JSON.stringify([
        namespace,
        tier,
        request.system ?? "",
        (request.tools ?? []).map((t) => [t.name, t.description ?? "", canonicalJson(t.input_schema)]),
        canonicalJson(request.tool_choice ?? null),
        maxTokens,
        request.temperature ?? null,
        request.stop ?? [],
    ]);
    const messages = request.messages;
    const history = JSON.stringify(messages.slice(0, -1).map(messageKey));
    const last = messages.at(-1);
    // One pass over the history feeds both keys: the context hash is a copy taken before the last message.
    const hash = createHash("sha256").update(head).update("\n").update(history);
    const context = hash.copy().digest("base64url");
    const exact = hash
        .update("\n")
        .update(JSON.stringify(last === undefined ? null : messageKey(last)))
        .digest("base64url");
    const nearEligible =
        last?.role === "user" &&
        (typeof last.content === "string" || last.content.every((p) => p.type === "text"));
    if (!nearEligible) return { namespace, exact, context: null, lastUserText: "" };
    return { namespace, exact, context, lastUserText: normalizeText(textOf(last)) };
}

/** Character trigrams of normalized text (a short text is its own single gram). */
export function trigrams(text: string): Set<string> {
    const grams = new Set<string>();
    if (text.length < 3) {
        grams.add(text);
        return grams;
    }
    for (let i = 0; i + 3 <= text.length; i++) grams.add(text.slice(i, i + 3));
    return grams;
}

/** Jaccard similarity of two trigram sets, in [0, 1]. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
    if (a.size === 0 && b.size === 0) return 1;
    const [small, large] = a.size <= b.size ? [a, b] : [b, a];
    let shared = 0;
    for (const gram of small) if (large.has(gram)) shared++;
    return shared / (a.size + b.size - shared);
}

/**
 * Response-cache keys and the near-duplicate similarity, pure.
 *
 * - The scope: `hints.namespace` when the request names one (a repository, or a gateway's auth identity),
 *   else `hints.session_id`; a request with neither has no scope and is not cached, so callers who did
 *   not opt into sharing never see each other's answers.
 * - The exact key hashes everything that shapes the answer: scope, tier, system prompt, a completion's
 *   prompt, suffix and sampling, tools and tool choice, response format, every message, max_tokens, temperature, stop sequences and the other sampling settings, canonically (two equal
 *   requests built with their object keys in a different order share a key).
 * - The context key hashes the same minus the last message, and exists only when that last message is
 *   user text (no tool results; a completion has no messages, so it only matches exactly): near-duplicate matching is allowed on the last user turn alone, when
 *   system, tools and history are identical. Replaying an answer to a different history or a different
 *   tool result is how semantic caches go wrong on agent traffic (LiteLLM's own warning).
 * - An agent's blocks injected into the last user turn (Claude Code's `<system-reminder>`s:
 *   splitInjectedContext.ts) belong to the context key, not to the compared text: a 3 kB CLAUDE.md
 *   reminder beside "delete parseConfig" made it 0.91 similar to "explain what parseConfig does".
 * - The specifics of the last user turn (specificsOf) must be equal for a near-duplicate match: trigram
 *   similarity cannot tell "set the timeout to 15000" from "... 45000" (0.93) or "True if prime" from
 *   "False if prime" (0.96), so numbers, negations, booleans, identifiers and code never differ in a hit.
 */
import { createHash } from "node:crypto";
import { partsOf, textOf } from "../chat/messages.js";
import { splitInjectedContext } from "../chat/splitInjectedContext.js";
import type { ChatMessage, ChatRequest, TextPart, ToolCallPart, ToolResultPart } from "../chat/types.js";

export interface CacheKeys {
    namespace: string;
    /** `ns:<namespace>` or `session:<id>`; null when the request has neither and must not be cached. */
    scope: string | null;
    /**
     * Sampled at a temperature above 0 without a seed: a draw, not the answer; cached only where that is
     * allowed. A seeded draw is a function of the request (the local tier draws the same sample whatever
     * speculates: docs/speculative-decoding.md), cached like a greedy answer under a key with its seed.
     */
    sampled: boolean;
    /** The request's `hints.cache_sampled`: allows (or refuses) caching a sampled answer, whatever the config says. */
    cacheSampled: boolean | undefined;
    exact: string;
    /** Null when the request may only match exactly. */
    context: string | null;
    /** The last user turn, normalized (see normalizeText); "" when `context` is null. */
    lastUserText: string;
    /** The last user turn's specifics (see specificsOf); "" when `context` is null. */
    specifics: string;
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
    const hints = request.hints;
    const scope =
        hints?.namespace !== undefined
            ? `ns:${hints.namespace}`
            : hints?.session_id !== undefined
              ? `session:${hints.session_id}`
              : null;
    const sampled =
        request.temperature !== undefined && request.temperature > 0 && request.seed === undefined;
    const head = JSON.stringify([
        scope,
        namespace,
        tier,
        request.system ?? "",
        canonicalJson(request.completion ?? null),
        (request.tools ?? []).map((t) => [t.name, t.description ?? "", canonicalJson(t.input_schema)]),
        canonicalJson(request.tool_choice ?? null),
        canonicalJson(request.response_format ?? null),
        maxTokens,
        request.temperature ?? null,
        request.stop ?? [],
        request.top_p ?? null,
        request.top_k ?? null,
        request.seed ?? null,
        request.presence_penalty ?? null,
        request.frequency_penalty ?? null,
    ]);
    const messages = request.messages;
    const history = JSON.stringify(messages.slice(0, -1).map(messageKey));
    const last = messages.at(-1);
    // One pass over the history feeds both keys: the context hash is a copy taken before the last message.
    const hash = createHash("sha256").update(head).update("\n").update(history);
    const contextHash = hash.copy();
    const exact = hash
        .update("\n")
        .update(JSON.stringify(last === undefined ? null : messageKey(last)))
        .digest("base64url");
    const nearEligible =
        last?.role === "user" &&
        (typeof last.content === "string" || last.content.every((p) => p.type === "text"));
    const base = { namespace, scope, sampled, cacheSampled: hints?.cache_sampled, exact };
    if (!nearEligible) return { ...base, context: null, lastUserText: "", specifics: "" };
    // An agent's injected blocks (Claude Code's reminders: CLAUDE.md, changed files) are context, not the
    // ask: they must be identical, and they must not make two different asks look alike by their bulk.
    const { human, injected } = splitInjectedContext(textOf(last));
    return {
        ...base,
        context: (injected === "" ? contextHash : contextHash.update("\n").update(injected)).digest(
            "base64url",
        ),
        lastUserText: normalizeText(human),
        specifics: specificsOf(human),
    };
}

/** Words that turn a statement around, compared in lower case; any word ending in n't is one too. */
const negations = new Set([
    "not",
    "no",
    "never",
    "none",
    "nothing",
    "nobody",
    "nowhere",
    "neither",
    "nor",
    "without",
    "cannot",
    "except",
]);
/** Boolean-like words, compared in lower case. */
const booleans = new Set([
    "true",
    "false",
    "yes",
    "null",
    "nil",
    "undefined",
    "on",
    "off",
    "enabled",
    "disabled",
]);
/** Sentence punctuation a word may end with without becoming a specific. */
const trailingPunctuation = /[.,!?;:]+$/;

/**
 * The tokens of a text that a near-duplicate must reproduce exactly, in order, joined by a newline:
 * code spans (backticks) verbatim; numbers and anything else with a character other than a letter or an
 * inner apostrophe (paths, snake_case, operators, calls: `src/app.ts`, `load_config`, `==`, `f()`);
 * camelCase/PascalCase identifiers (a capital after a lower-case letter); negations and boolean-like
 * words. Specifics keep their case: `True` (Python) and `true` (JSON) are different code.
 */
export function specificsOf(text: string): string {
    const out: string[] = [];
    const prose = text.replace(/`+[^`]*`+/g, (span) => {
        out.push(span);
        return " ";
    });
    for (const raw of prose.split(/\s+/)) {
        const word = raw.replace(trailingPunctuation, "");
        if (word === "") continue;
        const lower = word.toLowerCase().replace(/’/g, "'");
        if (
            /[^\p{L}']|'$|^'/u.test(word) ||
            /\p{Ll}\p{Lu}/u.test(word) ||
            negations.has(lower) ||
            booleans.has(lower) ||
            lower.endsWith("n't")
        ) {
            out.push(word);
        }
    }
    return out.join("\n");
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

/**
 * Routing hints from a request's headers and its caller: the agent's session id (Claude Code's
 * `x-claude-code-session-id`, Codex CLI's `session-id`, or a generic `x-session-id`) pins the session to
 * one tier and target (session affinity keeps its KV prefix hot); the tier the `model` forced; and the
 * response cache's namespace, and the local tier's KV cache scope (the key id: tenants never share
 * cached prompt prefixes, whose reuse shows in time to first token).
 *
 * The namespace is the caller's gateway key id, so one key never gets another key's cached answer. A
 * request may name a namespace of its own in `x-tiercel-namespace` (e.g. its repository, so answers are
 * shared only within it); that name is scoped under the key (`key-1a2b3c4d5e6f/my-repo`), so it cannot
 * reach into another key's cache either. Without keys (a loopback gateway) the named namespace is used as
 * is, and a request that names none has none (the cache then scopes answers by session, see
 * router/cacheKey.ts).
 *
 * Two headers pass router hints as they are, `true` or `false` (anything else is a 400):
 * `x-tiercel-idempotent: false` says the request must not be sent twice (`hints.idempotent`: the router
 * never hedges it), and `x-tiercel-cache-sampled` lets an answer sampled at temperature > 0 be cached and
 * replayed, or keeps it out of the cache (`hints.cache_sampled`, overriding the router's `cache.sampled`).
 */
import type { IncomingHttpHeaders } from "node:http";
import type { RoutingHints } from "../index.js";
import { maxSessionIdChars } from "../chat/types.js";
import { GatewayError } from "./GatewayError.js";

const sessionHeaders = ["x-claude-code-session-id", "session-id", "x-session-id"] as const;

export const namespaceHeader = "x-tiercel-namespace";
const namespacePattern = /^[\w.@:-]{1,128}$/;
export const idempotentHeader = "x-tiercel-idempotent";
export const cacheSampledHeader = "x-tiercel-cache-sampled";

export function requestHints(
    headers: IncomingHttpHeaders,
    tier: string | undefined,
    keyId: string | undefined,
): RoutingHints | undefined {
    const hints: RoutingHints = {};
    for (const name of sessionHeaders) {
        const value = headers[name];
        if (typeof value === "string" && value !== "") {
            if (value.length > maxSessionIdChars)
                throw new GatewayError(
                    "invalid_request",
                    `${name} is ${value.length} characters; at most ${maxSessionIdChars} (a session's id)`,
                );
            hints.session_id = value;
            break;
        }
    }
    if (tier !== undefined) hints.tier = tier;
    const named = headers[namespaceHeader];
    if (named !== undefined) {
        if (typeof named !== "string" || !namespacePattern.test(named)) {
            throw new GatewayError(
                "invalid_request",
                `${namespaceHeader} must be 1 to 128 letters, digits or . _ - @ : (e.g. the repository's name); got ${JSON.stringify(named)}`,
            );
        }
        hints.namespace = keyId === undefined ? named : `${keyId}/${named}`;
    } else if (keyId !== undefined) hints.namespace = keyId;
    // Tenants never share the local tier's cached prompt prefixes (a timing side channel): one scope per key.
    if (keyId !== undefined) hints.cache_scope = keyId;
    const idempotent = booleanHeader(headers, idempotentHeader);
    if (idempotent !== undefined) hints.idempotent = idempotent;
    const cacheSampled = booleanHeader(headers, cacheSampledHeader);
    if (cacheSampled !== undefined) hints.cache_sampled = cacheSampled;
    return Object.keys(hints).length > 0 ? hints : undefined;
}

/** A `true` / `false` header (any case); undefined when absent. */
function booleanHeader(headers: IncomingHttpHeaders, name: string): boolean | undefined {
    const value = headers[name];
    if (value === undefined) return undefined;
    const text = typeof value === "string" ? value.trim().toLowerCase() : undefined;
    if (text === "true") return true;
    if (text === "false") return false;
    throw new GatewayError(
        "invalid_request",
        `${name} must be true or false (sent once); got ${JSON.stringify(value)}`,
    );
}

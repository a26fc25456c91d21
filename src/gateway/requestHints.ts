/**
 * Routing hints from a request's headers: the agent's session id (Claude Code's
 * `x-claude-code-session-id`, Codex CLI's `session-id`, or a generic `x-session-id`) pins the session to
 * one tier and target (session affinity keeps its KV prefix hot), plus the tier the `model` forced.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { RoutingHints } from "../index.js";

const sessionHeaders = ["x-claude-code-session-id", "session-id", "x-session-id"] as const;

export function requestHints(
    headers: IncomingHttpHeaders,
    tier: string | undefined,
): RoutingHints | undefined {
    const hints: RoutingHints = {};
    for (const name of sessionHeaders) {
        const value = headers[name];
        if (typeof value === "string" && value !== "") {
            hints.session_id = value;
            break;
        }
    }
    if (tier !== undefined) hints.tier = tier;
    return Object.keys(hints).length > 0 ? hints : undefined;
}

/**
 * Same-protocol pass-through (ChatRequest.native): a hosted provider that speaks the protocol the caller
 * sent is sent the caller's own body, so whatever the normalized form cannot carry (Anthropic's
 * `cache_control`, `thinking` and its blocks, `metadata`; OpenAI's `reasoning_effort`, `user`, ...)
 * still arrives, and the router only decides what it owns: the target's model, the output cap, and
 * streaming (`stream` and `stream_options` are the provider's). A translation of the normalized request
 * would drop those fields silently on the caller's own protocol, which is the one place nothing needs
 * translating.
 */
import type { NativeProtocol, NativeRequest } from "../chat/types.js";
import type { ProviderRequest } from "./Provider.js";

/** Body fields the provider sets itself, whatever the caller sent. */
const ownedFields = new Set(["model", "stream", "stream_options", "max_tokens", "max_completion_tokens"]);

/**
 * The caller's body for a target speaking `protocol`, with the target's model and the output cap (in
 * `capField`) put in; undefined when the request came in another protocol or none.
 */
export function nativeBody(
    request: ProviderRequest,
    protocol: NativeProtocol,
    capField: "max_tokens" | "max_completion_tokens",
): { body: Record<string, unknown>; native: NativeRequest } | undefined {
    const native = request.native;
    if (native?.protocol !== protocol) return undefined;
    const body: Record<string, unknown> = { model: request.model, [capField]: request.max_tokens };
    for (const key in native.body) if (!ownedFields.has(key)) body[key] = native.body[key];
    return { body, native };
}

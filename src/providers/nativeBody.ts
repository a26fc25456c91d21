/**
 * Same-protocol pass-through (ChatRequest.native): a hosted provider that speaks the protocol the caller
 * sent is sent the caller's own body, so whatever the normalized form cannot carry (Anthropic's
 * `cache_control`, `thinking` and its blocks, `metadata`; OpenAI's `reasoning_effort`, `user`, ...)
 * still arrives, and the router only decides what it owns: the target's model, the output cap (where the
 * caller set one), and streaming (`stream` and `stream_options` are the provider's). A translation of the normalized request
 * would drop those fields silently on the caller's own protocol, which is the one place nothing needs
 * translating.
 */
import type { NativeProtocol, NativeRequest } from "../chat/types.js";
import type { ProviderRequest } from "./Provider.js";

/** The output cap's field on each wire. */
const capFields = ["max_tokens", "max_completion_tokens", "max_output_tokens"] as const;

/** Body fields the provider sets itself, whatever the caller sent. */
const ownedFields = new Set([
    "model",
    "stream",
    "stream_options",
    "max_tokens",
    "max_completion_tokens",
    "max_output_tokens",
]);

/**
 * The caller's body for a target speaking `protocol`, with the target's model and the output cap (in
 * `capField`, where the caller set a cap) put in; undefined when the request came in another protocol or none.
 */
export function nativeBody(
    request: ProviderRequest,
    protocol: NativeProtocol,
    capField: "max_tokens" | "max_completion_tokens" | "max_output_tokens",
): { body: Record<string, unknown>; native: NativeRequest } | undefined {
    const native = request.native;
    if (native?.protocol !== protocol) return undefined;
    const body: Record<string, unknown> = { model: request.model };
    // The caller's cap, as the router resolved it; none where the caller set none (the router's default
    // cap would cut an answer the provider would have given: Codex CLI sends no max_output_tokens).
    if (capFields.some((field) => native.body[field] != null)) body[capField] = request.max_tokens;
    for (const key in native.body) if (!ownedFields.has(key)) body[key] = native.body[key];
    return { body, native };
}

/**
 * Why a target cannot take a request that carries content only its own protocol has (NativeRequest.only),
 * when that target would translate it (`protocol`: what it sends natively; none for the local tier).
 */
export function nativeOnly(
    request: ProviderRequest,
    protocol: NativeProtocol | undefined,
): string | undefined {
    const native = request.native;
    if (native?.only === undefined || native.protocol === protocol) return undefined;
    return `${native.only}: only a provider speaking the caller's protocol (${native.protocol}) is sent it as written`;
}

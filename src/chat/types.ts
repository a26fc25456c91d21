/**
 * The normalized chat format: what callers send to the router (`createRouter(...).complete/stream`),
 * what every provider (Anthropic Messages, OpenAI Chat Completions, the local tiercel tier) is
 * translated to and from, and the events a provider stream yields. A leaf: the router and the
 * providers both import it, and it imports neither. The routing record the router adds to every
 * result is in router/types.ts.
 *
 * Field names are snake_case on purpose: these objects are also the JSON of the routing log lines and
 * sit next to both providers' wire formats (which are snake_case), so one spelling serves all three.
 * Configuration stays camelCase like the rest of tiercel's config.
 */

/** Plain text. */
export interface TextPart {
    type: "text";
    text: string;
}

/** The assistant asking the caller to run a tool. */
export interface ToolCallPart {
    type: "tool_call";
    /** Provider-assigned id; the matching `tool_result` names it in `tool_call_id`. */
    id: string;
    name: string;
    /** The tool's input, parsed from the model's JSON (always an object; `{}` when the model sent none). */
    arguments: Record<string, unknown>;
}

/** The caller's answer to a tool call, sent back in a user message. */
export interface ToolResultPart {
    type: "tool_result";
    tool_call_id: string;
    /** The tool's output as text. */
    content: string;
    /**
     * The tool failed (Anthropic's flag; the OpenAI protocols have none). Defaults to `false`; an
     * unflagged result whose output carries an error marker counts as failed too (`toolResultFailed`).
     */
    is_error?: boolean;
}

/** A user turn: text and/or tool results. */
export interface UserMessage {
    role: "user";
    content: string | readonly (TextPart | ToolResultPart)[];
}

/** An earlier assistant turn: text and/or tool calls. */
export interface AssistantMessage {
    role: "assistant";
    content: string | readonly (TextPart | ToolCallPart)[];
}

export type ChatMessage = UserMessage | AssistantMessage;

/** A tool the model may call. */
export interface ToolDefinition {
    name: string;
    description?: string;
    /** JSON Schema of the tool's input (an object schema). */
    input_schema: Record<string, unknown>;
}

/**
 * Whether and which tool the model must call: `auto` (the model decides), `none`, `required` (some
 * tool), or one named tool. Defaults to `auto` when tools are given.
 */
export type ToolChoice = "auto" | "none" | "required" | { name: string };

/**
 * The shape the answer must have: JSON matching `schema` (a JSON Schema object; `name` and `strict` are
 * OpenAI's and are sent there), or any JSON object. Providers that cannot enforce it are skipped.
 */
export type ResponseFormat =
    | { type: "json_schema"; schema: Record<string, unknown>; name?: string; strict?: boolean }
    | { type: "json_object" };

/**
 * Longest `session_id` accepted (the router's schema, its quick check and the gateway's session headers):
 * an id, and agents send UUIDs; the router and the local tier keep one per session.
 */
export const maxSessionIdChars = 256;

/** Hints the routing policy reads; only `session_id` and `cache_scope` reach a provider (the local tier's requests). */
export interface RoutingHints {
    /** One agent conversation: pins it to a tier/target (session affinity); at most `maxSessionIdChars`. */
    session_id?: string;
    /** What the request is for, e.g. "completion", "chat", "plan", "review", "commit_message". */
    task_type?: string;
    /** Free labels such as "security" or "architecture"; rules match on them. */
    tags?: readonly string[];
    /** How long the caller can wait for the answer; rules may send tight budgets to a fast tier. */
    latency_budget_ms?: number;
    /** Repository or namespace: the response cache is scoped per namespace. Defaults to `"default"`. */
    namespace?: string;
    /** Force a tier by name (rules, classifier and affinity are skipped; the pin still never moves down). */
    tier?: string;
    /** Skip the response cache for this request (neither read nor written). Defaults to `false`. */
    no_cache?: boolean;
    /**
     * With `temperature` > 0: `true` lets this request be answered from the cache and its answer be
     * stored (the caller accepts a replayed draw), `false` keeps it out of the cache. No effect at
     * temperature 0 or unset. Defaults to the router's `cache.sampled` (itself `false`).
     */
    cache_sampled?: boolean;
    /**
     * The local tier's KV cache scope (its GenerateRequest.cache_scope, ≤ 256 characters): cached prompt
     * prefixes are reused only between requests of the same scope, so one tenant's time to first token
     * says nothing of another's prompts. The agent gateway sets its caller's key id. Defaults to the
     * shared scope.
     */
    cache_scope?: string;
    /** The caller's prompt version (e.g. its system prompt's), recorded as `prompt_version`. */
    prompt_version?: string;
    /**
     * `false` when sending the request twice would do harm (the router's hedging then never sends a
     * second copy). Defaults to `true`: a chat request has no side effects of its own.
     */
    idempotent?: boolean;
}

/**
 * A text completion instead of a conversation, as editors ask for autocomplete: the model continues
 * `prompt`, or with `suffix` fills in the middle between the two (the answer is the middle). Only the
 * local tier serves it (hosted providers report it unsupported); a local target without fill-in-the-middle
 * tokens refuses a `suffix` with E_FIM_UNSUPPORTED.
 */
export interface PromptCompletion {
    /** The text before the cursor (the whole prompt of a plain completion). */
    prompt: string;
    /** The text after the cursor. Defaults to unset: a plain completion of `prompt`. */
    suffix?: string;
}

/** A normalized chat request. */
export interface ChatRequest {
    /** System prompt. */
    system?: string;
    /** The conversation, oldest first; at least one message, or none with `completion`. */
    messages: readonly ChatMessage[];
    /**
     * A text completion (prompt, optional suffix) instead of the conversation: `messages` is then empty
     * and `system`, `tools`, `tool_choice` and `response_format` are unset. Defaults to unset (chat).
     */
    completion?: PromptCompletion;
    tools?: readonly ToolDefinition[];
    tool_choice?: ToolChoice;
    /** Constrain the answer to JSON. Defaults to free text. */
    response_format?: ResponseFormat;
    /** Output cap in tokens. Defaults to the router's `defaults.maxTokens`. */
    max_tokens?: number;
    /**
     * Sampling temperature. Sent to OpenAI and the local tier; Anthropic's Messages API (version
     * 2026-10-21, @anthropic-ai/sdk 1.x) has no temperature parameter, so it is not sent there.
     */
    temperature?: number;
    /**
     * Nucleus sampling: keep the most likely tokens up to this probability mass, in (0, 1]. Sent to OpenAI
     * and the local tier. Defaults to the tier's (the local tier's is 0.95).
     */
    top_p?: number;
    /** Keep only the k most likely tokens (0 = off). Sent to the local tier only. Defaults to the tier's (40). */
    top_k?: number;
    /**
     * Sampling seed: the same seed, prompt and settings give the same answer (at temperature > 0). Sent to
     * OpenAI (best effort there) and the local tier. Defaults to random.
     */
    seed?: number;
    /** Subtracted from the logit of every token already present, in [-2, 2]. Sent to OpenAI and the local tier. Defaults to 0. */
    presence_penalty?: number;
    /** Subtracted from a token's logit once per occurrence so far, in [-2, 2]. Sent to OpenAI and the local tier. Defaults to 0. */
    frequency_penalty?: number;
    /** Stop sequences; every provider receives all of them (a target that cannot honour them is skipped). */
    stop?: readonly string[];
    /** Routing hints (session, task type, tags, budget, namespace). */
    hints?: RoutingHints;
    /**
     * The caller's request in its own wire protocol (the gateway sets it). A target that speaks that
     * protocol is sent this body with only what the router decides replaced (model, output cap, stream),
     * so what the normalized form cannot carry still reaches it; every other target gets the normalized
     * request. Defaults to unset: every target gets the normalized request.
     */
    native?: NativeRequest;
}

/** Wire protocols a caller may send natively: Anthropic Messages, OpenAI Chat Completions and Responses. */
export type NativeProtocol = "anthropic-messages" | "openai-chat" | "openai-responses";

/**
 * A request body as its protocol had it. Its normalized fields (messages, tools, ...) must say the same
 * as the `ChatRequest` they travel with: routing, the cache and every other target read those.
 */
export interface NativeRequest {
    protocol: NativeProtocol;
    /** The request body as received (not copied; never written to). */
    body: Readonly<Record<string, unknown>>;
    /** Protocol headers to send on (e.g. `anthropic-beta`), lower-case names. Defaults to none. */
    headers?: Readonly<Record<string, string>>;
    /**
     * What the normalized request leaves out (fields and blocks with no normalized form, e.g.
     * `cache_control`, `thinking`, `metadata`): lost on any other target, and the reason such a request
     * is never answered from the response cache (its key cannot tell them apart). Empty: nothing is lost.
     */
    extras: readonly string[];
    /**
     * Content the answer needs that has no normalized form (an image or a PDF the user attached, a
     * hosted server tool's blocks in the history), named: the normalized messages carry a placeholder
     * where it was, so only a target sent this body as written can take the request, and every other is
     * skipped with this as its reason. Defaults to none: any target may translate the request.
     */
    only?: string;
}

/**
 * Why generation ended, in one vocabulary for every provider:
 * - `end_turn`: the model finished (Anthropic `end_turn`/`pause_turn`, OpenAI `stop`, local EOS);
 * - `tool_use`: the model wants tools run (Anthropic `tool_use`, OpenAI `tool_calls`);
 * - `max_tokens`: the output cap or context window was reached (`max_tokens`, `length`, local LENGTH);
 * - `stop_sequence`: one of the request's stop sequences was produced (OpenAI cannot tell this apart
 *   from `end_turn` and reports `stop` for both);
 * - `refusal`: the provider refused or filtered the output (`refusal`, `content_filter`).
 */
export type StopReason = "end_turn" | "tool_use" | "max_tokens" | "stop_sequence" | "refusal";

/** Token counts reported by the provider. */
export interface Usage {
    /** Prompt tokens (Anthropic: input + cache read + cache creation). */
    input_tokens: number;
    output_tokens: number;
    /** Of `input_tokens`, read from the provider's prompt cache (Anthropic; OpenAI's cached tokens). Defaults to 0. */
    cache_read_input_tokens?: number;
    /** Of `input_tokens`, written to the provider's prompt cache (Anthropic). Defaults to 0. */
    cache_creation_input_tokens?: number;
}

/**
 * What the local tier reports about how it decoded an answer (hosted providers report none): the
 * signals a cascade (router/cascade/) checks before it accepts a cheap answer. The finish reason is the
 * answer's `stop_reason` (`max_tokens` = the local tier's FINISH_REASON_LENGTH).
 */
export interface GenerationSignals {
    /** Speculative decoding: accepted / drafted tokens; null when nothing was drafted (no evidence). */
    acceptance_rate: number | null;
    /** Tokens the drafter proposed (0 when speculation was off or never drafted). */
    drafted_tokens: number;
    /**
     * Mean natural-log probability of the emitted tokens under the target (see the proto's
     * `GenerationStats.mean_logprob`); null unless the request asked for confidence.
     */
    mean_logprob: number | null;
    /** The least likely emitted token's log-probability; null unless the request asked for confidence. */
    min_logprob: number | null;
}

/** A provider's answer, before the router adds its routing record. */
export interface CompletionResult {
    /** Text and tool calls in the order the model produced them; never an empty text part. */
    content: (TextPart | ToolCallPart)[];
    stop_reason: StopReason;
    /** The stop sequence that ended generation, when the provider says which one. */
    stop_sequence: string | null;
    usage: Usage;
    /** The model id the provider reports (may be more specific than the configured one). */
    model: string;
    /** Decoding signals; only the local tier sends them. */
    signals?: GenerationSignals;
    /**
     * Set when the request's native body was sent (ChatRequest.native): its protocol and, where the
     * provider keeps it, the answer as that protocol's own body (e.g. Anthropic's message with its
     * thinking blocks and cache usage), which a caller of the same protocol can return as it is.
     */
    native?: NativeAnswer;
}

export interface NativeAnswer {
    protocol: NativeProtocol;
    /** The provider's response body as received. Absent where the provider keeps only the normalized answer. */
    body?: unknown;
}

/**
 * A provider stream, normalized. Every stream is `message_start`, then content events, then exactly
 * one `message_end`. Content indexes count the parts of the final `content` array from 0; every
 * `tool_call_start` is followed by zero or more `tool_call_delta` and exactly one `tool_call_end` with
 * the same index (duplicate provider stop events are dropped, see providers/anthropic/transform.ts).
 * A stream that relays its provider's own events (`message_start.native.relayed`) also carries each of
 * them as a `native` event, before the normalized events it produced.
 */
export type ProviderStreamEvent =
    | MessageStartEvent
    | TextDeltaEvent
    | ToolCallStartEvent
    | ToolCallDeltaEvent
    | ToolCallEndEvent
    | NativeEvent
    | MessageEndEvent;

export interface MessageStartEvent {
    type: "message_start";
    /** The model id the provider reports. */
    model: string;
    /**
     * Set when the request's native body was sent: its protocol, and whether every event of the
     * provider's own stream follows as a `native` event (a caller of that protocol can write those
     * instead of encoding the normalized ones).
     */
    native?: { protocol: NativeProtocol; relayed: boolean };
}

/**
 * One event of the provider's own stream, as received (`relayed` streams only): its SSE event name and
 * its data. `output` is false for events that carry no output (Anthropic's `message_start`, `ping`):
 * those do not commit the stream to this attempt (the router may still fall back).
 */
export interface NativeEvent {
    type: "native";
    event: string;
    data: unknown;
    output: boolean;
}

export interface TextDeltaEvent {
    type: "text_delta";
    index: number;
    text: string;
}

export interface ToolCallStartEvent {
    type: "tool_call_start";
    index: number;
    id: string;
    name: string;
}

/** A fragment of the tool call's JSON arguments, as streamed (not parsable on its own). */
export interface ToolCallDeltaEvent {
    type: "tool_call_delta";
    index: number;
    arguments_delta: string;
}

/** The tool call is complete; `arguments` is the parsed concatenation of its deltas. */
export interface ToolCallEndEvent {
    type: "tool_call_end";
    index: number;
    arguments: Record<string, unknown>;
}

export interface MessageEndEvent {
    type: "message_end";
    stop_reason: StopReason;
    stop_sequence: string | null;
    usage: Usage;
    /** Decoding signals; only the local tier sends them. */
    signals?: GenerationSignals;
}

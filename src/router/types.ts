/**
 * The router's normalized chat format: what callers send to `createRouter(...).complete/stream`, what
 * every provider (Anthropic Messages, OpenAI Chat Completions, the local tiercel tier) is translated
 * to and from, and the routing record every result carries.
 *
 * Field names are snake_case on purpose: these objects are also the JSON of the routing log lines and
 * sit next to both providers' wire formats (which are snake_case), so one spelling serves all three.
 * Configuration (router/config.ts) stays camelCase like the rest of tiercel's config.
 *
 * Terms used throughout:
 * - tier: a named quality/cost level from config (e.g. "local", "mid", "frontier"), ordered cheapest first.
 * - target: one provider + model inside a tier; a tier lists its targets in preference order.
 * - attempt: one call to one target (a retry is a new attempt on the same target; a fallback an attempt
 *   on another target).
 * - committed: a stream is committed once its first event reached the caller; it is never retried after.
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
    /** The tool failed; counted by the `minToolErrorStreak` routing rule. Defaults to `false`. */
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

/** Hints the routing policy reads; none of them reaches a provider. */
export interface RoutingHints {
    /** One agent conversation: pins it to a tier/target (session affinity). */
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
}

/** A normalized chat request. */
export interface ChatRequest {
    /** System prompt. */
    system?: string;
    /** The conversation, oldest first; at least one message. */
    messages: readonly ChatMessage[];
    tools?: readonly ToolDefinition[];
    tool_choice?: ToolChoice;
    /** Output cap in tokens. Defaults to the router's `defaults.maxTokens`. */
    max_tokens?: number;
    /**
     * Sampling temperature. Sent to OpenAI and the local tier; Anthropic's Messages API (version
     * 2026-10-21, @anthropic-ai/sdk 1.x) has no temperature parameter, so it is not sent there.
     */
    temperature?: number;
    /** Stop sequences; every provider receives all of them (a target that cannot honour them is skipped). */
    stop?: readonly string[];
    /** Routing hints (session, task type, tags, budget, namespace). */
    hints?: RoutingHints;
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
}

/** The router's answer to `complete()`. */
export interface ChatResponse extends CompletionResult {
    routing: RoutingRecord;
}

/**
 * A provider stream, normalized. Every stream is `message_start`, then content events, then exactly
 * one `message_end`. Content indexes count the parts of the final `content` array from 0; every
 * `tool_call_start` is followed by zero or more `tool_call_delta` and exactly one `tool_call_end` with
 * the same index (duplicate provider stop events are dropped, see providers/anthropic/transform.ts).
 */
export type ProviderStreamEvent =
    | MessageStartEvent
    | TextDeltaEvent
    | ToolCallStartEvent
    | ToolCallDeltaEvent
    | ToolCallEndEvent
    | MessageEndEvent;

export interface MessageStartEvent {
    type: "message_start";
    /** The model id the provider reports. */
    model: string;
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

/**
 * What `router.stream()` yields: the events of the attempt that answered, `message_start` first (tagged
 * with the tier and provider that answer), and a last `message_end` that carries the routing record.
 */
export type RouterStreamEvent =
    | (MessageStartEvent & { tier: string; provider: string })
    | TextDeltaEvent
    | ToolCallStartEvent
    | ToolCallDeltaEvent
    | ToolCallEndEvent
    | (MessageEndEvent & { routing: RoutingRecord });

/**
 * How an attempt ended:
 * - `ok`: it answered;
 * - `error`: the provider failed (see `error_code`);
 * - `timeout`: the attempt or first-token timeout fired (E_PROVIDER_TIMEOUT);
 * - `cancelled`: the caller cancelled, or the request's total deadline passed;
 * - `skipped_open`: not tried, the target's circuit breaker is open (E_CIRCUIT_OPEN);
 * - `skipped_unsupported`: not tried, the target cannot serve this request (e.g. tools on the local tier);
 * - `rejected`: it answered, but the answer failed its tier's cascade check and the request escalated
 *   (see `RoutingRecord.cascade`).
 */
export type AttemptOutcome =
    "ok" | "error" | "timeout" | "cancelled" | "skipped_open" | "skipped_unsupported" | "rejected";

/** One try of one target. */
export interface AttemptRecord {
    tier: string;
    provider: string;
    model: string;
    outcome: AttemptOutcome;
    /** Milliseconds from the attempt's start to its end (0 when skipped). */
    latency_ms: number;
    /** Milliseconds to the first content event (streams that produced one), else null. */
    ttft_ms: number | null;
    /** tiercel error code when the attempt did not succeed, else null. */
    error_code: string | null;
    /** The provider's Retry-After, in milliseconds, when it sent one. */
    retry_after_ms: number | null;
    /** Short, redacted description of the failure (or skip reason), else null. */
    message: string | null;
}

/** One cascade check of an answer (router/cascade/checkAnswer.ts), in the routing record. */
export interface CascadeRecord {
    /** The tier, provider and model whose answer was checked. */
    tier: string;
    provider: string;
    model: string;
    /**
     * Whether the checks ran: false when a stream's answer outgrew the tier's `streamHoldChars` and was
     * released to the caller unchecked (it can no longer be escalated).
     */
    checked: boolean;
    /** The first check that failed (`truncated`, `min_acceptance_rate`, `validator:json`, ...), else null. */
    failed_check: string | null;
    /** What failed, for people (e.g. "acceptance rate 0.120 < 0.3"); null when it passed. */
    detail: string | null;
    /** The answer's signals as checked (null where the provider reports none). */
    stop_reason: StopReason | null;
    acceptance_rate: number | null;
    mean_logprob: number | null;
    /** The tier the request escalated to after a failed check; null when this answer was served. */
    escalated_to: string | null;
}

/**
 * The routing record: one per request, on every response, stream end, error (`RouteFailedError.routing`)
 * and routing log line. `routing_reason` names the decision's source:
 * - `hint:tier`: the request forced a tier (`hints.tier`);
 * - `rule:<name>`: the first matching config rule;
 * - `classifier:<name>`: the routing classifier (no rule matched);
 * - `default`: nothing matched, the configured default tier;
 * - `feedback:<signature>`: the classifier or default tier, moved one tier up because feedback showed
 *   that tier failing for this task signature (router/feedback/; rules and forced tiers are not moved);
 * - `affinity`: the session's pin, which was at or above what the policy chose;
 * - `escalation:<reason>`: the policy chose a tier above the session's pin, and the pin moved up.
 *
 * A cascade escalation (a cheaper answer failed its check) keeps the routing reason and is recorded in
 * `cascade`, `escalated` and `escalated_from`.
 */
export interface RoutingRecord {
    /** Router-assigned id, also on the log line. */
    request_id: string;
    /** When the router received the request (ISO 8601). */
    timestamp: string;
    /** Tier of the target that answered (the cached entry's tier on a hit); null when the request failed. */
    tier: string | null;
    /** Provider id (config key) that answered; null when the request failed. */
    provider: string | null;
    /** Model that answered, as configured for the target; null when the request failed. */
    model_used: string | null;
    /** The tier the decision chose (before any fallback). */
    decided_tier: string;
    routing_reason: string;
    /** What the rules/classifier/default alone said, before session affinity was applied. */
    policy_reason: string;
    /**
     * The learned classifier's score when it decided the policy tier, else null (rules, default, forced):
     * with `policy_reason`, what `recalibrateFromRecords` (router/learned) recalibrates thresholds from.
     */
    classifier_score: number | null;
    /** Every attempt in order, skipped ones included. Empty on a cache hit. */
    attempts: AttemptRecord[];
    /** Whether the answer came from another target than the plan's first choice. */
    fallback: boolean;
    /** Price-table cost of the answering attempt; 0 on a cache hit; null when the model has no price. */
    cost_usd: number | null;
    /** Token counts of the answer (the cached answer's on a hit); null when the request failed. */
    usage: Usage | null;
    /** `hit` (served from the response cache), `miss` (looked up, not found) or `bypass` (not eligible). */
    cache: "hit" | "miss" | "bypass";
    /** How a hit matched; null unless `cache` is `hit`. */
    cache_match: "exact" | "near_duplicate" | null;
    /**
     * The request moved to a higher tier: a cascade check rejected a cheaper answer, or the session's pin
     * moved up (a policy decision above it). Either way the session's pin ends at the higher tier.
     */
    escalated: boolean;
    /** The tier before the escalation (the pinned tier, or the rejected answer's tier); null unless `escalated`. */
    escalated_from: string | null;
    /** Every cascade check of this request, in order; empty when no tier of it has a cascade. */
    cascade: CascadeRecord[];
    session_id: string | null;
    namespace: string;
    task_type: string | null;
    tags: readonly string[];
    /** Whether the request was `stream()`. */
    stream: boolean;
    /** Milliseconds from receipt to the answer's end (or the failure). */
    latency_ms: number;
    /** Milliseconds from receipt to the first content event the caller received (streams), else null. */
    ttft_ms: number | null;
    /** `ok`, or `error` with `error_code`. */
    outcome: "ok" | "error";
    error_code: string | null;
}

/** Per-call options of `complete` and `stream`. */
export interface RouteOptions {
    /** Cancels the request (the current attempt is aborted; nothing is retried after). */
    signal?: AbortSignal;
    /** Total deadline for the request, all attempts and backoff included. Defaults to `reliability.requestTimeoutMs`. */
    timeoutMs?: number;
}

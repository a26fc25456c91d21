/**
 * What the router adds to the normalized chat format (chat/types.ts): the routing record every result
 * carries, the router's answer and stream events, and its per-call options.
 *
 * Terms used throughout:
 * - tier: a named quality/cost level from config (e.g. "local", "mid", "frontier"), ordered cheapest first.
 * - target: one provider + model inside a tier; a tier lists its targets in preference order.
 * - attempt: one call to one target (a retry is a new attempt on the same target; a fallback an attempt
 *   on another target).
 * - committed: a stream is committed once its first event reached the caller; it is never retried after.
 */
import type {
    CompletionResult,
    MessageEndEvent,
    MessageStartEvent,
    NativeEvent,
    StopReason,
    TextDeltaEvent,
    ToolCallDeltaEvent,
    ToolCallEndEvent,
    ToolCallStartEvent,
    Usage,
} from "../chat/types.js";
import type { CanaryRecord } from "./canary/Canary.js";
import type { AnswerAgreement } from "./mirror/answerAgreement.js";
import type { VersionShift } from "./versions/VersionWatch.js";

export type { VersionShift, VersionSignal } from "./versions/VersionWatch.js";
export type { CanaryRecord, CanaryStatus } from "./canary/Canary.js";
export type { AnswerAgreement } from "./mirror/answerAgreement.js";

/** The router's answer to `complete()`. */
export interface ChatResponse extends CompletionResult {
    routing: RoutingRecord;
}

/**
 * What `router.stream()` yields: the events of the attempt that answered, `message_start` first (tagged
 * with where the answer comes from and why, see `StreamRoute`), and a last `message_end` that carries
 * the routing record.
 */
export type RouterStreamEvent =
    | (MessageStartEvent & StreamRoute)
    | TextDeltaEvent
    | ToolCallStartEvent
    | ToolCallDeltaEvent
    | ToolCallEndEvent
    | NativeEvent
    | (MessageEndEvent & { routing: RoutingRecord });

/**
 * Where a stream's answer comes from, known when it starts: the routing record's fields of the same
 * names, so a caller can send them (e.g. as a response header) before the record exists.
 */
export interface StreamRoute {
    tier: string;
    provider: string;
    /** The model that answers, as configured for the target (as `RoutingRecord.model_used`). */
    model_used: string;
    routing_reason: string;
    /** The tier the decision chose (as `RoutingRecord.decided_tier`): not `tier` when a fallback answers. */
    decided_tier: string;
}

/**
 * How an attempt ended:
 * - `ok`: it answered;
 * - `error`: the provider failed (see `error_code`);
 * - `timeout`: the attempt or first-token timeout fired (E_PROVIDER_TIMEOUT);
 * - `cancelled`: the caller cancelled, or the request's total deadline passed;
 * - `skipped_open`: not tried, the target's circuit breaker is open (E_CIRCUIT_OPEN);
 * - `skipped_unsupported`: not tried, the target cannot serve this request (e.g. tools on the local tier);
 * - `rejected`: it answered, but the answer failed its tier's cascade check and the request escalated
 *   (see `RoutingRecord.cascade`);
 * - `hedge_lost`: one of a hedged pair that the other beat to the first token; it was cancelled and its
 *   breaker permit released (see `RoutingRecord.hedge`).
 */
export type AttemptOutcome =
    | "ok"
    | "error"
    | "timeout"
    | "cancelled"
    | "skipped_open"
    | "skipped_unsupported"
    | "rejected"
    | "hedge_lost";

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
    /**
     * The model version the provider reported for this attempt (the response's model id, e.g. a dated
     * snapshot of the configured alias); null when it reported none (failed before answering, skipped).
     */
    model_version: string | null;
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
 * How a hedge ended (router/hedge/), in the record and as the `outcome` label of
 * `tiercel_router_hedges_total`:
 * - `won`: the hedge produced the first token first; the primary attempt was cancelled (`hedge_lost`);
 * - `lost`: the primary produced its first token first; the hedge was cancelled (`hedge_lost`);
 * - `failed`: the hedge failed before a first token; the primary's own outcome decided the request;
 * - `no_budget`: a hedge was due but the hedge budget was spent, so none was sent.
 */
export type HedgeOutcome = "won" | "lost" | "failed" | "no_budget";

/** A hedged (or budget-denied) first attempt of a streamed request. */
export interface HedgeRecord {
    /** The attempt that was hedged, and the target the hedge went (or would have gone) to: `provider/model`. */
    primary: string;
    hedge: string;
    /** How long the primary had gone without a first token when the hedge was due: its TTFT quantile. */
    delay_ms: number;
    outcome: HedgeOutcome;
    /**
     * Price-table cost of the cancelled attempt so far: the prompt's estimated input tokens (characters / 4;
     * it lost the race to the first token, so it had no output); null when nothing was cancelled or its
     * model has no price. Not in `cost_usd`.
     */
    lost_cost_usd: number | null;
}

/**
 * The routing record: one per request, on every response, stream end, error (`RouteFailedError.routing`)
 * and routing log line. `routing_reason` names the decision's source:
 * - `hint:tier`: the request forced a tier (`hints.tier`);
 * - `rule:<name>`: the first matching config rule;
 * - `classifier:<name>`: the routing classifier (no rule matched);
 * - `default`: nothing matched, the configured default tier;
 * - `feedback:<signature>`: the classifier or default tier, moved one tier up because feedback showed
 *   that tier failing for this feedback signature (router/feedback/; rules and forced tiers are not moved);
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
    /**
     * A cascade decision (the classifier was unsure between two tiers): the upper tier, which the decided
     * tier's cascade may escalate to (`cascade` holds its checks); else null.
     */
    cascade_to: string | null;
    /** The routing policy's version: `policy.version`, or a hash of the routing config (router/policyVersion.ts). */
    policy_version: string;
    /** The caller's `hints.prompt_version`, else null. */
    prompt_version: string | null;
    /** The shadow candidate policy's decision (config `shadow`), else null. Nothing was sent for it. */
    shadow: ShadowRecord | null;
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
    /** The hedge of the request's first attempt (config `hedging`), else null. */
    hedge: HedgeRecord | null;
    /**
     * Why the plan's first target was moved behind its tier's next target: on this request's task signature,
     * its current model version regressed against its baseline version (more errors, escalations or
     * negative ratings, or a slower first token; config `versionShift`); else null.
     */
    version_shift: VersionShift | null;
    /**
     * The request's canary arm and the rollout's decision after its outcome was counted (config `canary`);
     * null without a canary, or outside a target canary's tier.
     */
    canary: CanaryRecord | null;
    /** The request was sampled for mirroring to the candidate model (config `mirror`), else null. */
    mirror: MirrorNote | null;
    /**
     * Set on the record of a mirrored call (never on a served request's): which request it mirrored and
     * how its answer compared. `provider`, `model_used`, `attempts`, `usage`, `cost_usd`, `latency_ms` and
     * `outcome` are the candidate's; the decision fields are the served request's. Else null.
     */
    mirrored: MirroredRecord | null;
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

/** A shadow candidate policy's decision for one request, beside the incumbent's (`shadowReport` sums them). */
export interface ShadowRecord {
    /** The candidate's version: `shadow.policy.version`, or its hash (router/policyVersion.ts). */
    policy_version: string;
    /** The tier the candidate chose. */
    tier: string;
    /** Its reason: `hint:tier`, `rule:<name>`, `classifier:<name>` or `default`. */
    reason: string;
    /** The incumbent policy's tier (before feedback and session affinity), which `agrees` compares with. */
    incumbent_tier: string;
    agrees: boolean;
    /**
     * The answer's usage at the price of the candidate tier's first target: what the candidate would have
     * cost for this answer. Null when the request failed, was a cache hit, or that model has no price.
     */
    predicted_cost_usd: number | null;
}

/** A sampled request's mirroring, on its own (served) record. */
export interface MirrorNote {
    /** The candidate, `provider/model`. */
    target: string;
    /**
     * `sent`: the call started after this answer was handed back; its record (with `mirrored.of` = this
     * request's id) follows when it ends. Not sent: `spend_cap` (its worst-case cost does not fit in
     * today's `mirror.dailySpendCapUsd`), `busy` (`mirror.maxConcurrent` calls in flight), `unsupported`
     * (the candidate cannot serve the request, e.g. tools on a local model).
     */
    status: "sent" | "spend_cap" | "busy" | "unsupported";
}

/** What a mirrored call's record adds: the request it mirrored and how the answers compare. */
export interface MirroredRecord {
    /** `request_id` of the served request. */
    of: string;
    /** `exact`, `same_tool_calls` or `differs` (router/mirror/answerAgreement.ts); null when the call failed. */
    agreement: AnswerAgreement | null;
}

/** Per-call options of `complete` and `stream`. */
export interface RouteOptions {
    /** Cancels the request (the current attempt is aborted; nothing is retried after). */
    signal?: AbortSignal;
    /** Total deadline for the request, all attempts and backoff included. Defaults to `reliability.requestTimeoutMs`. */
    timeoutMs?: number;
}

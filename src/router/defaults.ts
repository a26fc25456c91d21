/**
 * Named defaults of the router's configuration (router/config.ts), each with the reason for its value.
 * Several follow the defaults of LiteLLM, Portkey and Envoy, and what their users reported about them.
 */
import { ErrorCode } from "../errors/codes.js";

/** Output cap when a request sets none: enough for a long code edit, small enough to bound cost. */
export const defaultMaxTokens = 4096;

/** Total budget of one request, every attempt and backoff included: a long frontier answer fits. */
export const defaultRequestTimeoutMs = 300_000;
/** One attempt's budget (unary: the whole answer; stream: the whole stream), inside the total deadline. */
export const defaultAttemptTimeoutMs = 120_000;
/**
 * How long a stream may take to its first content event before the attempt is abandoned for a
 * fallback: a provider that is stuck before its first token is the failure a caller notices most.
 */
export const defaultFirstTokenTimeoutMs = 30_000;
/**
 * Retries of one target before falling back to the next. One: the fallback chain is the main recovery,
 * and the SDKs' own default (2, on top of ours) is exactly the stacked-retries trap (`maxRetries: 0` there).
 */
export const defaultMaxRetries = 1;
/** First backoff step; doubled per retry, with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export const defaultBackoffBaseMs = 250;
/** Backoff ceiling. */
export const defaultBackoffMaxMs = 4_000;
/**
 * A Retry-After longer than this is not waited out: the request falls back to the next target at once
 * (Portkey caps retry waits at 60 s overall; an interactive agent should not sit idle that long).
 */
export const defaultMaxRetryAfterMs = 10_000;
/**
 * Non-retryable codes that still move a request to the next target: another provider may hold valid
 * credentials, a bigger context window, a grammar for the schema or the model (LiteLLM's context-window
 * and general fallbacks).
 */
export const defaultFallbackOn: readonly ErrorCode[] = [
    ErrorCode.ProviderAuth,
    ErrorCode.ContextOverflow,
    ErrorCode.SchemaUnsupported,
    ErrorCode.ModelNotFound,
    ErrorCode.ProviderRateLimited,
];

/** Consecutive failures that open a breaker (Envoy outlier detection's `consecutive_5xx` default). */
export const defaultBreakerConsecutiveFailures = 5;
/** Failure share in the window that opens a breaker (LiteLLM cools down above 50 % in a minute). */
export const defaultBreakerFailureRatio = 0.5;
/**
 * Requests the window must hold before the ratio counts: LiteLLM's "one failing request in a quiet
 * minute" cooldowns are a known complaint; Portkey 2.0 uses 5, we want a little more evidence.
 */
export const defaultBreakerMinimumRequests = 10;
/** Sliding window of the failure ratio and the latency trigger (LiteLLM's per-minute accounting). */
export const defaultBreakerWindowMs = 60_000;
/** First open period (Envoy `base_ejection_time`, Portkey's 30 s minimum cooldown). */
export const defaultBreakerOpenMs = 30_000;
/** Open periods double on each re-open up to this (Envoy `max_ejection_time`, 300 s). */
export const defaultBreakerMaxOpenMs = 300_000;
/** Probes let through at once while half-open (LiteLLM's classifier breaker: a single probe). */
export const defaultBreakerHalfOpenProbes = 1;
/**
 * A half-open probe not settled within this counts as failed: no probe may outlive the whole request
 * budget, and a permit its consumer forgot must not keep the breaker half-open (every later request
 * would get E_CIRCUIT_OPEN).
 */
export const defaultBreakerProbeTimeoutMs = defaultRequestTimeoutMs;
/** Successful probes that close a half-open breaker. */
export const defaultBreakerHalfOpenSuccesses = 1;
/**
 * Time-to-first-token budget of a hosted target: slower first tokens count as slow samples for the
 * latency trigger (no surveyed gateway has one; anchors/router.md §9.2). Set a tighter one per target
 * (the local tier: a few hundred ms).
 */
export const defaultTtftBudgetMs = 10_000;
/** Share of slow first tokens in the window that opens a breaker. */
export const defaultBreakerSlowRatio = 0.5;
/** First-token samples the window must hold before the slow share counts. */
export const defaultBreakerMinimumLatencySamples = 5;
/**
 * Codes that count as a target's failure. Caller errors (bad request, context overflow) and the
 * caller's own cancel/deadline say nothing about the target's health and are left out.
 *
 * So is E_QUEUE_FULL, the local tier's own load shedding: it answers at once (no latency for a breaker to
 * save), says "busy this instant", not "broken", and the request moves on to the next target without the
 * breaker (it is retryable). Counted, a burst of parallel agent requests (sub-agents) opened the local
 * tier's breaker: 80 concurrent requests on a local-only `npm start` (4 sequences, queue 64) opened it
 * after five refusals, and for its 30 s open period every request failed, the queue long drained
 * (session 18). Hosted rate limits (429) stay counted: a provider's limit window is about a minute and
 * each refused call costs a round trip.
 */
export const defaultBreakerFailureCodes: readonly ErrorCode[] = [
    ErrorCode.ProviderRateLimited,
    ErrorCode.ProviderOverloaded,
    ErrorCode.ProviderUnavailable,
    ErrorCode.ProviderTimeout,
    ErrorCode.ProviderStream,
    ErrorCode.ProviderAuth,
    ErrorCode.NotReady,
    ErrorCode.ModelUnavailable,
    ErrorCode.Internal,
];

/** Idle time after which a session pin is forgotten (LiteLLM's `session_affinity_ttl_seconds`, 3600). */
export const defaultAffinityTtlMs = 3_600_000;
/** Sessions remembered at once, least recently used evicted first: memory stays bounded (LiteLLM's leaks). */
export const defaultAffinityMaxSessions = 10_000;

/**
 * Cached answers live this long: code under edit changes within minutes, and LiteLLM's router data
 * shows 5-minute warm windows suffice for agent switch-backs.
 */
export const defaultCacheTtlMs = 300_000;
/** Cached answers kept at once (least recently used evicted first). */
export const defaultCacheMaxEntries = 1_000;
/** Answers longer than this (characters of text and tool input) are not cached. */
export const defaultCacheMaxEntryChars = 200_000;
/**
 * Answers sampled at temperature > 0 without a seed are not cached: the caller asked for a draw, and
 * replaying one draw to every later request turns variety into a constant. A seeded request names its
 * draw, and is cached (cacheKey.ts).
 */
export const defaultCacheSampled = false;
/**
 * Near-duplicate matching is off: a similar question is not the same question, and an agent that gets
 * the answer to a neighbouring one acts on it. Opt in where prompts are known to repeat with noise.
 */
export const defaultCacheNearDuplicate = false;
/**
 * Near-duplicate threshold: Jaccard similarity of the last user turn's character trigrams. High, because
 * the history must already be identical; what it absorbs is whitespace, case and small rewording.
 */
export const defaultCacheMinSimilarity = 0.9;
/** Near-duplicate candidates compared per identical context (newest first). */
export const defaultCacheMaxCandidates = 8;

/** Namespace of requests that name none: the response cache is scoped per namespace. */
export const defaultNamespace = "default";

// ---- cascades (router/cascade/) and feedback (router/feedback/) ---------------------------------

/**
 * Escalations per request: one step up (local → mid) is the cascade FrugalGPT and AutoMix evaluate; a
 * second step doubles the worst-case latency for a request that is already going badly.
 */
export const defaultCascadeMaxEscalations = 1;
/**
 * stream(): characters of a cheap tier's answer held back to check it before anything reaches the
 * caller. About 500 tokens: a local completion or a short JSON answer fits whole (so it can still be
 * escalated); a long answer is released unchecked rather than making the caller wait for all of it.
 */
export const defaultCascadeStreamHoldChars = 2_000;

/**
 * Feedback evidence halves every day: an agent's mix of tasks and the models behind the tiers change
 * over days, and a signature moved up by old failures must get to try its cheap tier again.
 */
export const defaultFeedbackHalfLifeMs = 86_400_000;
/** Decayed outcomes a tier needs for a signature before feedback may move that signature up. */
export const defaultFeedbackMinEvidence = 5;
/**
 * Reward (0..1 per outcome) one tier step must buy before feedback moves a signature up: with no
 * evidence on the higher tier (prior 0.5) the cheaper tier must be below 0.3, i.e. mostly failing.
 */
export const defaultFeedbackCostWeight = 0.2;
/** Task signatures remembered (least recently used evicted): type × size bucket stays far below this. */
export const defaultFeedbackMaxSignatures = 1_000;
/** Answered requests that can still be rated (least recently used evicted). */
export const defaultFeedbackMaxPendingRequests = 10_000;
/** How often learned preferences are written to `feedback.statePath` when they changed. */
export const defaultFeedbackSaveIntervalMs = 60_000;

// ---- hedged requests (hedge/) -------------------------------------------------------------------

/**
 * Hedging is opt-in. A hedge sends the whole prompt a second time: on a hosted tier that is a second
 * bill for the input tokens (an agent's turn is ~15k of them) and a prompt-cache miss, and the fallback
 * on `firstTokenTimeoutMs` already ends the worst stalls. An operator who wants the p99 and accepts
 * up to `budgetRatio` more requests turns it on.
 */
export const defaultHedgingEnabled = false;
/** The hedge starts when the first target has been silent for its p95 (Dean & Barroso, "The Tail at Scale"). */
export const defaultHedgingQuantile = 0.95;
/** First-token samples kept per target: enough for a stable p95 (10 samples above it), recent enough to follow a slow day. */
export const defaultHedgingWindowSamples = 200;
/** Samples a target needs before it is hedged: a p95 of fewer is a guess. */
export const defaultHedgingMinSamples = 20;
/** Extra requests at most 5 % of the hedgeable ones: the tail is cut for a bounded cost. */
export const defaultHedgingBudgetRatio = 0.05;
/** Window of the budget: a minute, as the breakers' (a burst of slow answers cannot borrow from last hour). */
export const defaultHedgingBudgetWindowMs = 60_000;

// ---- model-version regressions (versions/) ---------------------------------------------------------

/**
 * On: a target whose new model version fails its cascade checks clearly more often than its first
 * version did is moved behind its tier's next target without anyone watching dashboards; with no
 * cascade on its tier, there is no signal and nothing moves.
 */
export const defaultVersionShiftEnabled = true;
/** Checked answers a version needs before its failure rate is compared: fewer would shift on noise. */
export const defaultVersionShiftMinAnswers = 20;
/** 15 points more failed checks than the baseline version: well above the noise of 20-100 answers. */
export const defaultVersionShiftThreshold = 0.15;
/** Checked answers kept per version: recent enough that a fixed snapshot recovers within ~100 answers. */
export const defaultVersionShiftWindowAnswers = 100;
/** A shifted target still starts 10 % of its requests, so recovery is seen without an operator. */
export const defaultVersionShiftShiftedShare = 0.1;
/** A median first token twice the baseline version's: a real slowdown, not a busy hour's noise. */
export const defaultVersionShiftTtftRatio = 2;
/** (target, task signature) cells kept: an agent's traffic has a few dozen signatures per target. */
export const defaultVersionShiftMaxSignatures = 1_000;

// ---- canary rollout (canary/) ---------------------------------------------------------------------

/** 5 % of sessions: a bad candidate hurts few sessions, and at ~5 % failures a decision comes within a few thousand requests. */
export const defaultCanaryShare = 0.05;
/**
 * Roll back a candidate that fails twice as often as the incumbent: a smaller ratio needs many more
 * failures to tell apart at a 5 % share (about 3× as many at 1.5), a larger one lets clear regressions through.
 */
export const defaultCanaryWorseRatio = 2;
/** 5 % false rollbacks: a wrongly rolled-back candidate costs a rerun, not an outage. */
export const defaultCanaryAlpha = 0.05;
/** 5 % false promotions of a candidate that fails `worseRatio` times as often. */
export const defaultCanaryBeta = 0.05;
/** The candidate answers 200 requests before it can be promoted: a promotion on a handful of requests says little about the task mix. */
export const defaultCanaryMinRequests = 200;
/** An agent waiting 30 s for a first token (or a unary answer) has a failed turn, whatever the text. */
export const defaultCanarySlowMs = 30_000;
/** How often a canary's evidence is written to `canary.statePath` when it changed (a decision is written at once). */
export const defaultCanarySaveIntervalMs = 60_000;

// ---- mirroring to a candidate model (mirror/) ------------------------------------------------------

/** 1 % of the served requests: enough answers per day to compare a candidate, a small share of the bill. */
export const defaultMirrorSampleRate = 0.01;
/** A mirrored call gets as long as a served attempt (`reliability.attemptTimeoutMs`'s default): a slow candidate is measured, not cut. */
export const defaultMirrorTimeoutMs = 120_000;
/** Mirrored calls in flight at once: a burst of sampled requests cannot open many connections nobody waits for. */
export const defaultMirrorMaxConcurrent = 4;

// ---- routing records (RoutingLog.ts) -------------------------------------------------------------

/** First reopen of the records file after a write error: soon enough that few records are lost. */
export const defaultRecordsReopenBaseMs = 1_000;
/** Reopen delay ceiling: a disk that stays full is retried once a minute, not in a busy loop. */
export const defaultRecordsReopenMaxMs = 60_000;

/**
 * Every tiercel metric, defined in one place: name, help, labels, buckets. Names follow Prometheus
 * conventions (`tiercel_<noun>_<unit>`, counters end in `_total`). Speculative decoding is counted as vLLM
 * and llama.cpp do (drafts, draft tokens, accepted tokens, accepted per draft position), so the derived
 * rates are PromQL expressions rather than averages of averages:
 *
 *     # acceptance rate: share of drafted tokens the target accepted
 *     sum by (proposer) (rate(tiercel_spec_accepted_tokens_total[5m]))
 *       / sum by (proposer) (rate(tiercel_spec_draft_tokens_total[5m]))
 *
 *     # mean acceptance length: tokens emitted per drafted verification step
 *     1 + sum by (proposer) (rate(tiercel_spec_accepted_tokens_total[5m]))
 *       / sum by (proposer) (rate(tiercel_spec_drafts_total[5m]))
 *
 *     # acceptance rate at draft position p (how far drafts stay right)
 *     sum by (proposer, position) (rate(tiercel_spec_accepted_tokens_per_pos_total[5m]))
 *       / ignoring(position) group_left sum by (proposer) (rate(tiercel_spec_drafts_total[5m]))
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { GenerationStats } from "../engine/types.js";

/** What the gauges read at scrape time (undefined while the engine is not loaded). */
export type EngineLoadSource = () =>
    | {
          inUse: number;
          queued: number;
          size: number;
          /** The host KV cache's files and counts (engine.hostCache); absent when it is turned off. */
          hostCache?: {
              bytes: number;
              entries: number;
              saves: { ok: number; failed: number };
              loads: { ok: number; failed: number };
              evictions: number;
          };
      }
    | undefined;

/** Latency buckets (seconds) for whole requests: a tiny completion up to a long generation. */
const requestBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Buckets (seconds) for the first token: prompt evaluation of a few tokens up to a full long context. */
const firstTokenBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Buckets (seconds) per output token: ~2,000 tok/s (tiny models, speculation) down to ~1 tok/s. */
const tokenBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28];

export function createMetrics(registry: Registry, load: EngineLoadSource) {
    const registers = [registry];
    return {
        /**
         * Finished Inference calls by method and gRPC status name (OK, INVALID_ARGUMENT, ...).
         * Error ratio: `sum(rate(tiercel_requests_total{code!="OK"}[5m])) / sum(rate(tiercel_requests_total[5m]))`
         */
        requests: new Counter({
            name: "tiercel_requests_total",
            help: "Finished Inference calls by method and gRPC status code.",
            labelNames: ["method", "code"] as const,
            registers,
        }),
        /**
         * Inference call latency, arrival to status, by method.
         * p95: `histogram_quantile(0.95, sum by (le, method) (rate(tiercel_request_duration_seconds_bucket[5m])))`
         */
        requestDuration: new Histogram({
            name: "tiercel_request_duration_seconds",
            help: "Inference call latency from arrival to final status, by method.",
            labelNames: ["method"] as const,
            buckets: requestBuckets,
            registers,
        }),
        /**
         * Time from the engine receiving a generation (queue wait included) to its first token.
         * p50: `histogram_quantile(0.5, sum by (le) (rate(tiercel_time_to_first_token_seconds_bucket[5m])))`
         */
        timeToFirstToken: new Histogram({
            name: "tiercel_time_to_first_token_seconds",
            help: "Time from request arrival at the engine (queue wait included) to the first generated token.",
            buckets: firstTokenBuckets,
            registers,
        }),
        /**
         * Time per output token after the first: a chunk of n tokens arriving t seconds after the previous
         * one counts n observations of t / n (speculation commits several tokens per target pass).
         * Mean: `rate(tiercel_inter_token_latency_seconds_sum[5m]) / rate(tiercel_inter_token_latency_seconds_count[5m])`
         */
        interTokenLatency: new Histogram({
            name: "tiercel_inter_token_latency_seconds",
            help: "Time per generated token after the first (a chunk's gap divided among its tokens).",
            buckets: tokenBuckets,
            registers,
        }),
        /**
         * Time generations waited for a free sequence.
         * p95: `histogram_quantile(0.95, sum by (le) (rate(tiercel_queue_wait_seconds_bucket[5m])))`
         */
        queueWait: new Histogram({
            name: "tiercel_queue_wait_seconds",
            help: "Time a generation waited for a free context sequence.",
            buckets: firstTokenBuckets,
            registers,
        }),
        /** Generated tokens. Throughput: `rate(tiercel_generated_tokens_total[1m])` */
        generatedTokens: new Counter({
            name: "tiercel_generated_tokens_total",
            help: "Tokens generated (completion tokens) over all finished generations.",
            registers,
        }),
        /** Prompt tokens (after chat rendering). Prefill load: `rate(tiercel_prompt_tokens_total[1m])` */
        promptTokens: new Counter({
            name: "tiercel_prompt_tokens_total",
            help: "Prompt tokens over all finished generations.",
            registers,
        }),
        /**
         * Prompt tokens served from a sequence's KV cache instead of being evaluated.
         * Reuse ratio: `rate(tiercel_prompt_tokens_reused_total[5m]) / rate(tiercel_prompt_tokens_total[5m])`
         */
        promptTokensReused: new Counter({
            name: "tiercel_prompt_tokens_reused_total",
            help: "Prompt tokens whose KV cache was reused (held by the sequence, or copied from another's).",
            registers,
        }),
        /** Of the reused prompt tokens, those copied from another sequence's cache (a shared prefix). */
        promptTokensCopied: new Counter({
            name: "tiercel_prompt_tokens_copied_total",
            help: "Reused prompt tokens copied from another sequence's KV cache (a prefix shared across sessions).",
            registers,
        }),
        /** Of the reused prompt tokens, those loaded from the host cache (a conversation saved from a sequence). */
        promptTokensRestored: new Counter({
            name: "tiercel_prompt_tokens_restored_total",
            help: "Reused prompt tokens loaded from the host KV cache (a conversation saved when another took its sequence).",
            registers,
        }),
        /** Verification steps that had at least one drafted token, by proposer ("ngram" or a draft model id). */
        specDrafts: new Counter({
            name: "tiercel_spec_drafts_total",
            help: "Speculative verification steps with at least one drafted token, by proposer.",
            labelNames: ["proposer"] as const,
            registers,
        }),
        /** Drafted tokens, by proposer. */
        specDraftTokens: new Counter({
            name: "tiercel_spec_draft_tokens_total",
            help: "Tokens proposed by drafters, by proposer.",
            labelNames: ["proposer"] as const,
            registers,
        }),
        /** Drafted tokens the target accepted, by proposer. */
        specAcceptedTokens: new Counter({
            name: "tiercel_spec_accepted_tokens_total",
            help: "Drafted tokens accepted by the target, by proposer.",
            labelNames: ["proposer"] as const,
            registers,
        }),
        /** Steps that accepted at least position + 1 drafted tokens (position counts from 0), by proposer. */
        specAcceptedPerPos: new Counter({
            name: "tiercel_spec_accepted_tokens_per_pos_total",
            help: "Verification steps that accepted the drafted token at this position (0-based), by proposer.",
            labelNames: ["proposer", "position"] as const,
            registers,
        }),
        /**
         * Target forward passes during decoding, by proposer ("none" = plain decoding).
         * Tokens per target pass: `rate(tiercel_generated_tokens_total[5m]) / sum(rate(tiercel_spec_target_passes_total[5m]))`
         */
        specTargetPasses: new Counter({
            name: "tiercel_spec_target_passes_total",
            help: "Target model forward passes during decoding (verification plus plain steps), by proposer.",
            labelNames: ["proposer"] as const,
            registers,
        }),
        /**
         * Positions evaluated a second time for their full probability map (grammar + listed vocabulary;
         * engine.grammarTopK): each is one extra target pass. Share of passes:
         * `rate(tiercel_spec_full_map_passes_total[5m]) / sum(rate(tiercel_spec_target_passes_total[5m]))`
         */
        specFullMapPasses: new Counter({
            name: "tiercel_spec_full_map_passes_total",
            help: "Positions evaluated a second time for their full probability map under a grammar, by proposer.",
            labelNames: ["proposer"] as const,
            registers,
        }),
        /**
         * AUTO's verify-curve samples: steps that verified a free drafter's proposal at a pass length
         * unmeasured for long (CostModel.sampleLength; at most one per 500 passes). A steady rate means the
         * traffic does not verify those lengths by itself.
         */
        specExplorations: new Counter({
            name: "tiercel_spec_explorations_total",
            help: "Steps in which AUTO verified a free drafter's proposal to measure a stale pass length.",
            registers,
        }),
        /** Generations waiting for a free sequence now. */
        queueDepth: new Gauge({
            name: "tiercel_queue_depth",
            help: "Generations waiting for a free context sequence.",
            registers,
            collect() {
                this.set(load()?.queued ?? 0);
            },
        }),
        /** Sequences leased to generations now. Utilization: `tiercel_sequences_in_use / tiercel_sequences` */
        sequencesInUse: new Gauge({
            name: "tiercel_sequences_in_use",
            help: "Context sequences leased to running generations.",
            registers,
            collect() {
                this.set(load()?.inUse ?? 0);
            },
        }),
        /** Bytes of conversations' KV caches saved to host memory (engine.hostCache.maxBytes bounds it). */
        hostCacheBytes: new Gauge({
            name: "tiercel_host_kv_cache_bytes",
            help: "Bytes of conversations' KV caches held in the host cache (saved when another took their sequence).",
            registers,
            collect() {
                this.set(load()?.hostCache?.bytes ?? 0);
            },
        }),
        /** Conversations held in the host KV cache. */
        hostCacheEntries: new Gauge({
            name: "tiercel_host_kv_cache_entries",
            help: "Conversations whose KV cache the host cache holds.",
            registers,
            collect() {
                this.set(load()?.hostCache?.entries ?? 0);
            },
        }),
        /**
         * Conversations saved to the host KV cache, by result (`failed`: a full disk, the directory gone;
         * requests are then served without it). Counted by the engine; read at scrape time.
         */
        hostCacheSaves: new Counter({
            name: "tiercel_host_kv_cache_saves_total",
            help: "Conversations saved to the host KV cache, by result (ok, failed).",
            labelNames: ["result"] as const,
            registers,
            collect() {
                setCounts(this, load()?.hostCache?.saves);
            },
        }),
        /** Saved conversations loaded back into a sequence, by result (`failed`: evaluated instead). */
        hostCacheLoads: new Counter({
            name: "tiercel_host_kv_cache_loads_total",
            help: "Saved conversations loaded back from the host KV cache, by result (ok, failed).",
            labelNames: ["result"] as const,
            registers,
            collect() {
                setCounts(this, load()?.hostCache?.loads);
            },
        }),
        /** Saved conversations evicted to keep the host KV cache under engine.hostCache.maxBytes. */
        hostCacheEvictions: new Counter({
            name: "tiercel_host_kv_cache_evictions_total",
            help: "Saved conversations evicted (least recently used) to keep the host KV cache under its byte limit.",
            registers,
            collect() {
                this.reset();
                this.inc(load()?.hostCache?.evictions ?? 0);
            },
        }),
        /** Configured sequences (concurrent generations); 0 until the engine is loaded. */
        sequences: new Gauge({
            name: "tiercel_sequences",
            help: "Context sequences configured (maximum concurrent generations); 0 until models are loaded.",
            registers,
            collect() {
                this.set(load()?.size ?? 0);
            },
        }),
    };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * A counter whose running totals another component keeps (the engine's host KV cache) shows them at scrape
 * time: reset, then set to each total (a counter has no `set`; the totals never go down).
 */
function setCounts(counter: Counter<"result">, totals: { ok: number; failed: number } | undefined): void {
    counter.reset();
    counter.inc({ result: "ok" }, totals?.ok ?? 0);
    counter.inc({ result: "failed" }, totals?.failed ?? 0);
}

/** Counts one finished generation from its final stats. */
export function observeGeneration(metrics: Metrics, stats: GenerationStats): void {
    const { proposer, spec } = stats;
    metrics.timeToFirstToken.observe((stats.queueMs + stats.ttftMs) / 1000);
    metrics.queueWait.observe(stats.queueMs / 1000);
    metrics.generatedTokens.inc(stats.completionTokens);
    metrics.promptTokens.inc(stats.promptTokens);
    metrics.promptTokensReused.inc(stats.promptTokensReused);
    if (stats.promptTokensCopied > 0) metrics.promptTokensCopied.inc(stats.promptTokensCopied);
    if (stats.promptTokensRestored > 0) metrics.promptTokensRestored.inc(stats.promptTokensRestored);
    metrics.specTargetPasses.inc({ proposer }, spec.targetPasses);
    if (spec.fullMapPasses > 0) metrics.specFullMapPasses.inc({ proposer }, spec.fullMapPasses);
    if (stats.speculation.explorations > 0) metrics.specExplorations.inc(stats.speculation.explorations);
    if (spec.drafts === 0) return;
    metrics.specDrafts.inc({ proposer }, spec.drafts);
    metrics.specDraftTokens.inc({ proposer }, spec.draftTokens);
    metrics.specAcceptedTokens.inc({ proposer }, spec.acceptedTokens);
    // Every drafted position is counted (0 included), so a position that is never accepted still shows up.
    spec.acceptedPerPos.forEach((count, position) => {
        metrics.specAcceptedPerPos.inc({ proposer, position: String(position) }, count);
    });
}

/**
 * Observes the tokens of one chunk arriving `gapMs` after the previous token-bearing chunk: `tokens`
 * observations of gapMs / tokens each.
 */
export function observeInterTokenGap(metrics: Metrics, gapMs: number, tokens: number): void {
    const perToken = gapMs / tokens / 1000;
    for (let i = 0; i < tokens; i++) metrics.interTokenLatency.observe(perToken);
}

/** What the router's breaker-state gauge reads at scrape time: one entry per provider/model breaker. */
export type RouterBreakerSource = () => readonly {
    provider: string;
    model: string;
    state: "closed" | "open" | "half_open";
}[];

/** Gauge values of `tiercel_router_breaker_state` (LiteLLM's deployment_state uses the same 0/1/2 idea). */
export const breakerStateValue = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * The in-process router's metrics (src/router). Labels stay bounded: tiers, rule names, provider ids
 * and models all come from config, never from requests.
 *
 *     # decisions per tier and reason (which rules fire)
 *     sum by (tier, reason) (rate(tiercel_router_decisions_total[5m]))
 *     # fallback share: requests answered by another target than the first choice
 *     sum(rate(tiercel_router_fallbacks_total[5m])) / sum(rate(tiercel_router_requests_total[5m]))
 *     # cache hit ratio
 *     sum(rate(tiercel_router_cache_lookups_total{result=~"hit_.*"}[5m])) / sum(rate(tiercel_router_cache_lookups_total[5m]))
 *     # spend per hour by tier
 *     sum by (tier) (increase(tiercel_router_cost_usd_total[1h]))
 *     # targets with an open breaker
 *     tiercel_router_breaker_state == 2
 */
export function createRouterMetrics(registry: Registry, breakers: RouterBreakerSource) {
    const registers = [registry];
    return {
        /**
         * Routing decisions by decided tier and reason: the routing reason's source, from a closed set
         * (`hint:tier`, `rule:<name>`, `classifier:<name>`, `default`, `feedback`, `affinity`,
         * `escalation:<source>`); a feedback reason's task signature is left out (it comes from the request).
         */
        decisions: new Counter({
            name: "tiercel_router_decisions_total",
            help: "Routing decisions by decided tier and routing reason.",
            labelNames: ["tier", "reason"] as const,
            registers,
        }),
        /** Finished routed requests by answering tier ("none" on failure) and outcome (ok, error). */
        requests: new Counter({
            name: "tiercel_router_requests_total",
            help: "Routed requests by the tier that answered (none when failed) and outcome.",
            labelNames: ["tier", "outcome"] as const,
            registers,
        }),
        /** Attempts by provider, model and outcome (ok, error, timeout, cancelled, skipped_open, skipped_unsupported). */
        attempts: new Counter({
            name: "tiercel_router_attempts_total",
            help: "Provider attempts by provider, model and outcome.",
            labelNames: ["provider", "model", "outcome"] as const,
            registers,
        }),
        /** Retries of the same target after a retryable error. */
        retries: new Counter({
            name: "tiercel_router_retries_total",
            help: "Retries of the same target after a retryable error.",
            labelNames: ["provider", "model"] as const,
            registers,
        }),
        /**
         * Cascade decisions (the classifier unsure between two tiers: the lower one first, its cascade may
         * escalate) by the tier served first and the tier it may escalate to. Share of classifier decisions:
         *   sum(rate(tiercel_router_cascade_decisions_total[1h]))
         *     / sum(rate(tiercel_router_decisions_total{reason=~"classifier:.*"}[1h]))
         * Their escalations are the cascade rejections of that tier:
         *   sum(rate(tiercel_router_attempts_total{outcome="rejected"}[1h])) by (provider, model)
         */
        cascadeDecisions: new Counter({
            name: "tiercel_router_cascade_decisions_total",
            help: "Classifier cascade decisions by the tier served first and the tier it may escalate to.",
            labelNames: ["tier", "cascade_to"] as const,
            registers,
        }),
        /** Requests answered by another target than the plan's first, by decided and answering tier. */
        fallbacks: new Counter({
            name: "tiercel_router_fallbacks_total",
            help: "Requests answered by a fallback target, by decided tier and answering tier.",
            labelNames: ["from_tier", "to_tier"] as const,
            registers,
        }),
        /** Session pins moved up a tier. */
        escalations: new Counter({
            name: "tiercel_router_escalations_total",
            help: "Session pins moved to a higher tier, by previous and new tier.",
            labelNames: ["from_tier", "to_tier"] as const,
            registers,
        }),
        /** Breaker state per target: 0 closed, 1 half-open, 2 open. */
        breakerState: new Gauge({
            name: "tiercel_router_breaker_state",
            help: "Circuit breaker state per provider/model: 0 closed, 1 half-open, 2 open.",
            labelNames: ["provider", "model"] as const,
            registers,
            collect() {
                for (const b of breakers())
                    this.set({ provider: b.provider, model: b.model }, breakerStateValue[b.state]);
            },
        }),
        /** Breaker transitions by the state entered and the trip reason ("none" for closing and half-opening). */
        breakerTransitions: new Counter({
            name: "tiercel_router_breaker_transitions_total",
            help: "Circuit breaker transitions by provider, model, state entered and trip reason.",
            labelNames: ["provider", "model", "state", "trip"] as const,
            registers,
        }),
        /** Cache lookups: hit_exact, hit_near, miss (requests not eligible are not counted). */
        cacheLookups: new Counter({
            name: "tiercel_router_cache_lookups_total",
            help: "Response cache lookups by result (hit_exact, hit_near, miss).",
            labelNames: ["result"] as const,
            registers,
        }),
        /**
         * Routing records that could not be written to `records.path` (a full disk, a removed directory).
         * Alert: `increase(tiercel_router_records_dropped_total[15m]) > 0`.
         */
        recordsDropped: new Counter({
            name: "tiercel_router_records_dropped_total",
            help: "Routing records dropped because the records file could not be written.",
            registers,
        }),
        /**
         * Shadow evaluation (router config `shadow`): every decided request, by the incumbent policy's
         * tier and the candidate policy's. Disagreement rate:
         *   sum(rate(tiercel_router_shadow_decisions_total{agrees="false"}[1h]))
         *     / sum(rate(tiercel_router_shadow_decisions_total[1h]))
         */
        shadowDecisions: new Counter({
            name: "tiercel_router_shadow_decisions_total",
            help: "Requests the shadow candidate policy decided, by incumbent tier, candidate tier and agreement.",
            labelNames: ["incumbent_tier", "candidate_tier", "agrees"] as const,
            registers,
        }),
        /**
         * Hedged streams (router config `hedging`) by outcome: `won` (the hedge answered first), `lost`
         * (the primary did), `failed` (the hedge failed), `no_budget` (due, but the budget was spent).
         * Extra requests per routed request, against `hedging.budgetRatio`:
         *   sum(rate(tiercel_router_hedges_total{outcome!="no_budget"}[5m])) / sum(rate(tiercel_router_requests_total[5m]))
         */
        hedges: new Counter({
            name: "tiercel_router_hedges_total",
            help: "Hedged first attempts of streamed requests by outcome (won, lost, failed, no_budget).",
            labelNames: ["outcome"] as const,
            registers,
        }),
        /**
         * Model-version regressions (router config `versionShift`): a target's traffic of one task signature
         * shifted behind its tier's next target because its new version regressed on that signature
         * (`change="shifted"`), back by itself (`returned`) or by an operator (`cleared`). Which signatures
         * are shifted now: `router.versionShifts()` (signatures come from requests, so they are no label).
         */
        versionShifts: new Counter({
            name: "tiercel_router_version_shifts_total",
            help: "Task-signature traffic shifted off a target for a model-version regression (shifted), returned, or cleared by an operator.",
            labelNames: ["provider", "model", "change"] as const,
            registers,
        }),
        /**
         * Requests sampled for mirroring to the candidate model (router config `mirror`), by candidate and
         * outcome: the call's (`ok`, `error`, `timeout`, `cancelled`), or why it was not sent (`spend_cap`,
         * `busy`, `unsupported`). Mirrored share of the answered requests:
         *   sum(rate(tiercel_router_mirrors_total{outcome=~"ok|error|timeout|cancelled"}[1h])) / sum(rate(tiercel_router_requests_total{outcome="ok"}[1h]))
         */
        mirrors: new Counter({
            name: "tiercel_router_mirrors_total",
            help: "Requests sampled for mirroring, by candidate provider, model and outcome (ok, error, timeout, cancelled, spend_cap, busy, unsupported).",
            labelNames: ["provider", "model", "outcome"] as const,
            registers,
        }),
        /**
         * Price-table cost of the mirrored calls (not in `tiercel_router_cost_usd_total`). Today's spend
         * against the cap: `increase(tiercel_router_mirror_cost_usd_total[1d])` (the cap is per UTC day).
         */
        mirrorCost: new Counter({
            name: "tiercel_router_mirror_cost_usd_total",
            help: "Price-table cost (USD) of the calls mirrored to the candidate model.",
            labelNames: ["provider", "model"] as const,
            registers,
        }),
        /**
         * Mirrored answers by agreement with the served answer (`exact`, `same_tool_calls`, `differs`):
         *   sum(rate(tiercel_router_mirror_agreements_total{agreement!="differs"}[1d])) / sum(rate(tiercel_router_mirror_agreements_total[1d]))
         */
        mirrorAgreements: new Counter({
            name: "tiercel_router_mirror_agreements_total",
            help: "Mirrored answers by agreement with the served answer (exact, same_tool_calls, differs).",
            labelNames: ["provider", "model", "agreement"] as const,
            registers,
        }),
        /**
         * Canary rollouts (router config `canary`) decided by the sequential test: `promoted` or
         * `rolled_back`. The evidence: `router.canaryStatus()` and the warning logged with the decision.
         */
        canaryDecisions: new Counter({
            name: "tiercel_router_canary_decisions_total",
            help: "Canary rollouts decided by the sequential test, by decision (promoted, rolled_back).",
            labelNames: ["decision"] as const,
            registers,
        }),
        /** Spend in USD from the price table, by answering tier and model (a cancelled hedge's cost so far included). */
        cost: new Counter({
            name: "tiercel_router_cost_usd_total",
            help: "Cost in USD of answered requests (price table), by tier and model.",
            labelNames: ["tier", "model"] as const,
            registers,
        }),
        /**
         * Routed request latency, receipt to last byte, by answering tier ("none" on failure).
         * p95: `histogram_quantile(0.95, sum by (le, tier) (rate(tiercel_router_request_duration_seconds_bucket[5m])))`
         */
        requestDuration: new Histogram({
            name: "tiercel_router_request_duration_seconds",
            help: "Routed request latency from receipt to the end of the answer, by answering tier.",
            labelNames: ["tier"] as const,
            buckets: requestBuckets,
            registers,
        }),
        /** Time to first content event per streamed attempt, by provider and model (what the latency breaker reads). */
        attemptTimeToFirstToken: new Histogram({
            name: "tiercel_router_attempt_time_to_first_token_seconds",
            help: "Time from an attempt's start to its first content event (streams), by provider and model.",
            labelNames: ["provider", "model"] as const,
            buckets: firstTokenBuckets,
            registers,
        }),
    };
}

export type RouterMetrics = ReturnType<typeof createRouterMetrics>;

/** Buckets (seconds) for gateway HTTP requests: a cached or refused answer up to a long stream. */
const httpBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The agent gateway's HTTP requests. `route` is the endpoint's path template from the gateway's fixed
 * table (`/v1/chat/completions`, ...; `unmatched` for any other path), never the raw URL, so callers
 * cannot mint label values; `protocol` is `openai`, `anthropic` or `none` (health probes); `status` the
 * HTTP status sent (499 when the client left before any status).
 *
 *     # error ratio by route
 *     sum by (route) (rate(tiercel_gateway_requests_total{status=~"5.."}[5m]))
 *       / sum by (route) (rate(tiercel_gateway_requests_total[5m]))
 *     # p95 latency by route (a stream counts to its last byte)
 *     histogram_quantile(0.95, sum by (le, route) (rate(tiercel_gateway_request_duration_seconds_bucket[5m])))
 */
export function createGatewayMetrics(registry: Registry) {
    const registers = [registry];
    return {
        /** Finished HTTP requests by route, protocol and status. */
        requests: new Counter({
            name: "tiercel_gateway_requests_total",
            help: "Finished gateway HTTP requests by route template, protocol and status.",
            labelNames: ["route", "protocol", "status"] as const,
            registers,
        }),
        /** Arrival to the response's end (or the client leaving), by route and protocol. */
        requestDuration: new Histogram({
            name: "tiercel_gateway_request_duration_seconds",
            help: "Gateway HTTP request latency from arrival to the end of the response, by route and protocol.",
            labelNames: ["route", "protocol"] as const,
            buckets: httpBuckets,
            registers,
        }),
        /** Requests being served now, by route. */
        inFlight: new Gauge({
            name: "tiercel_gateway_requests_in_flight",
            help: "Gateway HTTP requests in flight, by route template.",
            labelNames: ["route"] as const,
            registers,
        }),
    };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;

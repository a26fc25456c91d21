/**
 * The engine's and gRPC service's metrics (the router's: createRouterMetrics.ts, the agent gateway's:
 * createGatewayMetrics.ts; all registered on one registry, registry.ts). Names follow Prometheus
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
import { latencyBuckets } from "./latencyBuckets.js";

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
            buckets: latencyBuckets.request,
            registers,
        }),
        /**
         * Time from the engine receiving a generation (queue wait included) to its first token.
         * p50: `histogram_quantile(0.5, sum by (le) (rate(tiercel_time_to_first_token_seconds_bucket[5m])))`
         */
        timeToFirstToken: new Histogram({
            name: "tiercel_time_to_first_token_seconds",
            help: "Time from request arrival at the engine (queue wait included) to the first generated token.",
            buckets: latencyBuckets.firstToken,
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
            buckets: latencyBuckets.token,
            registers,
        }),
        /**
         * Time generations waited for a free sequence.
         * p95: `histogram_quantile(0.95, sum by (le) (rate(tiercel_queue_wait_seconds_bucket[5m])))`
         */
        queueWait: new Histogram({
            name: "tiercel_queue_wait_seconds",
            help: "Time a generation waited for a free context sequence.",
            buckets: latencyBuckets.firstToken,
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

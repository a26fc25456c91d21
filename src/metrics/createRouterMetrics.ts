import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { latencyBuckets } from "./latencyBuckets.js";

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
            buckets: latencyBuckets.request,
            registers,
        }),
        /** Time to first content event per streamed attempt, by provider and model (what the latency breaker reads). */
        attemptTimeToFirstToken: new Histogram({
            name: "tiercel_router_attempt_time_to_first_token_seconds",
            help: "Time from an attempt's start to its first content event (streams), by provider and model.",
            labelNames: ["provider", "model"] as const,
            buckets: latencyBuckets.firstToken,
            registers,
        }),
    };
}

export type RouterMetrics = ReturnType<typeof createRouterMetrics>;

/**
 * The router's configuration schema: validated once by `parseRouterConfig` (createRouter calls it), and
 * the static `RouterConfig` type everything in router/ and providers/ receives. Same rules as
 * config/schema.ts: every object is `.strict()` (an unknown key is an error naming it), every default is
 * written down as "Defaults to X" and comes from a named constant in ./defaults.ts, and cross-references
 * (tier names, provider ids) are checked here so a typo fails at start-up, not on the first request.
 *
 * Each provider's own settings are its schema in providers/providerConfig.ts.
 */
import { z } from "zod";
import { ErrorCode } from "../errors/codes.js";
import { parseStrict } from "../config/parseStrict.js";
import * as d from "./defaults.js";
import * as learned from "./learned/defaults.js";
import { providerConfigSchema } from "../providers/providerConfig.js";
import { hedgingSchema } from "./hedge/hedgingSchema.js";
import { versionShiftSchema } from "./versions/versionShiftSchema.js";
import { canarySchema } from "./canary/canarySchema.js";
import { mirrorSchema, type MirrorConfig } from "./mirror/mirrorSchema.js";
import { priceOf } from "./cost.js";
import { idSchema, policySchema, type ruleSchema } from "./policySchema.js";

const positiveMs = z.number().int().min(1);
const errorCodeSchema = z.enum(ErrorCode);

/** One provider + model of a tier; the reliability fields override `reliability`/`breaker` for it. */
const targetSchema = z
    .object({
        /** A key of `providers`. */
        provider: idSchema,
        /** Model id sent to the provider (local tier: the server's target id, or "" for its default). */
        model: z.string(),
        /** Retries on this target before falling back. Defaults to `reliability.maxRetries`. */
        maxRetries: z.number().int().min(0).max(10).optional(),
        /** Per-attempt budget. Defaults to `reliability.attemptTimeoutMs`. */
        attemptTimeoutMs: positiveMs.optional(),
        /** Streams: first-content budget before abandoning the attempt. Defaults to `reliability.firstTokenTimeoutMs`. */
        firstTokenTimeoutMs: positiveMs.optional(),
        /** Slow-sample threshold of the latency breaker; `null` turns the latency trigger off. Defaults to `breaker.ttftBudgetMs`. */
        ttftBudgetMs: positiveMs.nullable().optional(),
    })
    .strict();

/**
 * A tier's cascade: its answers are checked before they are served, and one that fails a check is
 * escalated to the next tier up (router/cascade/). Checks run in this order; the first failure decides.
 */
const cascadeSchema = z
    .object({
        /**
         * Escalate answers cut off by the output cap (`stop_reason: "max_tokens"`, the local tier's
         * FINISH_REASON_LENGTH). Defaults to `true`.
         */
        rejectTruncated: z.boolean().default(true),
        /**
         * Escalate when the speculative acceptance rate (accepted / drafted tokens) is below this: a target
         * that keeps disagreeing with its drafter is often off its training distribution. Answers without
         * drafts (and hosted answers) carry no rate and are not checked, nor are answers sampled at
         * temperature > 0, whose rate falls with temperature (cascade/checkAnswer.ts). Defaults to none.
         */
        minAcceptanceRate: z.number().min(0).max(1).optional(),
        /**
         * Escalate when the mean log-probability of the emitted tokens (nats, ≤ 0) is below this. Setting
         * it makes the router ask this tier for the signal (`return_confidence`), which costs the local
         * tier some decode speed (README). Answers without the signal, and answers sampled at temperature
         * > 0, are not checked. Defaults to none.
         */
        minMeanLogprob: z.number().max(0).optional(),
        /**
         * Cheap validators of the answer's text: `non_empty`; `json` (the answer, or its json/untagged
         * fenced blocks, parse as JSON); `typescript` (ts/js fenced blocks, or the whole answer when it has
         * no fences, parse without syntax errors). Defaults to none.
         */
        validators: z.array(z.enum(["non_empty", "json", "typescript"])).default([]),
        /**
         * stream(): hold up to this many characters of the answer before the first byte reaches the caller,
         * so the checks can run on a complete answer. An answer that ends within the bound is checked (and
         * escalated if it fails); a longer one is released unchecked and never escalated. Holding costs
         * time to first token. 0 = never hold (streams skip the cascade). Defaults to 2000.
         */
        streamHoldChars: z.number().int().min(0).default(d.defaultCascadeStreamHoldChars),
    })
    .strict();

const tierSchema = z
    .object({
        /** Tier name, used in rules, records and metrics labels. */
        name: idSchema,
        /** Targets in preference order. */
        targets: z.array(targetSchema).min(1),
        /**
         * Tiers whose targets follow this tier's in the fallback chain, in order. Defaults to every higher
         * tier (ascending), then every lower tier (descending): a request is answered if anything can.
         */
        fallback: z.array(idSchema).optional(),
        /** Check this tier's answers and escalate failures one tier up (see cascadeSchema). Defaults to none. */
        cascade: cascadeSchema.optional(),
        /**
         * Order of this tier's targets for a request no session pin places: `ordered` = as listed
         * (preference: a primary and its fallbacks), `least_loaded` = fewest requests in flight from this
         * router first, ties taken in turn (replicas of one service, e.g. one tiercel server per CUDA host;
         * a session then stays on the server holding its KV prefix through its pin). Needs breakers (they
         * count the in-flight requests); without them the order is as listed. Defaults to `least_loaded`
         * when every target is a local provider, else `ordered`.
         */
        balance: z.enum(["ordered", "least_loaded"]).optional(),
    })
    .strict();

const priceSchema = z
    .object({
        /** USD per million input tokens. */
        inputPerMTok: z.number().min(0),
        /** USD per million output tokens. */
        outputPerMTok: z.number().min(0),
        /**
         * USD per million input tokens read from the provider's prompt cache. Defaults to a tenth of
         * `inputPerMTok`: what Anthropic bills cache reads at, and OpenAI its cached input on the GPT-5 family
         * (set it for models priced otherwise).
         */
        cacheReadPerMTok: z.number().min(0).optional(),
        /**
         * USD per million input tokens written to the provider's prompt cache. Defaults to 1.25 ×
         * `inputPerMTok`: Anthropic's price for a five-minute cache write (only Anthropic reports writes).
         */
        cacheWritePerMTok: z.number().min(0).optional(),
    })
    .strict();

export const routerConfigSchema = z
    .object({
        /** Providers by id (the id is what targets name and what records and metrics show). */
        providers: z.record(idSchema, providerConfigSchema),
        /** Tiers, cheapest first: escalation and the session ratchet only ever move to the right. */
        tiers: z.array(tierSchema).min(1),
        policy: policySchema,
        /**
         * Shadow evaluation of a candidate policy: on every request its decision is computed beside the
         * incumbent's and recorded (`shadow` in the routing record); nothing is sent on its behalf.
         * `shadowReport(records)` compares the two. Defaults to none.
         */
        shadow: z
            .object({
                /** The candidate policy, same shape as `policy` (its `version` defaults to its own hash). */
                policy: policySchema,
            })
            .strict()
            .optional(),
        defaults: z
            .object({
                /** Output cap for requests that set none. Defaults to 4096. */
                maxTokens: z.number().int().min(1).default(d.defaultMaxTokens),
            })
            .strict()
            .prefault({}),
        reliability: z
            .object({
                /** Total budget per request. Defaults to 300000 ms. */
                requestTimeoutMs: positiveMs.default(d.defaultRequestTimeoutMs),
                /** Budget per attempt. Defaults to 120000 ms. */
                attemptTimeoutMs: positiveMs.default(d.defaultAttemptTimeoutMs),
                /** Streams: budget to the first content event per attempt. Defaults to 30000 ms. */
                firstTokenTimeoutMs: positiveMs.default(d.defaultFirstTokenTimeoutMs),
                /** Retries per target on retryable errors. Defaults to 1. */
                maxRetries: z.number().int().min(0).max(10).default(d.defaultMaxRetries),
                /** First backoff step (doubled per retry, full jitter). Defaults to 250 ms. */
                backoffBaseMs: z.number().int().min(0).default(d.defaultBackoffBaseMs),
                /** Backoff ceiling. Defaults to 4000 ms. */
                backoffMaxMs: z.number().int().min(0).default(d.defaultBackoffMaxMs),
                /** Longer Retry-After values are not waited out; the request falls back instead. Defaults to 10000 ms. */
                maxRetryAfterMs: z.number().int().min(0).default(d.defaultMaxRetryAfterMs),
                /**
                 * Non-retryable codes that still fall back to the next target (retryable ones always do).
                 * Defaults to E_PROVIDER_AUTH, E_CONTEXT_OVERFLOW, E_MODEL_NOT_FOUND, E_PROVIDER_RATE_LIMITED.
                 */
                fallbackOn: z.array(errorCodeSchema).default([...d.defaultFallbackOn]),
            })
            .strict()
            .prefault({}),
        breaker: z
            .object({
                /** Circuit breakers per target. Defaults to `true`. */
                enabled: z.boolean().default(true),
                /** Consecutive failures that open. Defaults to 5. */
                consecutiveFailures: z.number().int().min(1).default(d.defaultBreakerConsecutiveFailures),
                /** Failure share in the window that opens. Defaults to 0.5. */
                failureRatio: z.number().gt(0).max(1).default(d.defaultBreakerFailureRatio),
                /** Outcomes the window must hold before the ratio counts. Defaults to 10. */
                minimumRequests: z.number().int().min(1).default(d.defaultBreakerMinimumRequests),
                /** Sliding window of the ratio and latency triggers. Defaults to 60000 ms. */
                windowMs: z.number().int().min(100).default(d.defaultBreakerWindowMs),
                /** First open period. Defaults to 30000 ms. */
                openMs: positiveMs.default(d.defaultBreakerOpenMs),
                /** Open periods double per consecutive re-open up to this. Defaults to 300000 ms. */
                maxOpenMs: positiveMs.default(d.defaultBreakerMaxOpenMs),
                /** Concurrent probes while half-open. Defaults to 1. */
                halfOpenProbes: z.number().int().min(1).default(d.defaultBreakerHalfOpenProbes),
                /** A probe not settled within this counts as failed. Defaults to 300000 ms. */
                probeTimeoutMs: positiveMs.default(d.defaultBreakerProbeTimeoutMs),
                /** Successful probes that close. Defaults to 1. */
                halfOpenSuccesses: z.number().int().min(1).default(d.defaultBreakerHalfOpenSuccesses),
                /** Time-to-first-token budget; slower first tokens are slow samples. `null` = no latency trigger. Defaults to 10000 ms. */
                ttftBudgetMs: positiveMs.nullable().default(d.defaultTtftBudgetMs),
                /** Slow-sample share in the window that opens. Defaults to 0.5. */
                slowRatio: z.number().gt(0).max(1).default(d.defaultBreakerSlowRatio),
                /** First-token samples the window must hold before the slow share counts. Defaults to 5. */
                minimumLatencySamples: z.number().int().min(1).default(d.defaultBreakerMinimumLatencySamples),
                /** Codes that count as the target's failure. Defaults to provider-side failures (see defaults.ts). */
                failureCodes: z.array(errorCodeSchema).default([...d.defaultBreakerFailureCodes]),
            })
            .strict()
            .refine((b) => b.openMs <= b.maxOpenMs, { message: "breaker.openMs must be ≤ breaker.maxOpenMs" })
            .prefault({}),
        affinity: z
            .object({
                /** Pin sessions (`hints.session_id`) to their tier and target. Defaults to `true`. */
                enabled: z.boolean().default(true),
                /** Idle time after which a pin is dropped. Defaults to 3600000 ms. */
                ttlMs: positiveMs.default(d.defaultAffinityTtlMs),
                /** Pins kept (least recently used evicted). Defaults to 10000. */
                maxSessions: z.number().int().min(1).default(d.defaultAffinityMaxSessions),
            })
            .strict()
            .prefault({}),
        cache: z
            .object({
                /** Response cache. Defaults to `true`. */
                enabled: z.boolean().default(true),
                /** Entry lifetime. Defaults to 300000 ms. */
                ttlMs: positiveMs.default(d.defaultCacheTtlMs),
                /** Entries kept (least recently used evicted). Defaults to 1000. */
                maxEntries: z.number().int().min(1).default(d.defaultCacheMaxEntries),
                /** Longer answers are not cached. Defaults to 200000 characters. */
                maxEntryChars: z.number().int().min(1).default(d.defaultCacheMaxEntryChars),
                /** Also cache answers sampled at `temperature` > 0 (a request's `hints.cache_sampled` overrides it). Defaults to `false`. */
                sampled: z.boolean().default(d.defaultCacheSampled),
                nearDuplicate: z
                    .object({
                        /**
                         * Match the last user turn approximately when everything else, and the turn's numbers,
                         * negations, booleans, identifiers and code, are identical. Defaults to `false` (exact only).
                         */
                        enabled: z.boolean().default(d.defaultCacheNearDuplicate),
                        /** Jaccard similarity of character trigrams. Defaults to 0.9. */
                        minSimilarity: z.number().gt(0).max(1).default(d.defaultCacheMinSimilarity),
                        /** Candidates compared per context. Defaults to 8. */
                        maxCandidates: z.number().int().min(1).max(64).default(d.defaultCacheMaxCandidates),
                    })
                    .strict()
                    .prefault({}),
            })
            .strict()
            .prefault({}),
        /**
         * Prices by model: the key is `<provider>/<model>` or just `<model>` (the qualified key wins).
         * Models without a price get `cost_usd: null`. Defaults to none.
         */
        prices: z.record(z.string().min(1), priceSchema).default({}),
        cascade: z
            .object({
                /** Escalations one request may make after failed cascade checks. Defaults to 1. */
                maxEscalations: z.number().int().min(0).max(10).default(d.defaultCascadeMaxEscalations),
            })
            .strict()
            .prefault({}),
        feedback: z
            .object({
                /**
                 * Learn from `router.feedback(requestId, outcome)` and from cascade rejections which tier each
                 * feedback signature needs (router/feedback/). Defaults to `true`.
                 */
                enabled: z.boolean().default(true),
                /** File the learned preferences persist to (atomically); `null` = memory only. Defaults to `null`. */
                statePath: z.string().min(1).nullable().default(null),
                /** Evidence halves after this long. Defaults to 86400000 ms (one day). */
                halfLifeMs: positiveMs.default(d.defaultFeedbackHalfLifeMs),
                /** Decayed outcomes a tier needs for a signature before it can be moved up. Defaults to 5. */
                minEvidence: z.number().min(0).default(d.defaultFeedbackMinEvidence),
                /** Reward one tier step must buy (outcome rewards are 0..1). Defaults to 0.2. */
                costWeight: z.number().min(0).max(1).default(d.defaultFeedbackCostWeight),
                /** Task signatures kept (least recently used evicted). Defaults to 1000. */
                maxSignatures: z.number().int().min(1).default(d.defaultFeedbackMaxSignatures),
                /** Answered requests that can still be rated (least recently used evicted). Defaults to 10000. */
                maxPendingRequests: z.number().int().min(1).default(d.defaultFeedbackMaxPendingRequests),
                /** Minimum time between writes of `statePath`. Defaults to 60000 ms. */
                saveIntervalMs: positiveMs.default(d.defaultFeedbackSaveIntervalMs),
            })
            .strict()
            .prefault({}),
        /**
         * The learned routing classifier (router/learned/), consulted when no rule matches; its tier names
         * must be configured tiers. Defaults to none (rules, then `policy.defaultTier`).
         */
        classifier: z
            .object({
                /** ONNX model; its metadata json sits beside it. Defaults to the committed models/router/classifier.onnx. */
                model: z.string().min(1).default(learned.defaultClassifierModelPath),
                /** Worker threads, one ONNX session each. Defaults to 1. */
                workers: z.number().int().min(1).max(64).default(learned.defaultClassifierWorkers),
                /** A decision slower than this abstains (the default tier applies). Defaults to 25 ms. */
                timeoutMs: positiveMs.default(learned.defaultClassifierTimeoutMs),
                /** Decisions queued beyond this abstain at once. Defaults to 256. */
                maxQueue: z.number().int().min(1).default(learned.defaultClassifierMaxQueue),
                /**
                 * Score thresholds, one per tier boundary, ascending (e.g. from `recalibrateFromRecords`).
                 * Defaults to the thresholds calibrated into the model's metadata.
                 */
                thresholds: z.array(z.number().min(0).max(1)).min(1).optional(),
                /**
                 * The uncertainty band's upper edges, one per threshold and each at or above it: a score from
                 * a threshold up to its edge is a cascade decision (the lower tier first, its cascade may
                 * escalate; router/learned/LearnedClassifier.ts). `[]` turns cascade decisions off. Defaults
                 * to the band calibrated into the model's metadata, or none when `thresholds` is given.
                 */
                cascadeThresholds: z.array(z.number().min(0).max(1)).optional(),
                /** Name in routing reasons (`classifier:<name>`). Defaults to `"learned"`. */
                name: idSchema.default(learned.defaultClassifierName),
            })
            .strict()
            .optional(),
        hedging: hedgingSchema,
        versionShift: versionShiftSchema,
        canary: canarySchema,
        mirror: mirrorSchema,
        records: z
            .object({
                /** File the routing records are appended to as JSON lines; `null` = none. Defaults to `null`. */
                path: z.string().min(1).nullable().default(null),
            })
            .strict()
            .prefault({}),
    })
    .strict()
    .superRefine((config, ctx) => {
        const tierNames = new Set<string>();
        config.tiers.forEach((tier, i) => {
            if (tierNames.has(tier.name)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["tiers", i, "name"],
                    message: `duplicate tier "${tier.name}"`,
                });
            }
            tierNames.add(tier.name);
            tier.targets.forEach((target, j) => {
                if (!Object.hasOwn(config.providers, target.provider)) {
                    ctx.addIssue({
                        code: "custom",
                        path: ["tiers", i, "targets", j, "provider"],
                        message: `unknown provider "${target.provider}"; add it under "providers" (known: ${Object.keys(config.providers).join(", ") || "none"})`,
                    });
                }
            });
        });
        const known = [...tierNames].join(", ");
        const checkTier = (name: string | undefined, path: (string | number)[]): void => {
            if (name !== undefined && !tierNames.has(name)) {
                ctx.addIssue({ code: "custom", path, message: `unknown tier "${name}" (tiers: ${known})` });
            }
        };
        config.tiers.forEach((tier, i) => {
            tier.fallback?.forEach((name, j) => {
                checkTier(name, ["tiers", i, "fallback", j]);
                if (name === tier.name) {
                    ctx.addIssue({
                        code: "custom",
                        path: ["tiers", i, "fallback", j],
                        message: `tier "${name}" cannot fall back to itself; its own targets already come first`,
                    });
                }
            });
        });
        const checkPolicy = (policy: z.infer<typeof policySchema>, at: string[]): void => {
            checkTier(policy.defaultTier, [...at, "defaultTier"]);
            const ruleNames = new Set<string>();
            policy.rules.forEach((rule, i) => {
                checkTier(rule.tier, [...at, "rules", i, "tier"]);
                if (ruleNames.has(rule.name)) {
                    ctx.addIssue({
                        code: "custom",
                        path: [...at, "rules", i, "name"],
                        message: `duplicate rule "${rule.name}"`,
                    });
                }
                ruleNames.add(rule.name);
            });
        };
        checkPolicy(config.policy, ["policy"]);
        if (config.shadow) checkPolicy(config.shadow.policy, ["shadow", "policy"]);
        const candidate = config.canary?.candidate;
        if (candidate?.policy) checkPolicy(candidate.policy, ["canary", "candidate", "policy"]);
        if (candidate?.target) {
            const { tier, provider } = candidate.target;
            checkTier(tier, ["canary", "candidate", "target", "tier"]);
            if (!Object.hasOwn(config.providers, provider)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["canary", "candidate", "target", "provider"],
                    message: `unknown provider "${provider}"; add it under "providers"`,
                });
            }
        }
        if (config.mirror) checkMirror(config.mirror, config, ctx);
    });

/** The mirror's candidate must exist and have a price (its spend cap is counted in USD). */
function checkMirror(
    mirror: MirrorConfig,
    config: {
        providers: Record<string, { type: string }>;
        prices: Record<string, z.infer<typeof priceSchema>>;
        tiers: readonly { name: string }[];
    },
    ctx: z.RefinementCtx,
): void {
    const { provider, model } = mirror.target;
    const providerConfig = Object.hasOwn(config.providers, provider) ? config.providers[provider] : undefined;
    if (!providerConfig) {
        ctx.addIssue({
            code: "custom",
            path: ["mirror", "target", "provider"],
            message: `unknown provider "${provider}"; add it under "providers"`,
        });
    } else if (providerConfig.type !== "local" && !priceOf(config.prices, provider, model)) {
        ctx.addIssue({
            code: "custom",
            path: ["mirror", "target", "model"],
            message: `no price for "${provider}/${model}"; add it under "prices" (the mirror's spend cap is counted at the price table)`,
        });
    }
    const tierNames = new Set(config.tiers.map((t) => t.name));
    mirror.tiers?.forEach((name, i) => {
        if (!tierNames.has(name))
            ctx.addIssue({
                code: "custom",
                path: ["mirror", "tiers", i],
                message: `unknown tier "${name}" (tiers: ${[...tierNames].join(", ")})`,
            });
    });
}

/** The validated, frozen router configuration. */
export type RouterConfig = z.infer<typeof routerConfigSchema>;
/** What a router config may contain (defaults optional). */
export type RouterConfigInput = z.input<typeof routerConfigSchema>;
export type TierConfig = z.infer<typeof tierSchema>;
export type TargetConfig = z.infer<typeof targetSchema>;
export type RuleConfig = z.infer<typeof ruleSchema>;
export type CascadeConfig = z.infer<typeof cascadeSchema>;
export type PriceConfig = z.infer<typeof priceSchema>;
export type HedgingConfig = RouterConfig["hedging"];

/** Validates a router config; throws ConfigError listing every problem with its path. */
export function parseRouterConfig(input: unknown, source = "router config"): RouterConfig {
    return parseStrict(routerConfigSchema, input, { what: source, readmeSection: "Router" });
}

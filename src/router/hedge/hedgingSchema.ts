/** The router config's `hedging` section (router/config.ts holds the rest; same rules). */
import { z } from "zod";
import * as d from "../defaults.js";

/**
 * Hedged streams (router/hedge/): when the first target has produced no first token by its observed
 * TTFT quantile, the same request also starts on the next target of the plan; the first to stream a
 * token wins and the other is cancelled. Never after a first token, never for requests marked
 * `hints.idempotent: false`, at most one hedge per request, within a budget. Unary requests are not
 * hedged (their latency is the whole answer's, which grows with its length).
 */
export const hedgingSchema = z
    .object({
        /** Defaults to `false`: a hedge pays for the prompt twice (defaults.ts says why). */
        enabled: z.boolean().default(d.defaultHedgingEnabled),
        /** The first target's TTFT quantile after which the hedge starts. Defaults to 0.95. */
        quantile: z.number().gt(0).lt(1).default(d.defaultHedgingQuantile),
        /** First-token samples kept per target (the most recent). Defaults to 200. */
        windowSamples: z.number().int().min(1).max(10_000).default(d.defaultHedgingWindowSamples),
        /** Samples a target needs before its requests are hedged. Defaults to 20. */
        minSamples: z.number().int().min(1).default(d.defaultHedgingMinSamples),
        /** Hedges at most this share of the hedgeable requests in `budgetWindowMs`. Defaults to 0.05. */
        budgetRatio: z.number().gt(0).max(1).default(d.defaultHedgingBudgetRatio),
        /** Sliding window of the budget. Defaults to 60000 ms. */
        budgetWindowMs: z.number().int().min(100).default(d.defaultHedgingBudgetWindowMs),
    })
    .strict()
    .refine((h) => h.minSamples <= h.windowSamples, {
        message: "hedging.minSamples must be ≤ hedging.windowSamples (the window could never hold enough)",
    })
    .prefault({});

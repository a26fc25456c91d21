/** The router config's `canary` section (router/config.ts holds the rest; same rules). */
import { z } from "zod";
import * as d from "../defaults.js";
import { idSchema, policyObjectSchema } from "../policySchema.js";

/**
 * A canary rollout (router/canary/): `share` of the sessions (a stable hash of `hints.session_id`, so a
 * session stays in its arm) is served by the candidate, the rest by the incumbent. Each arm's served
 * requests count as failed on an error, a failed cascade check or a first token (streams) or answer
 * (unary) slower than `slowMs`. A sequential probability ratio test on which arm the failures come from
 * decides, as early as the evidence allows: `promoted` (the candidate fails no more often; it then serves
 * every request until the config makes it the incumbent) or `rolled_back` (it fails `worseRatio` times
 * as often; share → 0). Both are logged with the evidence. Defaults to none.
 */
export const canarySchema = z
    .object({
        /**
         * What the candidate arm changes: exactly one of `policy` (a routing policy, same shape as
         * `policy`, deciding the candidate arm's requests) or `target` (a provider/model that goes first
         * in `tier`; only requests decided to that tier take part).
         */
        candidate: z
            .object({
                policy: policyObjectSchema.optional(),
                target: z
                    .object({
                        /** The tier whose requests the candidate target answers first. */
                        tier: idSchema,
                        /** A key of `providers`. */
                        provider: idSchema,
                        model: z.string(),
                    })
                    .strict()
                    .optional(),
            })
            .strict()
            .refine((c) => (c.policy === undefined) !== (c.target === undefined), {
                message: "canary.candidate needs exactly one of `policy` or `target`",
            }),
        /** Share of the sessions served by the candidate, in (0, 1). Defaults to 0.05. */
        share: z.number().gt(0).lt(1).default(d.defaultCanaryShare),
        /**
         * How much more often than the incumbent the candidate must fail to be rolled back: the test's
         * alternative hypothesis, as a ratio of failure rates (> 1). Defaults to 2.
         */
        worseRatio: z.number().gt(1).max(100).default(d.defaultCanaryWorseRatio),
        /** Chance of rolling back a candidate that fails no more often than the incumbent. Defaults to 0.05. */
        alpha: z.number().gt(0).max(0.5).default(d.defaultCanaryAlpha),
        /** Chance of promoting a candidate that fails `worseRatio` times as often. Defaults to 0.05. */
        beta: z.number().gt(0).max(0.5).default(d.defaultCanaryBeta),
        /** Candidate-arm requests served before it can be promoted (a rollback needs none). Defaults to 200. */
        minRequests: z.number().int().min(1).default(d.defaultCanaryMinRequests),
        /**
         * A served request slower than this counts as failed: its first token (streams) or its answer
         * (unary), in ms; `null` leaves latency out. Defaults to 30000 ms.
         */
        slowMs: z.number().int().min(1).nullable().default(d.defaultCanarySlowMs),
        /**
         * The candidate's name in records, logs and the status, and the hash salt of the assignment.
         * Defaults to the candidate policy's version, or `<provider>/<model>` of the candidate target.
         */
        name: z.string().min(1).max(128).optional(),
        /**
         * File the rollout's evidence, test and decision persist to (atomically), so a restarted router
         * resumes the same rollout instead of starting it over; a file of another rollout (another name,
         * kind, share or test parameters) is ignored with a warning. `null` = memory only. Defaults to `null`.
         */
        statePath: z.string().min(1).nullable().default(null),
        /** Minimum time between writes of `statePath` while evidence comes in. Defaults to 60000 ms. */
        saveIntervalMs: z.number().int().min(1).default(d.defaultCanarySaveIntervalMs),
    })
    .strict()
    .optional();

export type CanaryConfig = NonNullable<z.infer<typeof canarySchema>>;

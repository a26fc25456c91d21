/** The router config's `mirror` section (router/config.ts holds the rest; same rules). */
import { z } from "zod";
import * as d from "../defaults.js";
import { idSchema } from "../policySchema.js";

/**
 * Mirroring to a candidate model (router/mirror/): a sampled share of the requests a provider answered
 * is sent again, after the answer was handed back, to a candidate provider/model. The candidate's answer
 * is never returned to anyone: it is recorded (a routing record with `mirrored`), compared with the
 * served answer, and counted against a daily spend cap. Defaults to none.
 */
export const mirrorSchema = z
    .object({
        /** The candidate: a key of `providers` and the model sent to it. Needs a price in `prices` unless local. */
        target: z
            .object({
                provider: idSchema,
                model: z.string(),
            })
            .strict(),
        /** Share of the answered requests mirrored, in (0, 1]. Defaults to 0.01. */
        sampleRate: z.number().gt(0).max(1).default(d.defaultMirrorSampleRate),
        /**
         * USD the mirrored calls may cost per UTC day, at the `prices` table. A call is sent only when its
         * worst case (estimated input tokens + the request's `max_tokens` of output) fits in what is left;
         * so the cap holds, and mirroring stops for the day once it is reached. Required: no default.
         */
        dailySpendCapUsd: z.number().min(0),
        /** Only requests answered by these tiers are mirrored. Defaults to every tier. */
        tiers: z.array(idSchema).min(1).optional(),
        /** Budget of one mirrored call. Defaults to 120000 ms. */
        timeoutMs: z.number().int().min(1).default(d.defaultMirrorTimeoutMs),
        /** Mirrored calls in flight at once; a sampled request beyond it is not mirrored. Defaults to 4. */
        maxConcurrent: z.number().int().min(1).max(1_000).default(d.defaultMirrorMaxConcurrent),
    })
    .strict()
    .optional();

export type MirrorConfig = NonNullable<z.infer<typeof mirrorSchema>>;

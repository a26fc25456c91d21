/** The router config's `versionShift` section (router/config.ts holds the rest; same rules). */
import { z } from "zod";
import * as d from "../defaults.js";

/**
 * Model-version regressions (router/versions/): when the model version a target reports changes and
 * the new version's cascade failure rate exceeds its first version's by more than `threshold`, the
 * target's traffic shifts to its tier's next target (it keeps `shiftedShare` as first choice), and
 * returns when the rate recovers or the version changes again. Needs a `cascade` on the tier.
 */
export const versionShiftSchema = z
    .object({
        /** Defaults to `true`. */
        enabled: z.boolean().default(d.defaultVersionShiftEnabled),
        /** Checked answers a version needs before its failure rate counts. Defaults to 20. */
        minAnswers: z.number().int().min(1).default(d.defaultVersionShiftMinAnswers),
        /** Failure-rate increase over the baseline version that shifts (absolute). Defaults to 0.15. */
        threshold: z.number().min(0).lt(1).default(d.defaultVersionShiftThreshold),
        /** Checked answers kept per version (the most recent). Defaults to 100. */
        windowAnswers: z.number().int().min(1).max(100_000).default(d.defaultVersionShiftWindowAnswers),
        /** Share of its requests a shifted target still gets first. Defaults to 0.1. */
        shiftedShare: z.number().min(0).lt(1).default(d.defaultVersionShiftShiftedShare),
    })
    .strict()
    .refine((v) => v.minAnswers <= v.windowAnswers, {
        message:
            "versionShift.minAnswers must be ≤ versionShift.windowAnswers (the window could never hold enough)",
    })
    .prefault({});

/** The router config's `versionShift` section (router/config.ts holds the rest; same rules). */
import { z } from "zod";
import * as d from "../defaults.js";

/**
 * Model-version regressions (router/versions/): per target and task signature, when the model version a
 * target reports changes and the new version's error, escalation or negative-feedback rate exceeds its
 * first version's by more than `threshold` (or its TTFT median by `ttftRatio`), that signature's traffic
 * shifts to the tier's next target (the target keeps `shiftedShare` as first choice), and returns when
 * the signals recover, the version changes again or an operator clears it (`router.clearVersionShift`).
 */
export const versionShiftSchema = z
    .object({
        /** Defaults to `true`. */
        enabled: z.boolean().default(d.defaultVersionShiftEnabled),
        /** Samples of a signal a version needs before it counts. Defaults to 20. */
        minAnswers: z.number().int().min(1).default(d.defaultVersionShiftMinAnswers),
        /** Error, escalation or negative-feedback rate increase over the baseline version that shifts (absolute). Defaults to 0.15. */
        threshold: z.number().min(0).lt(1).default(d.defaultVersionShiftThreshold),
        /** TTFT median over the baseline version's, as a ratio, that shifts; `null` leaves TTFT out. Defaults to 2. */
        ttftRatio: z.number().gt(1).nullable().default(d.defaultVersionShiftTtftRatio),
        /** (target, task signature) cells tracked; the least recently seen is dropped. Defaults to 1000. */
        maxSignatures: z.number().int().min(1).default(d.defaultVersionShiftMaxSignatures),
        /** Samples kept per version, signature and signal (the most recent). Defaults to 100. */
        windowAnswers: z.number().int().min(1).max(100_000).default(d.defaultVersionShiftWindowAnswers),
        /** Share of a shifted signature's requests the target still gets first. Defaults to 0.1. */
        shiftedShare: z.number().min(0).lt(1).default(d.defaultVersionShiftShiftedShare),
    })
    .strict()
    .refine((v) => v.minAnswers <= v.windowAnswers, {
        message:
            "versionShift.minAnswers must be ≤ versionShift.windowAnswers (the window could never hold enough)",
    })
    .prefault({});

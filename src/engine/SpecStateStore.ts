/**
 * Persists what AUTO learned (acceptance per drafter and task, costs, confidence histograms) so a
 * restart does not re-learn from zero, in a JsonStateFile (atomic writes; a corrupt file is ignored with
 * a warning, never a crash). State written for another target model is ignored too.
 */
import { z } from "zod";
import type { SpeculationPolicy } from "../speculative/SpeculationPolicy.js";
import { JsonStateFile } from "../util/JsonStateFile.js";
import type { Logger } from "../util/logger.js";

const stateVersion = 1;

const finite = z.number().refine(Number.isFinite, "must be finite");
const stateSchema = z.object({
    version: z.literal(stateVersion),
    /** Which target the estimates belong to (id and file size). */
    target: z.string(),
    savedAt: z.string(),
    policy: z.object({
        acceptance: z.record(z.string(), z.object({ successes: finite, failures: finite })),
        confidence: z.record(z.string(), z.array(z.array(finite))),
        costs: z.object({
            verify: z.object({ s0: finite, s1: finite, s2: finite, sy: finite, sxy: finite }),
            drafters: z.record(
                z.string(),
                z.object({ msPerToken: finite, msPerCall: finite, coverage: finite }),
            ),
        }),
    }),
});

export class SpecStateStore {
    readonly #file: JsonStateFile<z.infer<typeof stateSchema>>;

    constructor(
        readonly path: string,
        /** Identifies the target model; state saved for another target is ignored. */
        readonly targetFingerprint: string,
        readonly logger: Logger,
    ) {
        this.#file = new JsonStateFile(
            path,
            stateSchema,
            "speculation state",
            "set speculation.stateFile to a writable path, or null",
            logger,
        );
    }

    /** Loads saved state into the policy; returns whether anything was loaded. */
    load(policy: SpeculationPolicy): Promise<boolean> {
        const parsed = this.#file.read();
        if (!parsed) return Promise.resolve(false);
        if (parsed.target !== this.targetFingerprint) {
            this.logger.warn("speculation state belongs to another target model; ignoring it", {
                path: this.path,
                savedFor: parsed.target,
                target: this.targetFingerprint,
            });
            return Promise.resolve(false);
        }
        policy.load(parsed.policy);
        this.#file.markSaved(policy.updates);
        return Promise.resolve(true);
    }

    /** Writes the policy's state if it changed since the last save. Failures are logged, not thrown. */
    save(policy: SpeculationPolicy): Promise<void> {
        return this.#file.save(policy.updates, () => ({
            version: stateVersion,
            target: this.targetFingerprint,
            savedAt: new Date().toISOString(),
            policy: policy.toJSON(),
        }));
    }
}

/**
 * Persists what AUTO learned (acceptance per drafter and task, costs, confidence histograms) so a
 * restart does not re-learn from zero, in a JsonStateFile (atomic writes; a corrupt file is ignored with
 * a warning, never a crash). State written for another target model is ignored too.
 */
import { z } from "zod";
import type { SpeculationPolicy } from "../speculative/SpeculationPolicy.js";
import { JsonStateFile } from "../util/JsonStateFile.js";
import type { Logger } from "../util/logger.js";

const stateVersion = 2;

const finite = z.number().refine(Number.isFinite, "must be finite");
/**
 * Counts, sums of counts and times, and costs are never negative: a file that says otherwise was not
 * written by us (a negative cost would make AUTO prefer that drafter for every request), and is ignored
 * with a warning like a corrupt one.
 */
const nonNegative = finite.refine((x) => x >= 0, "must be ≥ 0");
const share = finite.refine((x) => x >= 0 && x <= 1, "must be in [0, 1]");
/** One confidence bucket: [accepted, observed] draft tokens. */
const bucket = z
    .array(nonNegative)
    .length(2)
    .refine(([accepted, observed]) => accepted! <= observed!, "accepted must be ≤ observed");
const stateSchema = z.object({
    version: z.literal(stateVersion),
    /** Which target the estimates belong to (id and file size). */
    target: z.string(),
    savedAt: z.string(),
    policy: z.object({
        acceptance: z.record(z.string(), z.object({ successes: nonNegative, failures: nonNegative })),
        acceptancePositions: z.record(
            z.string(),
            z
                .object({ successes: z.array(nonNegative).max(64), failures: z.array(nonNegative).max(64) })
                .refine((c) => c.successes.length === c.failures.length, "one failure count per position"),
        ),
        confidence: z.record(z.string(), z.array(bucket)),
        costs: z.object({
            verify: z.array(
                z.object({
                    tokens: z.number().int().min(1),
                    weight: nonNegative,
                    msSum: nonNegative,
                }),
            ),
            drafters: z.record(
                z.string(),
                z.object({ msPerToken: nonNegative, msPerCall: nonNegative, coverage: share }),
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

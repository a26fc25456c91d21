/**
 * Persists what AUTO learned (acceptance per drafter and task, costs, confidence histograms) so a
 * restart does not re-learn from zero. The file is written atomically (a private temp file, then
 * rename), so a reader or a concurrent writer never sees a torn file; the last writer wins. A
 * corrupt file, or one written for another target model, is ignored with a warning, never a crash.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { SpeculationPolicy } from "../speculative/SpeculationPolicy.js";
import type { Logger } from "../util/logger.js";
import { writeFileAtomic } from "../util/writeFileAtomic.js";

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
    #savedUpdates = -1;
    /** A failing save is logged once, not every interval, until a save succeeds again. */
    #failing = false;

    constructor(
        readonly path: string,
        /** Identifies the target model; state saved for another target is ignored. */
        readonly targetFingerprint: string,
        readonly logger: Logger,
    ) {}

    /** Loads saved state into the policy; returns whether anything was loaded. */
    async load(policy: SpeculationPolicy): Promise<boolean> {
        let text: string;
        try {
            text = await readFile(this.path, "utf8");
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
                this.logger.warn("speculation state unreadable; starting fresh", {
                    path: this.path,
                    error: String(error),
                });
            }
            return false;
        }
        let parsed: z.infer<typeof stateSchema>;
        try {
            parsed = stateSchema.parse(JSON.parse(text));
        } catch (error) {
            this.logger.warn("speculation state is corrupt or of another version; ignoring it", {
                path: this.path,
                error: String(error).slice(0, 300),
            });
            return false;
        }
        if (parsed.target !== this.targetFingerprint) {
            this.logger.warn("speculation state belongs to another target model; ignoring it", {
                path: this.path,
                savedFor: parsed.target,
                target: this.targetFingerprint,
            });
            return false;
        }
        policy.load(parsed.policy);
        this.#savedUpdates = policy.updates;
        return true;
    }

    /** Writes the policy's state if it changed since the last save. Failures are logged, not thrown. */
    async save(policy: SpeculationPolicy): Promise<void> {
        if (policy.updates === this.#savedUpdates) return;
        const updates = policy.updates;
        const body = JSON.stringify({
            version: stateVersion,
            target: this.targetFingerprint,
            savedAt: new Date().toISOString(),
            policy: policy.toJSON(),
        });
        try {
            await writeFileAtomic(this.path, body);
            this.#savedUpdates = updates;
            this.#failing = false;
        } catch (error) {
            if (!this.#failing) {
                this.logger.warn(
                    "could not save speculation state (set speculation.stateFile to a writable path, or null)",
                    {
                        path: this.path,
                        error: String(error),
                    },
                );
            }
            this.#failing = true;
        }
    }
}

/**
 * Persists a canary rollout (Canary.ts: the arms' evidence, the test's ratio, the decision) in a
 * JsonStateFile, as FeedbackStore.ts does the feedback arms: atomic writes; a corrupt or foreign file is
 * ignored with one warning, a file of another rollout with one warning too, never a crash.
 *
 * Loading is synchronous: it runs once while the router is built, on a file of a few hundred bytes,
 * before any request is served.
 */
import { z } from "zod";
import { JsonStateFile } from "../../util/JsonStateFile.js";
import type { Logger } from "../../util/logger.js";
import type { Canary } from "./Canary.js";

const stateKind = "tiercel-router-canary";
const stateVersion = 1;

const count = z.number().int().min(0);
const finite = z.number().refine(Number.isFinite, "must be finite");
const armSchema = z.object({
    requests: count,
    failures: count,
    latencyMsSum: finite.min(0),
    causes: z.object({ error: count, cascade: count, slow: count }),
});
const stateSchema = z.object({
    kind: z.literal(stateKind),
    version: z.literal(stateVersion),
    savedAt: z.string(),
    canary: z.object({
        candidate: z.string(),
        kind: z.enum(["policy", "target"]),
        share: finite,
        worseRatio: finite,
        alpha: finite,
        beta: finite,
        decision: z.enum(["collecting", "promoted", "rolled_back"]),
        logLikelihoodRatio: finite,
        arms: z.object({ incumbent: armSchema, candidate: armSchema }),
    }),
});

export class CanaryStore {
    readonly #file: JsonStateFile<z.infer<typeof stateSchema>>;

    constructor(
        readonly path: string,
        readonly logger: Logger,
    ) {
        this.#file = new JsonStateFile(
            path,
            stateSchema,
            "router canary state",
            "set canary.statePath to a writable path, or null",
            logger,
        );
    }

    /** Resumes the saved rollout if it is this canary's; returns whether anything was loaded. */
    load(canary: Canary): boolean {
        const parsed = this.#file.read();
        if (!parsed) return false;
        const saved = parsed.canary;
        if (!canary.restore(saved)) {
            const current = canary.snapshot();
            const rollout = (s: typeof saved) => ({ candidate: s.candidate, kind: s.kind, share: s.share });
            this.logger.warn("router canary state is of another rollout; starting this one fresh", {
                path: this.path,
                saved: rollout(saved),
                current: rollout(current),
            });
            return false;
        }
        this.#file.markSaved(canary.updates);
        return true;
    }

    /** Writes the rollout if it changed since the last save. Failures are logged, not thrown. */
    save(canary: Canary): Promise<void> {
        return this.#file.save(canary.updates, () => ({
            kind: stateKind,
            version: stateVersion,
            savedAt: new Date().toISOString(),
            canary: canary.snapshot(),
        }));
    }
}

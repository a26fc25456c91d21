/**
 * Persists the feedback bandit's arms in a JsonStateFile (atomic writes; a corrupt file, or one that is
 * not a router feedback file of this version, is ignored with one warning, never a crash), as
 * engine/SpecStateStore.ts does the drafter statistics.
 *
 * Loading is synchronous: it runs once while the router is built (createRouter is synchronous), on a
 * file of a few kB, before any request is served.
 */
import { z } from "zod";
import { JsonStateFile } from "../../util/JsonStateFile.js";
import type { Logger } from "../../util/logger.js";
import type { FeedbackBandit } from "./FeedbackBandit.js";

const stateKind = "tiercel-router-feedback";
const stateVersion = 1;

const finite = z.number().refine(Number.isFinite, "must be finite");
const stateSchema = z.object({
    kind: z.literal(stateKind),
    version: z.literal(stateVersion),
    savedAt: z.string(),
    signatures: z.record(
        z.string(),
        z.record(z.string(), z.object({ count: finite.min(0), rewardSum: finite.min(0), at: finite })),
    ),
});

export class FeedbackStore {
    readonly #file: JsonStateFile<z.infer<typeof stateSchema>>;

    constructor(
        readonly path: string,
        readonly logger: Logger,
    ) {
        this.#file = new JsonStateFile(
            path,
            stateSchema,
            "router feedback state",
            "set feedback.statePath to a writable path, or null",
            logger,
        );
    }

    /** Loads saved arms into the bandit; returns whether anything was loaded. */
    load(bandit: FeedbackBandit): boolean {
        const parsed = this.#file.read();
        if (!parsed) return false;
        bandit.load(parsed.signatures);
        this.#file.markSaved(bandit.updates);
        return true;
    }

    /** Writes the bandit's arms if they changed since the last save. Failures are logged, not thrown. */
    save(bandit: FeedbackBandit): Promise<void> {
        return this.#file.save(bandit.updates, () => ({
            kind: stateKind,
            version: stateVersion,
            savedAt: new Date().toISOString(),
            signatures: bandit.toJSON(),
        }));
    }
}

/**
 * Persists the feedback bandit's arms the way engine/SpecStateStore.ts persists the drafter statistics:
 * the file is written atomically (a private temp file, then rename), so a reader or a concurrent writer
 * never sees a torn file and the last writer wins; a corrupt file, or one that is not a router feedback
 * file of this version, is ignored with one warning, never a crash.
 *
 * Loading is synchronous: it runs once while the router is built (createRouter is synchronous), on a
 * file of a few kB, before any request is served.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Logger } from "../../util/logger.js";
import { writeFileAtomic } from "../../util/writeFileAtomic.js";
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
    #savedUpdates = -1;
    /** A failing save is logged once, not every interval, until a save succeeds again. */
    #failing = false;

    constructor(
        readonly path: string,
        readonly logger: Logger,
    ) {}

    /** Loads saved arms into the bandit; returns whether anything was loaded. */
    load(bandit: FeedbackBandit): boolean {
        let text: string;
        try {
            text = readFileSync(this.path, "utf8");
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
                this.logger.warn("router feedback state unreadable; starting fresh", {
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
            this.logger.warn(
                "router feedback state is corrupt, of another version or not ours; ignoring it",
                {
                    path: this.path,
                    error: String(error).slice(0, 300),
                },
            );
            return false;
        }
        bandit.load(parsed.signatures);
        this.#savedUpdates = bandit.updates;
        return true;
    }

    /** Writes the bandit's arms if they changed since the last save. Failures are logged, not thrown. */
    async save(bandit: FeedbackBandit): Promise<void> {
        if (bandit.updates === this.#savedUpdates) return;
        const updates = bandit.updates;
        const body = JSON.stringify({
            kind: stateKind,
            version: stateVersion,
            savedAt: new Date().toISOString(),
            signatures: bandit.toJSON(),
        });
        try {
            await writeFileAtomic(this.path, body);
            this.#savedUpdates = updates;
            this.#failing = false;
        } catch (error) {
            if (!this.#failing) {
                this.logger.warn(
                    "could not save router feedback state (set feedback.statePath to a writable path, or null)",
                    { path: this.path, error: String(error) },
                );
            }
            this.#failing = true;
        }
    }
}

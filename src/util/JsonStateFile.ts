/**
 * A small JSON state file that a component reloads at start-up and rewrites now and then (AUTO's drafter
 * statistics, the router's feedback arms). Reads validate against a schema: a missing file is silent, an
 * unreadable, corrupt or foreign one is ignored with one warning, never a crash. Writes are atomic
 * (writeFileAtomic: a reader or a concurrent writer never sees a torn file; the last writer wins), skipped
 * when nothing changed since the last save, and never throw: a failing path is warned about once until a
 * save succeeds again. A save gives up after `saveTimeoutMs` (a filesystem call that never returns, e.g. a
 * recursive mkdir under /proc, must not hold shutdown); the hung call is left behind, unawaited.
 */
import { readFileSync } from "node:fs";
import type { z } from "zod";
import type { Logger } from "./logger.js";
import { writeFileAtomic } from "./writeFileAtomic.js";

/** How long one save may take before it counts as failed: generous for a slow disk, short for shutdown. */
export const defaultStateSaveTimeoutMs = 5_000;

export class JsonStateFile<T> {
    #savedUpdates = -1;
    #failing = false;

    constructor(
        readonly path: string,
        readonly schema: z.ZodType<T>,
        /** What the file holds, for messages, e.g. "speculation state". */
        readonly what: string,
        /** How to fix a path that cannot be written, e.g. "set speculation.stateFile to a writable path, or null". */
        readonly fixHint: string,
        readonly logger: Logger,
        /** A save slower than this counts as failed. Defaults to 5000 ms. */
        readonly saveTimeoutMs = defaultStateSaveTimeoutMs,
    ) {}

    /** The file's validated content, or undefined (missing: silently; anything else: with a warning). */
    read(): T | undefined {
        let text: string;
        try {
            text = readFileSync(this.path, "utf8");
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
                this.logger.warn(`${this.what} unreadable; starting fresh`, {
                    path: this.path,
                    error: String(error),
                });
            }
            return undefined;
        }
        try {
            return this.schema.parse(JSON.parse(text));
        } catch (error) {
            this.logger.warn(`${this.what} is corrupt, of another version or not ours; ignoring it`, {
                path: this.path,
                error: String(error).slice(0, 300),
            });
            return undefined;
        }
    }

    /** Records that the state at `updates` is what the file holds (after a load), so it is not rewritten. */
    markSaved(updates: number): void {
        this.#savedUpdates = updates;
    }

    /**
     * Writes `content()` if `updates` (the owner's change counter) moved since the last save or load.
     * Failures are logged once, not thrown.
     */
    async save(updates: number, content: () => T): Promise<void> {
        if (updates === this.#savedUpdates) return;
        let timer: NodeJS.Timeout | undefined;
        try {
            const timeout = new Promise<never>((_, reject) => {
                timer = setTimeout(() => {
                    reject(new Error(`the write did not finish within ${this.saveTimeoutMs} ms`));
                }, this.saveTimeoutMs);
            });
            const write = writeFileAtomic(this.path, JSON.stringify(content()));
            write.catch(() => undefined); // settled late, after the timeout: nothing left to report to
            await Promise.race([write, timeout]);
            this.#savedUpdates = updates;
            this.#failing = false;
        } catch (error) {
            if (!this.#failing) {
                this.logger.warn(`could not save ${this.what} (${this.fixHint})`, {
                    path: this.path,
                    error: String(error),
                });
            }
            this.#failing = true;
        } finally {
            clearTimeout(timer);
        }
    }
}

/**
 * Keeps a KeySpendLimiter's spend across restarts: read once at start (entries of an earlier UTC day are
 * dropped, so a restart after midnight starts the new day at zero), written atomically through
 * JsonStateFile (never a torn file; a failing path is warned about once, never thrown) a debounce
 * interval after the latest charged answer, and once more on `close`. The file names keys by their id
 * (`key-` and a digest prefix, authenticate.ts), never by the key itself.
 */
import { z } from "zod";
import { defaultSpendSaveDebounceMs } from "../config/defaults.js";
import { JsonStateFile } from "../util/JsonStateFile.js";
import type { Logger } from "../util/logger.js";
import type { KeySpendLimiter } from "./KeySpendLimiter.js";

const spendStateSchema = z
    .object({
        version: z.literal(1),
        /** Key id → its spend in one UTC day (days since the epoch). */
        keys: z.record(
            z.string(),
            z.object({ day: z.number().int(), usd: z.number().nonnegative() }).strict(),
        ),
    })
    .strict();

type SpendState = z.infer<typeof spendStateSchema>;

export interface SpendStateFileOptions {
    path: string;
    logger: Logger;
    /** Delay between a charged answer and the write. Defaults to 1000 ms. */
    debounceMs?: number;
}

export class SpendStateFile {
    readonly #limiter: KeySpendLimiter;
    readonly #file: JsonStateFile<SpendState>;
    readonly #debounceMs: number;
    #timer: NodeJS.Timeout | undefined;
    /** Changes so far (the file is rewritten only when this moved since the last save). */
    #updates = 0;

    constructor(limiter: KeySpendLimiter, options: SpendStateFileOptions) {
        this.#limiter = limiter;
        this.#debounceMs = options.debounceMs ?? defaultSpendSaveDebounceMs;
        this.#file = new JsonStateFile(
            options.path,
            spendStateSchema,
            "gateway spend state",
            "set gateway.spendLimit.stateFile to a writable path, or null",
            options.logger,
        );
        const saved = this.#file.read();
        if (saved !== undefined) limiter.restore(saved.keys);
        this.#file.markSaved(this.#updates);
        limiter.onChange = () => {
            this.#updates++;
            this.#timer ??= setTimeout(() => {
                this.#timer = undefined;
                void this.#save();
            }, this.#debounceMs).unref();
        };
    }

    /** Writes what is pending now and stops following the limiter. */
    async close(): Promise<void> {
        this.#limiter.onChange = undefined;
        clearTimeout(this.#timer);
        this.#timer = undefined;
        await this.#save();
    }

    #save(): Promise<void> {
        return this.#file.save(this.#updates, () => ({ version: 1, keys: this.#limiter.entries() }));
    }
}

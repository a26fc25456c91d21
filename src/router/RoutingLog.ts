/**
 * Routing records as JSON lines: one line per request, appended to a file (config `records.path`)
 * and/or handed to a callback. Every line is redacted (redact.ts) after serialization, so no field can
 * carry a secret past it. Records never contain prompt or answer text.
 *
 * A write error (a full disk, a removed directory) starts an *episode*: the stream is dropped, the
 * records that could not be written are counted in `dropped` (`tiercel_router_records_dropped_total`),
 * and the file is reopened after a backoff that doubles from `reopenBaseMs` up to `reopenMaxMs` until a
 * write succeeds again. `onError` is called once per episode (the first error), `onRecover` once at its
 * end, with the number of records the episode dropped.
 */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "../errors/ServiceError.js";
import { defaultRecordsReopenBaseMs, defaultRecordsReopenMaxMs } from "./defaults.js";
import type { Logger } from "../util/logger.js";
import type { RoutingRecord } from "./types.js";

export interface RoutingLogOptions {
    /** File to append JSON lines to; none when null. */
    path: string | null;
    redact: (text: string) => string;
    /** The first write error of an episode (a full disk must not crash the process; records are best effort). */
    onError: (error: Error) => void;
    /** The file takes writes again after an episode that dropped this many records. */
    onRecover?: ((dropped: number) => void) | undefined;
    /** Counts records that could not be written (e.g. `RouterMetrics.recordsDropped`). */
    dropped?: { inc(value?: number): void } | undefined;
    /** First reopen delay after a write error. Defaults to 1000 ms. */
    reopenBaseMs?: number | undefined;
    /** Reopen delay ceiling (doubled per failed reopen). Defaults to 60000 ms. */
    reopenMaxMs?: number | undefined;
    /** Called with each record and its redacted JSON line (no trailing newline). */
    onRecord?: ((record: RoutingRecord, line: string) => void) | undefined;
}

export class RoutingLog {
    readonly #o: RoutingLogOptions;
    readonly #path: string | null;
    #file: WriteStream | undefined;
    /** Set while an episode lasts: records dropped so far. */
    #episodeDropped: number | undefined;
    #reopenDelayMs: number;
    #reopenTimer: NodeJS.Timeout | undefined;
    #closed = false;

    /** A log at `path` whose write errors and recoveries are logged by `logger` (the router's). */
    static logged(
        path: string | null,
        logger: Logger,
        options: Pick<RoutingLogOptions, "redact" | "onRecord" | "dropped">,
    ): RoutingLog {
        return new RoutingLog({
            ...options,
            path,
            onError: (error) => {
                logger.error("routing log write failed; records are dropped until a write succeeds", {
                    path,
                    error: error.message,
                });
            },
            onRecover: (dropped) => {
                logger.warn("routing log writable again", { path, dropped });
            },
        });
    }

    constructor(options: RoutingLogOptions) {
        this.#o = options;
        this.#path = options.path;
        this.#reopenDelayMs = options.reopenBaseMs ?? defaultRecordsReopenBaseMs;
        if (options.path !== null) {
            try {
                mkdirSync(dirname(options.path), { recursive: true });
            } catch (cause) {
                throw new ConfigError(`records.path: cannot create the directory of ${options.path}`, {
                    cause,
                });
            }
            this.#open(options.path);
        }
    }

    /** Serializes, redacts and writes one record (nothing at all when it has nowhere to go). */
    write(record: RoutingRecord): void {
        if (this.#path === null && this.#o.onRecord === undefined) return;
        const line = this.#redact(JSON.stringify(record));
        if (this.#path !== null) {
            const file = this.#file;
            if (file === undefined || file.destroyed) this.#drop(1);
            else
                file.write(`${line}\n`, (error) => {
                    if (!error) {
                        this.#recovered();
                        return;
                    }
                    this.#drop(1);
                    this.#fail(file, error);
                });
        }
        this.#o.onRecord?.(record, line);
    }

    /** Flushes and closes the file (write errors were already reported through `onError`). */
    close(): Promise<void> {
        this.#closed = true;
        clearTimeout(this.#reopenTimer);
        const file = this.#file;
        if (!file || file.destroyed) return Promise.resolve();
        return new Promise((resolve) => {
            file.end(() => {
                resolve();
            });
        });
    }

    #redact(text: string): string {
        return this.#o.redact(text);
    }

    #open(path: string): void {
        const file = createWriteStream(path, { flags: "a" });
        // Each write's callback counts its own failure; this sees the same errors once more, and open errors.
        file.on("error", (error) => {
            this.#fail(file, error);
        });
        this.#file = file;
    }

    #drop(count: number): void {
        this.#o.dropped?.inc(count);
        if (this.#episodeDropped !== undefined) this.#episodeDropped += count;
    }

    /** A write or the open of `file` failed: the episode starts (if it had not) and a reopen is scheduled. */
    #fail(file: WriteStream, error: Error): void {
        if (this.#episodeDropped === undefined) {
            this.#episodeDropped = 0;
            this.#o.onError(error);
        }
        if (this.#file !== file) return;
        this.#file = undefined;
        file.destroy();
        this.#scheduleReopen();
    }

    #scheduleReopen(): void {
        if (this.#closed || this.#path === null) return;
        const path = this.#path;
        const delay = this.#reopenDelayMs;
        this.#reopenDelayMs = Math.min(delay * 2, this.#o.reopenMaxMs ?? defaultRecordsReopenMaxMs);
        this.#reopenTimer = setTimeout(() => {
            if (this.#closed) return;
            try {
                mkdirSync(dirname(path), { recursive: true });
            } catch {
                // The open below fails too and schedules the next try.
            }
            this.#open(path);
        }, delay);
        this.#reopenTimer.unref();
    }

    #recovered(): void {
        const dropped = this.#episodeDropped;
        if (dropped === undefined) return;
        this.#episodeDropped = undefined;
        this.#reopenDelayMs = this.#o.reopenBaseMs ?? defaultRecordsReopenBaseMs;
        this.#o.onRecover?.(dropped);
    }
}

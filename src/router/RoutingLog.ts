/**
 * Routing records as JSON lines: one line per request, appended to a file (config `records.path`)
 * and/or handed to a callback. Every line is redacted (redact.ts) after serialization, so no field can
 * carry a secret past it. Records never contain prompt or answer text.
 */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "../errors/ServiceError.js";
import type { RoutingRecord } from "./types.js";

export interface RoutingLogOptions {
    /** File to append JSON lines to; none when null. */
    path: string | null;
    redact: (text: string) => string;
    /** Write failures of the file (a full disk must not crash the process; records are best effort). */
    onError: (error: Error) => void;
    /** Called with each record and its redacted JSON line (no trailing newline). */
    onRecord?: ((record: RoutingRecord, line: string) => void) | undefined;
}

export class RoutingLog {
    readonly #redact: (text: string) => string;
    readonly #onRecord: ((record: RoutingRecord, line: string) => void) | undefined;
    readonly #file: WriteStream | undefined;

    constructor(options: RoutingLogOptions) {
        this.#redact = options.redact;
        this.#onRecord = options.onRecord;
        if (options.path !== null) {
            try {
                mkdirSync(dirname(options.path), { recursive: true });
            } catch (cause) {
                throw new ConfigError(`records.path: cannot create the directory of ${options.path}`, {
                    cause,
                });
            }
            this.#file = createWriteStream(options.path, { flags: "a" });
            this.#file.on("error", options.onError);
        }
    }

    /** Serializes, redacts and writes one record (nothing at all when it has nowhere to go). */
    write(record: RoutingRecord): void {
        if (this.#file === undefined && this.#onRecord === undefined) return;
        const line = this.#redact(JSON.stringify(record));
        this.#file?.write(`${line}\n`);
        this.#onRecord?.(record, line);
    }

    /** Flushes and closes the file (write errors were already reported through `onError`). */
    close(): Promise<void> {
        const file = this.#file;
        if (!file) return Promise.resolve();
        return new Promise((resolve) => {
            file.end(() => {
                resolve();
            });
        });
    }
}

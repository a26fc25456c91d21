/**
 * Server-sent events onto an HTTP response, unbuffered (agents show tokens as they arrive): one frame
 * per write, `event:` only where the protocol names events (Anthropic does, OpenAI does not). `write`
 * returns a promise only when the socket's buffer is full, so a fast stream awaits nothing per frame
 * and a slow reader applies back-pressure all the way to the provider. The status line and headers
 * leave with the first frame (node:http puts them in the same socket write), one write per response
 * fewer than sending them on their own; `flush` sends them alone when no frame follows at once.
 */
import type { ServerResponse } from "node:http";

/** One event as the stream encoders return it: its `event:` name and its `data:` payload, serialized. */
export interface SseFrame {
    event: string;
    data: string;
}

export class SseWriter {
    readonly #res: ServerResponse;
    /** Whether the headers have gone to the socket (with a frame or by `flush`). */
    #headersWritten = false;

    constructor(res: ServerResponse) {
        this.#res = res;
    }

    /** Sets the status line and headers; they are sent with the first frame, or by `flush`. */
    open(headers: Record<string, string>): void {
        this.#res.writeHead(200, {
            ...headers,
            "content-type": "text/event-stream; charset=utf-8",
            "cache-control": "no-cache",
            // Proxies such as nginx buffer responses unless told not to.
            "x-accel-buffering": "no",
        });
    }

    /** Sends the headers now if no frame has carried them yet, so the client sees the stream start. */
    flush(): void {
        if (!this.#headersWritten && !this.closed) this.#res.flushHeaders();
        this.#headersWritten = true;
    }

    get opened(): boolean {
        return this.#res.headersSent;
    }

    /** Whether the client has gone away (nothing more can be written). */
    get closed(): boolean {
        return this.#res.destroyed || this.#res.writableEnded;
    }

    write(data: unknown, event?: string): void | Promise<void> {
        if (this.closed) return;
        const payload = typeof data === "string" ? data : JSON.stringify(data);
        const frame = event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`;
        this.#headersWritten = true;
        if (!this.#res.write(frame)) return this.#drained();
    }

    /** Resolves when the socket drains, or when the client leaves (no `drain` ever comes then). */
    #drained(): Promise<void> {
        const res = this.#res;
        return new Promise((resolve) => {
            const done = (): void => {
                res.off("drain", done);
                res.off("close", done);
                resolve();
            };
            res.on("drain", done);
            res.on("close", done);
        });
    }

    end(): void {
        if (!this.closed) this.#res.end();
    }
}

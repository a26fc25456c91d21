/**
 * Reads a request body as a JSON object, refusing bodies over the limit before buffering them whole.
 * Reads with `data`/`end` listeners rather than `for await`: a stream's async iterator costs an iterator,
 * an end-of-stream watcher and a promise per chunk, on every request (bench/e2e/gatewayOverhead.ts).
 */
import type { IncomingMessage } from "node:http";
import { GatewayError } from "./GatewayError.js";
import { isJsonObject } from "./jsonShape.js";

export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
    const text = await readText(req, maxBytes);
    let body: unknown;
    try {
        body = JSON.parse(text);
    } catch (cause) {
        throw new GatewayError(
            "invalid_request",
            `the request body is not valid JSON: ${(cause as Error).message}`,
        );
    }
    if (!isJsonObject(body)) {
        throw new GatewayError("invalid_request", "the request body must be a JSON object");
    }
    return body;
}

/** The body as UTF-8 text; rejects once it passes `maxBytes` (the rest is left unread). */
function readText(req: IncomingMessage, maxBytes: number): Promise<string> {
    return new Promise((resolve, reject) => {
        new BodyReader(req, maxBytes, resolve, reject).listen();
    });
}

/**
 * One body read: its listeners are this reader's methods, bound once, instead of closures made per request
 * (under tsx each named closure also costs a defineProperty for its name). Every outcome detaches them all.
 */
class BodyReader {
    readonly #chunks: Buffer[] = [];
    #size = 0;
    readonly #onData = this.#data.bind(this);
    readonly #onEnd = this.#end.bind(this);
    readonly #onError = this.#error.bind(this);
    readonly #onClose = this.#close.bind(this);

    readonly #req: IncomingMessage;
    readonly #maxBytes: number;
    readonly #resolve: (text: string) => void;
    readonly #reject: (error: Error) => void;

    constructor(
        req: IncomingMessage,
        maxBytes: number,
        resolve: (text: string) => void,
        reject: (error: Error) => void,
    ) {
        this.#req = req;
        this.#maxBytes = maxBytes;
        this.#resolve = resolve;
        this.#reject = reject;
    }

    listen(): void {
        this.#req
            .on("data", this.#onData)
            .on("end", this.#onEnd)
            .on("error", this.#onError)
            .on("close", this.#onClose);
    }

    #data(chunk: Buffer): void {
        this.#size += chunk.length;
        if (this.#size > this.#maxBytes) {
            this.#settle();
            this.#req.pause();
            this.#reject(tooLarge(this.#maxBytes));
            return;
        }
        this.#chunks.push(chunk);
    }

    #end(): void {
        this.#settle();
        const chunks = this.#chunks;
        this.#resolve(
            chunks.length === 1
                ? chunks[0]!.toString("utf8")
                : Buffer.concat(chunks, this.#size).toString("utf8"),
        );
    }

    #error(error: Error): void {
        this.#settle();
        this.#reject(error);
    }

    #close(): void {
        this.#settle();
        this.#reject(new GatewayError("api_error", "the client closed the connection"));
    }

    #settle(): void {
        this.#req
            .off("data", this.#onData)
            .off("end", this.#onEnd)
            .off("error", this.#onError)
            .off("close", this.#onClose);
    }
}

function tooLarge(maxBytes: number): GatewayError {
    return new GatewayError(
        "request_too_large",
        `the request body is over the gateway's limit of ${maxBytes} bytes (gateway.maxBodyBytes)`,
    );
}

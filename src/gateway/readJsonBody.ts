/**
 * Reads a request body as a JSON object, refusing bodies over the limit before buffering them whole.
 * Reads with `data`/`end` listeners rather than `for await`: a stream's async iterator costs an iterator,
 * an end-of-stream watcher and a promise per chunk, on every request (bench/e2e/gatewayOverhead.ts).
 */
import type { IncomingMessage } from "node:http";
import { GatewayError } from "./GatewayError.js";

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
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw new GatewayError("invalid_request", "the request body must be a JSON object");
    }
    return body as Record<string, unknown>;
}

/** The body as UTF-8 text; rejects once it passes `maxBytes` (the rest is left unread). */
function readText(req: IncomingMessage, maxBytes: number): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const onData = (chunk: Buffer): void => {
            size += chunk.length;
            if (size > maxBytes) {
                settle();
                req.pause();
                reject(tooLarge(maxBytes));
                return;
            }
            chunks.push(chunk);
        };
        const onEnd = (): void => {
            settle();
            resolve(
                chunks.length === 1
                    ? chunks[0]!.toString("utf8")
                    : Buffer.concat(chunks, size).toString("utf8"),
            );
        };
        const onError = (error: Error): void => {
            settle();
            reject(error);
        };
        const onClose = (): void => {
            settle();
            reject(new GatewayError("api_error", "the client closed the connection"));
        };
        const settle = (): void => {
            req.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
        };
        req.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
    });
}

function tooLarge(maxBytes: number): GatewayError {
    return new GatewayError(
        "request_too_large",
        `the request body is over the gateway's limit of ${maxBytes} bytes (gateway.maxBodyBytes)`,
    );
}

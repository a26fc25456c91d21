/** Reads a request body as a JSON object, refusing bodies over the limit before buffering them whole. */
import type { IncomingMessage } from "node:http";
import { GatewayError } from "./GatewayError.js";

export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) throw tooLarge(maxBytes);
        chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString("utf8");
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

function tooLarge(maxBytes: number): GatewayError {
    return new GatewayError(
        "request_too_large",
        `the request body is over the gateway's limit of ${maxBytes} bytes (gateway.maxBodyBytes)`,
    );
}

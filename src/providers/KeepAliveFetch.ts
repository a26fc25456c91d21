/**
 * The `fetch` the hosted SDKs are given (their `fetch` option): a WHATWG `fetch` over node:http(s) with
 * one keep-alive agent per provider, instead of Node's built-in undici fetch. The SDKs stay the clients
 * (their request building, errors, SSE parsing); only the transport underneath changes, because the
 * built-in fetch's spec machinery (Request/Headers objects, body extraction, its web-stream pipeline) was
 * the largest single cost in a CPU profile of the gateway: undici and web streams ~15% of its samples,
 * ~6% with this transport (the `Response` and `Headers` the SDKs still read; docs/gateway.md).
 *
 * What it keeps of fetch's contract, as the SDKs use it:
 * - resolves with a real `Response` once the status line and headers arrived; the body streams as a
 *   `ReadableStream` (chunks as they come off the socket, paused while the reader is behind);
 * - a connection that fails before the response rejects with `TypeError("fetch failed", {cause})`, as
 *   undici does; a connection cut mid-body errors the body stream;
 * - `signal` aborts: before the response it rejects with `signal.reason`, after it errors the body with
 *   it; either way the socket is destroyed, so the upstream sees the request cancelled;
 * - a gzip / deflate / br response body is decoded; gzip and deflate are asked for, as undici does.
 * Redirects are not followed (the APIs do not redirect; a 3xx reaches the SDK as an APIError naming the
 * status). Requests it was not built for (a `Request` object, a body other than a string or bytes, a
 * scheme other than http/https) go to the built-in fetch unchanged.
 */
import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import zlib from "node:zlib";

/** Statuses whose response has no body (fetch: "null body status"). */
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

/** The headers undici's fetch adds when the caller did not set them. */
const defaultRequestHeaders: readonly (readonly [string, string])[] = [
    ["accept", "*/*"],
    ["accept-encoding", "gzip, deflate"],
];

/** Body chunks queued before the socket is paused: an SSE stream's frames arrive as many small chunks. */
const bodyQueueChunks = 16;

export class KeepAliveFetch {
    readonly #httpAgent = new http.Agent({ keepAlive: true, scheduling: "lifo" });
    readonly #httpsAgent = new https.Agent({ keepAlive: true, scheduling: "lifo" });

    /** The `fetch` to hand an SDK (bound: SDKs call it with `this` undefined). */
    readonly fetch: typeof globalThis.fetch = (input, init) => this.#fetch(input, init);

    /** Closes the idle kept-alive sockets; requests in flight keep theirs until they end. */
    close(): void {
        this.#httpAgent.destroy();
        this.#httpsAgent.destroy();
    }

    #fetch(input: string | URL | Request, init: RequestInit | undefined): Promise<Response> {
        const body = init?.body;
        if (
            input instanceof Request ||
            !(body == null || typeof body === "string" || body instanceof Uint8Array)
        ) {
            return globalThis.fetch(input, init);
        }
        const url = typeof input === "string" ? new URL(input) : input;
        const secure = url.protocol === "https:";
        if (!secure && url.protocol !== "http:") return globalThis.fetch(input, init);
        const signal = init?.signal ?? undefined;
        if (signal?.aborted === true) return Promise.reject(abortReason(signal));

        const method = init?.method ?? "GET";
        return this.send(url, { method, headers: outgoingHeaders(init?.headers, body), body, signal }).then(
            (raw) => toResponse(raw, method),
            (error: unknown) => {
                throw signal?.aborted === true
                    ? abortReason(signal)
                    : new TypeError("fetch failed", { cause: error });
            },
        );
    }

    /**
     * One request without fetch's objects: resolves with the status, the headers and the (decoded) body
     * once the status line and headers arrived. `headers` go out as given (no defaults added). Rejects
     * with the signal's reason when it aborts first, else with the connection's error; after the
     * response, an abort destroys the socket and errors the body with the reason. Same-protocol
     * pass-through sends the caller's body this way (../nativeBody.ts): fetch's Request, Headers,
     * Response and web-stream objects were half the hop's CPU (docs/gateway.md).
     */
    send(url: URL, init: RawRequestInit): Promise<RawResponse> {
        const secure = url.protocol === "https:";
        const { signal, body } = init;
        if (signal?.aborted === true) return Promise.reject(abortReason(signal));
        return new Promise<RawResponse>((resolve, reject) => {
            const options: http.RequestOptions = {
                method: init.method,
                headers: init.headers,
                agent: secure ? this.#httpsAgent : this.#httpAgent,
            };
            const request = (secure ? https : http).request(url, options);
            let response: Readable | undefined;
            let settled = false;
            const onAbort = (): void => {
                const reason = abortReason(signal!);
                if (!settled) {
                    settled = true;
                    reject(reason);
                }
                // Destroying the request destroys its socket; a body in flight errors with the reason.
                request.destroy(reason);
                response?.destroy(reason);
            };
            const done = (): void => signal?.removeEventListener("abort", onAbort);
            signal?.addEventListener("abort", onAbort, { once: true });
            request.on("error", (error) => {
                done();
                if (settled) return;
                settled = true;
                reject(error);
            });
            request.once("response", (incoming) => {
                if (settled) {
                    incoming.destroy();
                    return;
                }
                settled = true;
                const status = incoming.statusCode ?? 0;
                if (init.method === "HEAD" || nullBodyStatuses.has(status)) {
                    incoming.on("error", done);
                    incoming.resume();
                    incoming.once("end", done);
                    resolve({
                        status,
                        statusText: incoming.statusMessage ?? "",
                        rawHeaders: incoming.rawHeaders,
                        body: null,
                    });
                    return;
                }
                response = decoded(incoming, incoming.headers["content-encoding"]);
                response.once("close", done);
                resolve({
                    status,
                    statusText: incoming.statusMessage ?? "",
                    rawHeaders: incoming.rawHeaders,
                    body: response,
                });
            });
            request.end(body ?? undefined);
        });
    }
}

/** What `send` takes. */
export interface RawRequestInit {
    method: string;
    /** Lower-case names; sent as given. */
    headers: Record<string, string>;
    body?: string | Uint8Array | null | undefined;
    signal?: AbortSignal | undefined;
}

/** What `send` resolves with. */
export interface RawResponse {
    status: number;
    statusText: string;
    /** As node:http gives them: name, value, name, value, ... */
    rawHeaders: readonly string[];
    /** Decoded; null for a HEAD request or a null-body status. */
    body: Readable | null;
}

/** The response's headers as a fetch `Headers`. */
export function headersOf(raw: RawResponse): Headers {
    const headers = new Headers();
    const list = raw.rawHeaders;
    for (let i = 0; i + 1 < list.length; i += 2) headers.append(list[i]!, list[i + 1]!);
    return headers;
}

function toResponse(raw: RawResponse, method: string): Response {
    const init = { status: raw.status, statusText: raw.statusText, headers: headersOf(raw) };
    if (raw.body === null || method === "HEAD") return new Response(null, init);
    return new Response(toWebStream(raw.body), init);
}

/** The signal's reason (an AbortError DOMException unless the caller gave another Error). */
function abortReason(signal: AbortSignal): Error {
    const reason: unknown = signal.reason;
    if (reason instanceof Error) return reason;
    return new DOMException(typeof reason === "string" ? reason : "This operation was aborted", "AbortError");
}

/** The request's headers as node:http takes them, with fetch's defaults and the body's length. */
function outgoingHeaders(
    init: RequestInit["headers"],
    body: string | Uint8Array | null | undefined,
): Record<string, string> {
    const out: Record<string, string> = {};
    if (init instanceof Headers) {
        for (const [name, value] of init) out[name] = value;
    } else if (Array.isArray(init)) {
        for (const [name, value] of init)
            if (name !== undefined && value !== undefined) out[name.toLowerCase()] = value;
    } else if (init != null) {
        for (const [name, value] of Object.entries(init as Record<string, string>))
            out[name.toLowerCase()] = value;
    }
    for (const [name, value] of defaultRequestHeaders) out[name] ??= value;
    if (typeof body === "string") {
        out["content-type"] ??= "text/plain;charset=UTF-8";
        out["content-length"] = String(Buffer.byteLength(body));
    } else if (body instanceof Uint8Array) {
        out["content-length"] = String(body.byteLength);
    }
    return out;
}

/** The body with its content-encoding undone (fetch decodes gzip, deflate and br). */
function decoded(incoming: http.IncomingMessage, encoding: string | undefined): Readable {
    const decoder =
        encoding === "gzip" || encoding === "x-gzip"
            ? zlib.createGunzip({
                  flush: zlib.constants.Z_SYNC_FLUSH,
                  finishFlush: zlib.constants.Z_SYNC_FLUSH,
              })
            : encoding === "deflate"
              ? zlib.createInflate({
                    flush: zlib.constants.Z_SYNC_FLUSH,
                    finishFlush: zlib.constants.Z_SYNC_FLUSH,
                })
              : encoding === "br"
                ? zlib.createBrotliDecompress({
                      flush: zlib.constants.BROTLI_OPERATION_FLUSH,
                      finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
                  })
                : undefined;
    if (decoder === undefined) return incoming;
    incoming.on("error", (error) => decoder.destroy(error));
    decoder.on("close", () => incoming.destroy());
    return incoming.pipe(decoder);
}

/**
 * A node Readable as a web ReadableStream: chunks are enqueued as they arrive and the source is paused
 * while the stream's queue is full; cancelling the stream destroys the source (and so the socket). A
 * source that closes before its end (the connection dropped) errors the stream.
 */
function toWebStream(source: Readable): ReadableStream<Uint8Array> {
    let finished = false;
    return new ReadableStream<Uint8Array>(
        {
            start(controller) {
                source.on("data", (chunk: Buffer) => {
                    if (finished) return;
                    controller.enqueue(chunk);
                    if ((controller.desiredSize ?? 0) <= 0) source.pause();
                });
                source.once("end", () => {
                    if (finished) return;
                    finished = true;
                    controller.close();
                });
                source.on("error", (error) => {
                    if (finished) return;
                    finished = true;
                    controller.error(error);
                });
                source.once("close", () => {
                    if (finished) return;
                    finished = true;
                    controller.error(new TypeError("terminated", { cause: new Error("other side closed") }));
                });
            },
            pull() {
                source.resume();
            },
            cancel(reason) {
                finished = true;
                source.destroy(reason instanceof Error ? reason : undefined);
            },
        },
        { highWaterMark: bodyQueueChunks },
    );
}

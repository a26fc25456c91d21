/**
 * The scripted HTTP core under fakeAnthropicServer.ts and fakeOpenAIServer.ts: a real node:http server on
 * loopback that answers each request with the next scripted reply (JSON, an SSE stream with per-event
 * delays, a truncated stream, a hang, a dropped connection) and records what it received. The wire
 * formats themselves live in the two wrappers.
 */
import {
    createServer,
    type IncomingHttpHeaders,
    type IncomingMessage,
    type Server,
    type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
    method: string;
    path: string;
    headers: IncomingHttpHeaders;
    body: unknown;
}

/** One SSE frame: `event:` (omitted when null) and `data:` (JSON-encoded unless a string). */
export interface SseFrame {
    event: string | null;
    data: unknown;
    /** Wait before writing this frame. */
    delayMs?: number;
}

export type Reply =
    | { kind: "json"; status: number; body: unknown; headers?: Record<string, string> }
    | {
          kind: "sse";
          frames: readonly SseFrame[];
          headers?: Record<string, string>;
          /** Cut the connection after the frames instead of ending the response cleanly. */
          destroyAfter?: boolean;
      }
    /** A body sent as it is (e.g. JSON cut in the middle), with a JSON content type. */
    | { kind: "raw"; status: number; body: string }
    /** Accept the request and never answer (until the client goes away). */
    | { kind: "hang" }
    /** Drop the connection without a response. */
    | { kind: "drop" };

export interface FakeHttpServer {
    /** `http://127.0.0.1:<port>` */
    readonly url: string;
    readonly requests: RecordedRequest[];
    /** Queues replies for the next requests, in order. */
    enqueue(...replies: Reply[]): void;
    /** The reply used when the queue is empty (by default a 500 naming the unexpected request). */
    setFallback(reply: Reply | undefined): void;
    /** Replies still queued. */
    pending(): number;
    /** Requests whose connection the client closed before the reply finished. */
    readonly clientAborts: number;
    /** Forgets queued replies, the fallback, recorded requests and the abort count. */
    reset(): void;
    close(): Promise<void>;
}

export interface FakeHttpServerOptions {
    /** Checks a request before the script answers (auth, version headers); returns a reply to refuse it. */
    check?: (request: RecordedRequest) => Reply | undefined;
    /** Formats an SSE frame on the wire. */
    formatFrame: (frame: SseFrame) => string;
    /** The reply when the queue is empty and no fallback is set. */
    unexpected: (request: RecordedRequest) => Reply;
    /**
     * Most recent requests kept in `requests` (default: all). Benches send thousands: kept, they are
     * thousands of long-lived objects that every young-generation GC of the process copies, which put
     * 2.5–7.7 ms scavenges into the latency tails the gateway bench measures.
     */
    keepRequests?: number;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if (text === "") return undefined;
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}

export async function startFakeHttpServer(options: FakeHttpServerOptions): Promise<FakeHttpServer> {
    const queue: Reply[] = [];
    const requests: RecordedRequest[] = [];
    const keep = options.keepRequests ?? Infinity;
    let fallback: Reply | undefined;
    let clientAborts = 0;
    const sockets = new Set<import("node:net").Socket>();

    const send = async (reply: Reply, res: ServerResponse): Promise<void> => {
        const state = { closed: false };
        res.on("close", () => {
            if (!res.writableFinished) {
                state.closed = true;
                clientAborts++;
            }
        });
        const wait = (ms: number): Promise<void> =>
            new Promise((resolve) => {
                const timer = setTimeout(resolve, ms);
                res.once("close", () => {
                    clearTimeout(timer);
                    resolve();
                });
            });
        switch (reply.kind) {
            case "json":
                res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
                res.end(JSON.stringify(reply.body));
                return;
            case "raw":
                res.writeHead(reply.status, { "content-type": "application/json" });
                res.end(reply.body);
                return;
            case "hang":
                res.writeHead(200, { "content-type": "text/event-stream" });
                res.flushHeaders();
                return;
            case "drop":
                res.socket?.destroy();
                return;
            case "sse":
                res.writeHead(200, {
                    "content-type": "text/event-stream",
                    "cache-control": "no-cache",
                    ...reply.headers,
                });
                res.flushHeaders();
                for (const frame of reply.frames) {
                    if (frame.delayMs !== undefined && frame.delayMs > 0) await wait(frame.delayMs);
                    // The client may have gone away during the wait.
                    if (state.closed) return;
                    res.write(options.formatFrame(frame));
                }
                if (reply.destroyAfter === true) res.socket?.destroy();
                else res.end();
                return;
        }
    };

    const server: Server = createServer((req, res) => {
        void (async () => {
            // A client that gave up while its body was still arriving gets no reply: taking one from the
            // queue would hand the next request's scripted reply to nobody.
            let gone = false;
            res.once("close", () => {
                gone = !res.writableFinished;
            });
            let body: unknown;
            try {
                body = await readBody(req);
            } catch {
                gone = true;
            }
            if (gone) {
                clientAborts++;
                return;
            }
            const recorded: RecordedRequest = {
                method: req.method ?? "",
                path: req.url ?? "",
                headers: req.headers,
                body,
            };
            requests.push(recorded);
            if (requests.length > keep) requests.splice(0, requests.length - keep);
            const refused = options.check?.(recorded);
            const reply = refused ?? queue.shift() ?? fallback ?? options.unexpected(recorded);
            await send(reply, res);
        })();
    });
    server.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => {
            sockets.delete(socket);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        requests,
        enqueue: (...replies) => {
            queue.push(...replies);
        },
        setFallback: (reply) => {
            fallback = reply;
        },
        pending: () => queue.length,
        get clientAborts() {
            return clientAborts;
        },
        reset: () => {
            queue.length = 0;
            requests.length = 0;
            fallback = undefined;
            clientAborts = 0;
        },
        close: async () => {
            for (const socket of sockets) socket.destroy();
            await new Promise<void>((resolve) => {
                server.close(() => {
                    resolve();
                });
            });
        },
    };
}

/**
 * KeepAliveFetch, the hosted SDKs' transport, against a real node:http server on loopback: what the
 * server receives and what the caller gets back match the built-in fetch; bodies stream; one kept-alive
 * connection serves sequential requests and close() releases it; aborts, refused and cut connections
 * fail the way the SDKs expect from fetch. The SDK-level behaviour over it (errors, retries, timeouts,
 * upstream cancellation) is covered through the fake servers in routerProviders.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { KeepAliveFetch } from "../../src/providers/KeepAliveFetch.js";
import { OpenAIProvider } from "../../src/providers/openai/OpenAIProvider.js";
import { openaiCompletion } from "../helpers/fakeOpenAIServer.js";

interface Seen {
    method: string | undefined;
    url: string | undefined;
    headers: IncomingMessage["headers"];
    body: string;
}

interface TestServer {
    url: string;
    seen: Seen[];
    connections: number;
    /** Resolves when the n-th request's connection has closed (counting from 1). */
    closed: (n: number) => Promise<void>;
    server: Server;
}

const servers: Server[] = [];
const transports: KeepAliveFetch[] = [];

afterEach(async () => {
    for (const t of transports.splice(0)) t.close();
    for (const s of servers.splice(0)) {
        s.closeAllConnections();
        await new Promise((resolve) => s.close(resolve));
    }
});

function transport(): KeepAliveFetch {
    const t = new KeepAliveFetch();
    transports.push(t);
    return t;
}

async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
    const seen: Seen[] = [];
    const closes: Promise<void>[] = [];
    const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
            seen.push({
                method: req.method,
                url: req.url,
                headers: req.headers,
                body: Buffer.concat(chunks).toString(),
            });
            handle(req, res);
        });
    });
    const state: TestServer = {
        url: "",
        seen,
        connections: 0,
        closed: (n) => closes[n - 1] ?? Promise.reject(new Error(`no connection ${n}`)),
        server,
    };
    server.on("connection", (socket: Socket) => {
        state.connections++;
        closes.push(new Promise<void>((resolve) => socket.once("close", resolve)));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return state;
}

const json = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(201, "Made", { "content-type": "application/json", "x-request-id": "req_1" });
    res.end(JSON.stringify({ ok: true, path: req.url }));
};

function sdkLikeInit(signal?: AbortSignal): RequestInit {
    return {
        method: "POST",
        headers: new Headers({ Authorization: "Bearer sk-test", "Content-Type": "application/json" }),
        body: JSON.stringify({ model: "m", input: "héllo" }),
        ...(signal === undefined ? {} : { signal }),
    };
}

describe("KeepAliveFetch", () => {
    it("sends and answers what the built-in fetch does", async () => {
        const server = await serve(json);
        const mine = await transport().fetch(`${server.url}/v1/x?beta=true`, sdkLikeInit());
        const builtin = await fetch(`${server.url}/v1/x?beta=true`, sdkLikeInit());
        const [a, b] = server.seen;
        for (const key of ["authorization", "content-type", "content-length", "accept", "accept-encoding"]) {
            expect(a!.headers[key], key).toBe(b!.headers[key]);
        }
        expect({ ...a, headers: undefined }).toEqual({ ...b, headers: undefined });
        expect([mine.status, mine.statusText, mine.ok, mine.headers.get("x-request-id")]).toEqual([
            builtin.status,
            builtin.statusText,
            builtin.ok,
            builtin.headers.get("x-request-id"),
        ]);
        expect(await mine.json()).toEqual(await builtin.json());
    });

    it("streams the body as it arrives", async () => {
        let finish = (): void => undefined;
        const server = await serve((_req, res) => {
            res.writeHead(200, { "content-type": "text/event-stream" });
            res.write("data: one\n\n");
            finish = () => res.end("data: two\n\n");
        });
        const response = await transport().fetch(server.url, sdkLikeInit());
        const reader = response.body!.getReader();
        const first = await reader.read();
        expect(Buffer.from(first.value).toString()).toBe("data: one\n\n");
        finish();
        const second = await reader.read();
        expect(Buffer.from(second.value).toString()).toBe("data: two\n\n");
        expect((await reader.read()).done).toBe(true);
    });

    it("serves sequential requests on one kept-alive connection, which close() releases", async () => {
        const server = await serve(json);
        const t = transport();
        for (let i = 0; i < 3; i++) await (await t.fetch(server.url, sdkLikeInit())).text();
        expect(server.connections).toBe(1);
        t.close();
        await server.closed(1);
    });

    it("an abort before the response rejects with the signal's reason and cancels the request upstream", async () => {
        const server = await serve(() => undefined); // never answers
        const controller = new AbortController();
        const pending = transport().fetch(server.url, sdkLikeInit(controller.signal));
        await new Promise((resolve) => setTimeout(resolve, 20));
        controller.abort();
        await expect(pending).rejects.toMatchObject({ name: "AbortError" });
        await server.closed(1);
    });

    it("an abort mid-body errors the body and closes the connection", async () => {
        const server = await serve((_req, res) => {
            res.writeHead(200, { "content-type": "text/event-stream" });
            res.write("data: one\n\n");
        });
        const controller = new AbortController();
        const response = await transport().fetch(server.url, sdkLikeInit(controller.signal));
        const reader = response.body!.getReader();
        await reader.read();
        controller.abort();
        await expect(reader.read()).rejects.toMatchObject({ name: "AbortError" });
        await server.closed(1);
    });

    it("an already aborted signal rejects before any request is sent", async () => {
        const server = await serve(json);
        const reason = new Error("caller left");
        await expect(transport().fetch(server.url, sdkLikeInit(AbortSignal.abort(reason)))).rejects.toBe(
            reason,
        );
        expect(server.seen).toHaveLength(0);
    });

    it("a refused connection is TypeError('fetch failed') with the socket error as its cause", async () => {
        const server = await serve(json);
        const url = server.url;
        servers.splice(0);
        await new Promise((resolve) => server.server.close(resolve));
        const error: unknown = await transport()
            .fetch(url, sdkLikeInit())
            .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TypeError);
        expect(error).toMatchObject({ message: "fetch failed", cause: { code: "ECONNREFUSED" } });
    });

    it("a connection cut mid-body errors the body", async () => {
        const server = await serve((_req, res) => {
            res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
            res.write('{"partial":');
            setTimeout(() => res.socket?.destroy(), 10);
        });
        const response = await transport().fetch(server.url, sdkLikeInit());
        await expect(response.text()).rejects.toThrow();
    });

    it.each([
        ["gzip", promisify(zlib.gzip)],
        ["deflate", promisify(zlib.deflate)],
        ["br", promisify(zlib.brotliCompress)],
    ] as const)("decodes a %s body", async (encoding, compress) => {
        const payload = JSON.stringify({ text: "x".repeat(5000) });
        const packed = await compress(Buffer.from(payload));
        const server = await serve((_req, res) => {
            res.writeHead(200, { "content-type": "application/json", "content-encoding": encoding });
            res.end(packed);
        });
        const response = await transport().fetch(server.url, sdkLikeInit());
        expect(await response.text()).toBe(payload);
    });

    it("a 204 or a HEAD answer has a null body, and the connection stays usable", async () => {
        const server = await serve((req, res) => {
            res.writeHead(req.method === "HEAD" ? 200 : 204);
            res.end();
        });
        const t = transport();
        expect((await t.fetch(server.url, sdkLikeInit())).body).toBeNull();
        expect((await t.fetch(server.url, { method: "HEAD" })).body).toBeNull();
        expect(server.seen).toHaveLength(2);
        expect(server.connections).toBe(1);
    });
});

describe("the hosted providers' transport", () => {
    it("an OpenAIProvider keeps one connection to its upstream, and its close() releases it", async () => {
        const reply = openaiCompletion({ text: ["hi"], finishReason: "stop" });
        const server = await serve((_req, res) => {
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify(reply.kind === "json" ? reply.body : {}));
        });
        const provider = new OpenAIProvider({
            id: "openai",
            baseURL: `${server.url}/v1`,
            apiKeyEnv: "KEY",
            env: { KEY: "sk-test" },
        });
        const request = {
            model: "gpt-5.1-codex",
            max_tokens: 8,
            messages: [{ role: "user" as const, content: "hi" }],
        };
        for (let i = 0; i < 2; i++) {
            expect((await provider.complete(request, new AbortController().signal)).content).toEqual([
                { type: "text", text: "hi" },
            ]);
        }
        expect(server.connections).toBe(1);
        provider.close();
        await server.closed(1);
    });
});

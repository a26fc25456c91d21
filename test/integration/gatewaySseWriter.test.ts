import { createServer, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SseWriter } from "../../src/gateway/SseWriter.js";

/** One GET against a server whose handler is `handle`; resolves with the body the client read. */
let handle: (res: ServerResponse) => void = () => undefined;
const server = createServer((_req, res) => {
    handle(res);
});
let url = "";
beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
});

function get(): Promise<{ status: number; type: string | undefined; body: string }> {
    return new Promise((resolve, reject) => {
        request(url, (res) => {
            let body = "";
            res.setEncoding("utf8").on("data", (text: string) => (body += text));
            res.on("end", () => {
                resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"], body });
            });
        })
            .on("error", reject)
            .end();
    });
}

describe("SseWriter", () => {
    it("sends the headers with the first frame, not in a socket write of their own", async () => {
        const queued: number[] = [];
        handle = (res) => {
            const sse = new SseWriter(res);
            const bytes = (): number => res.socket?.bytesWritten ?? -1;
            const before = bytes();
            sse.open({ "x-request-id": "r1" });
            queued.push(bytes() - before);
            void sse.write({ n: 1 });
            queued.push(bytes() - before);
            sse.end();
        };
        const answer = await get();
        expect(answer).toEqual({
            status: 200,
            type: "text/event-stream; charset=utf-8",
            body: 'data: {"n":1}\n\n',
        });
        // Nothing queued on the socket by open(); headers and the frame together by the first write.
        expect(queued[0]).toBe(0);
        expect(queued[1]).toBeGreaterThan('data: {"n":1}\n\n'.length + "HTTP/1.1 200 OK\r\n".length);
    });

    it("flush() sends the headers alone when no frame follows at once, and only once", async () => {
        const queued: number[] = [];
        handle = (res) => {
            const sse = new SseWriter(res);
            const bytes = (): number => res.socket?.bytesWritten ?? -1;
            const before = bytes();
            sse.open({});
            sse.flush();
            queued.push(bytes() - before);
            sse.flush();
            queued.push(bytes() - before);
            setImmediate(() => {
                void sse.write("[DONE]");
                sse.end();
            });
        };
        const answer = await get();
        expect(answer.body).toBe("data: [DONE]\n\n");
        expect(queued[0]).toBeGreaterThan("HTTP/1.1 200 OK\r\n".length);
        expect(queued[1]).toBe(queued[0]);
    });
});

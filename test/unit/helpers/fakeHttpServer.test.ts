import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeHttpServer, type FakeHttpServer } from "../../helpers/fakeHttpServer.js";

let server: FakeHttpServer | undefined;
afterEach(async () => {
    await server?.close();
    server = undefined;
});

describe("the fake providers' HTTP core", () => {
    it("gives no scripted reply to a client that left while its body was arriving", async () => {
        server = await startFakeHttpServer({
            formatFrame: (frame) => `data: ${JSON.stringify(frame.data)}\n\n`,
            unexpected: () => ({ kind: "json", status: 500, body: { error: "unexpected" } }),
        });
        server.enqueue(
            { kind: "json", status: 200, body: { reply: 1 } },
            { kind: "json", status: 200, body: { reply: 2 } },
        );
        const url = server.url;
        // Half a body, then the client gives up.
        await new Promise<void>((resolve) => {
            const req = request(`${url}/v1/x`, { method: "POST", headers: { "content-length": "100" } });
            req.on("error", () => {
                resolve();
            });
            req.write('{"half":');
            setTimeout(() => {
                req.destroy();
            }, 50);
        });
        await expect.poll(() => server!.clientAborts).toBe(1);
        const response = await fetch(`${url}/v1/x`, { method: "POST", body: "{}" });
        expect(await response.json()).toEqual({ reply: 1 });
        expect(server.pending()).toBe(1);
    });
});

/** readJsonBody: chunks joined, limits and closes answered, and every listener gone after each outcome. */
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/gateway/GatewayError.js";
import { readJsonBody } from "../../../src/gateway/readJsonBody.js";

const events = ["data", "end", "error", "close"] as const;

/** The part of an IncomingMessage readJsonBody uses: headers, pause, and the stream's events. */
function request(contentLength?: number): IncomingMessage & { paused: boolean } {
    const emitter = new EventEmitter() as unknown as IncomingMessage & { paused: boolean };
    emitter.headers = contentLength === undefined ? {} : { "content-length": String(contentLength) };
    emitter.paused = false;
    emitter.pause = function (this: typeof emitter) {
        this.paused = true;
        return this;
    };
    return emitter;
}

function listeners(req: IncomingMessage): number {
    return events.reduce((sum, name) => sum + req.listenerCount(name), 0);
}

describe("readJsonBody", () => {
    it("joins a body sent in several chunks (a multi-byte character split between them)", async () => {
        const req = request();
        const body = Buffer.from(JSON.stringify({ text: "naïve ✓" }));
        const read = readJsonBody(req, 1 << 20);
        req.emit("data", body.subarray(0, 12));
        req.emit("data", body.subarray(12));
        req.emit("end");
        await expect(read).resolves.toEqual({ text: "naïve ✓" });
        expect(listeners(req)).toBe(0);
    });

    it("refuses a body once it passes the limit, pauses it and lets go of it", async () => {
        const req = request();
        const read = readJsonBody(req, 8);
        req.emit("data", Buffer.from('{"a":'));
        req.emit("data", Buffer.from('"long"}'));
        await expect(read).rejects.toThrow(/over the gateway's limit of 8 bytes/);
        expect(req.paused).toBe(true);
        expect(listeners(req)).toBe(0);
    });

    it("refuses a declared length over the limit before reading", async () => {
        const req = request(100);
        await expect(readJsonBody(req, 8)).rejects.toThrow(/limit of 8 bytes/);
        expect(listeners(req)).toBe(0);
    });

    it("answers a client that left mid-body, and a stream error, and lets go either way", async () => {
        const closed = request();
        const readClosed = readJsonBody(closed, 1 << 20);
        closed.emit("data", Buffer.from("{"));
        closed.emit("close");
        const error: unknown = await readClosed.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(GatewayError);
        expect((error as Error).message).toBe("the client closed the connection");
        expect(listeners(closed)).toBe(0);

        const failed = request();
        const readFailed = readJsonBody(failed, 1 << 20);
        failed.emit("error", new Error("socket reset"));
        await expect(readFailed).rejects.toThrow("socket reset");
        expect(listeners(failed)).toBe(0);
    });

    it("refuses what is not a JSON object, saying what is wrong", async () => {
        for (const [text, message] of [
            ["{oops", /not valid JSON/],
            ["[1]", /must be a JSON object/],
        ] as const) {
            const req = request();
            const read = readJsonBody(req, 1 << 20);
            req.emit("data", Buffer.from(text));
            req.emit("end");
            await expect(read).rejects.toThrow(message);
        }
    });
});

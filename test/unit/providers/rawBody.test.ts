/**
 * rawBody.ts: the EventSource format as the pass-through path reads it off the socket, whatever the
 * chunk boundaries (line endings split between chunks included).
 */
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readText, sseMessages, type SseMessage } from "../../../src/providers/rawBody.js";

async function parse(chunks: readonly string[]): Promise<SseMessage[]> {
    const out: SseMessage[] = [];
    for await (const message of sseMessages(Readable.from(chunks.map((c) => Buffer.from(c)))))
        out.push(message);
    return out;
}

const wire =
    ': comment\r\nevent: message_start\r\ndata: {"a":1}\r\n\r\n' +
    "event: ping\ndata: {}\n\n" +
    "data: line one\ndata:line two\nid: 7\n\n" +
    "event: message_stop\rdata: {}\r\r" +
    "event: cut\ndata: never dispatched\n";

const expected: SseMessage[] = [
    { event: "message_start", data: '{"a":1}' },
    { event: "ping", data: "{}" },
    { event: null, data: "line one\nline two" },
    { event: "message_stop", data: "{}" },
];

describe("sseMessages", () => {
    it("parses LF, CRLF and CR line endings, comments, multi-line data; drops an event cut off at the end", async () => {
        expect(await parse([wire])).toEqual(expected);
    });

    it("gives the same events whatever the chunk boundaries (every split point, CRLF split included)", async () => {
        for (let i = 1; i < wire.length; i++)
            expect(await parse([wire.slice(0, i), wire.slice(i)])).toEqual(expected);
        expect(await parse(Array.from({ length: wire.length }, (_, i) => wire.charAt(i)))).toEqual(expected);
    });

    it("destroys the body when the reader stops early (the request is cancelled upstream)", async () => {
        const body = Readable.from([Buffer.from(wire)]);
        for await (const message of sseMessages(body)) {
            expect(message.event).toBe("message_start");
            break;
        }
        expect(body.destroyed).toBe(true);
    });

    it("after the terminal event, stopping lets the rest of the body through (its connection is kept)", async () => {
        const body = Readable.from([Buffer.from(wire), Buffer.from(": trailing\n\n")]);
        for await (const message of sseMessages(body, (m) => m.event === "message_stop")) {
            if (message.event === "message_stop") break;
        }
        expect(body.destroyed).toBe(false);
        await new Promise((resolve) => body.once("end", resolve));
    });

    it("readText joins UTF-8 split across chunks", async () => {
        const bytes = Buffer.from("héllo ✓");
        const body = Readable.from([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)]);
        expect(await readText(body)).toBe("héllo ✓");
    });
});

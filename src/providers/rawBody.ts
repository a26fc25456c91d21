/**
 * Reading a provider's answer off node:http without fetch's objects (same-protocol pass-through sends
 * requests through KeepAliveFetch.send): the whole body as text, or its server-sent events. The SDKs'
 * own readers need a fetch `Response`; building one per request (Headers, a web stream over the socket)
 * cost as much CPU as everything else the provider does for a pass-through request.
 */
import type { Readable } from "node:stream";

/** The body as UTF-8 text. */
export async function readText(body: Readable): Promise<string> {
    body.setEncoding("utf8");
    let text = "";
    for await (const chunk of body) text += chunk as string;
    return text;
}

/** One server-sent event: its `event:` name (null when unnamed) and its `data:` lines joined by "\n". */
export interface SseMessage {
    event: string | null;
    data: string;
}

/**
 * The body's events, as the EventSource format defines them: lines end in LF, CRLF or CR; `event:` and
 * `data:` fields (one optional space after the colon), comments (`:`) and other fields ignored, an event
 * dispatched at a blank line when it has data; an event cut off by the end of the body is dropped (the
 * caller sees the stream end without its terminal event). Stopping early destroys the body, which
 * cancels the request upstream, except after the protocol's terminal event (`isTerminal`): the answer
 * is complete, and the rest of the body (the response's end) is let through so that its kept-alive
 * connection serves the next request. Destroying it there cost a new connection per streamed request
 * (the transforms stop reading at their terminal event): ~200 µs of CPU more per Chat Completions stream
 * through the gateway than the SDK's reader, which reads to the end.
 */
export async function* sseMessages(
    body: Readable,
    isTerminal: (message: SseMessage) => boolean = () => false,
): AsyncGenerator<SseMessage> {
    body.setEncoding("utf8");
    let buffer = "";
    let event: string | null = null;
    let data: string | undefined;
    let ended = false;
    let complete = false;
    try {
        // Not destroyed by leaving the loop: `finish` decides (below).
        for await (const chunk of body.iterator({ destroyOnReturn: false })) {
            buffer += chunk as string;
            let start = 0;
            // The APIs end lines in LF: look for CRs only when the buffer has one (each search for a CR
            // that is not there scans the rest of the buffer, once per line).
            let cr = buffer.indexOf("\r");
            for (;;) {
                const lf = buffer.indexOf("\n", start);
                if (cr >= 0 && cr < start) cr = buffer.indexOf("\r", start);
                // A CR at the very end may be the first half of a CRLF: wait for the next chunk.
                const end = cr >= 0 && (lf < 0 || cr < lf) ? (cr === buffer.length - 1 ? -1 : cr) : lf;
                if (end < 0) break;
                const line = buffer.slice(start, end);
                start = end + (buffer[end] === "\r" && buffer[end + 1] === "\n" ? 2 : 1);
                if (line === "") {
                    if (data !== undefined) {
                        const message = { event, data };
                        if (isTerminal(message)) complete = true;
                        yield message;
                    }
                    event = null;
                    data = undefined;
                    continue;
                }
                if (line.startsWith(":")) continue;
                const colon = line.indexOf(":");
                const field = colon < 0 ? line : line.slice(0, colon);
                let value = colon < 0 ? "" : line.slice(colon + 1);
                if (value.startsWith(" ")) value = value.slice(1);
                if (field === "event") event = value;
                else if (field === "data") data = data === undefined ? value : `${data}\n${value}`;
            }
            buffer = buffer.slice(start);
        }
        ended = true;
    } finally {
        if (!ended) finish(body, complete);
    }
}

/** How long the rest of a complete answer's body may take to end before its connection is dropped. */
const drainMs = 5_000;

function finish(body: Readable, complete: boolean): void {
    if (!complete || body.destroyed) {
        body.destroy();
        return;
    }
    const timer = setTimeout(() => {
        body.destroy();
    }, drainMs);
    timer.unref();
    body.once("close", () => {
        clearTimeout(timer);
    });
    body.resume();
}

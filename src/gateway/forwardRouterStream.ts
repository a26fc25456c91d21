/**
 * The streamed answer of every face: `router.stream()` → the route header from the stream's own
 * `message_start` (the decision this request was routed by) → headers set (they leave with the first
 * frame) → each event encoded as the protocol's frames → the face's closing frame. A failure before the
 * stream opened is thrown (the caller answers it as an ordinary error response); after it opened, the
 * status is already set, so the face reports it as an error frame inside the stream and no closing frame
 * follows.
 */
import type { ChatRequest, RouterStreamEvent } from "../index.js";
import { toGatewayError, type GatewayError } from "./GatewayError.js";
import { ignoredHeader } from "./ignoredFields.js";
import { routeHeaderName, streamRouteOf } from "./routeHeader.js";
import { SseWriter } from "./SseWriter.js";
import type { Exchange, GatewayContext } from "./types.js";

/** How one protocol writes a stream. */
export interface StreamFace<Frame> {
    /** The protocol's frames for one router event (none, one or several). */
    encode(event: RouterStreamEvent): Iterable<Frame>;
    /** Writes one frame. */
    write(sse: SseWriter, frame: Frame): void | Promise<void>;
    /** Reports a failure inside the opened stream. */
    error(sse: SseWriter, error: GatewayError): void | Promise<void>;
    /** Writes what ends a stream that succeeded (OpenAI's `data: [DONE]`). Defaults to nothing. */
    done?(sse: SseWriter): void | Promise<void>;
}

export async function forwardRouterStream<Frame>(
    context: GatewayContext,
    exchange: Exchange,
    request: ChatRequest,
    face: StreamFace<Frame>,
): Promise<void> {
    context.spend?.check(exchange.keyId);
    const sse = new SseWriter(exchange.res);
    try {
        for await (const event of context.router.stream(request, { signal: exchange.signal })) {
            if (event.type === "message_start") {
                exchange.headers[routeHeaderName] = streamRouteOf(event);
                // The caller's own body was sent (ChatRequest.native): nothing it named was ignored.
                if (event.native !== undefined) Reflect.deleteProperty(exchange.headers, ignoredHeader);
                sse.open(exchange.headers);
            }
            if (event.type === "message_end") context.spend?.record(exchange.keyId, event.routing.cost_usd);
            for (const frame of face.encode(event)) await face.write(sse, frame);
            // A face that writes nothing for `message_start` still shows the client the stream start.
            if (event.type === "message_start") sse.flush();
        }
        await face.done?.(sse);
    } catch (error) {
        if (!sse.opened) throw error;
        await face.error(sse, toGatewayError(error));
    }
    sse.end();
}

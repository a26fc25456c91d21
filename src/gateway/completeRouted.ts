/**
 * The unary answer of every face: the key's spend limit checked, `router.complete()`, the answer's
 * cost added to the key's spend (streams do the same in forwardRouterStream.ts). An answer to the
 * caller's own body (ChatRequest.native) applied every field, so none is named as ignored.
 */
import { ignoredHeader } from "./ignoredFields.js";
import type { ChatRequest, ChatResponse } from "../index.js";
import type { Exchange, GatewayContext } from "./types.js";

export async function completeRouted(
    context: GatewayContext,
    exchange: Exchange,
    request: ChatRequest,
): Promise<ChatResponse> {
    context.spend?.check(exchange.keyId);
    const answer = await context.router.complete(request, { signal: exchange.signal });
    context.spend?.record(exchange.keyId, answer.routing.cost_usd);
    if (answer.native !== undefined) Reflect.deleteProperty(exchange.headers, ignoredHeader);
    return answer;
}

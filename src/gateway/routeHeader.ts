/**
 * `x-tiercel-route: <tier>/<provider>/<model>; reason=<routing_reason>` on every routed response. A unary
 * answer takes it from its routing record. A stream must send its headers before the record exists
 * (the record comes with the last event), so it takes tier and provider from the answering attempt's
 * `message_start`, and the reason and the target's configured model from `router.decide` (the same
 * decision, computed again without side effects).
 */
import type { ChatRequest, Router, RouterStreamEvent, RoutingRecord } from "../index.js";

export const routeHeaderName = "x-tiercel-route";

export function routeOf(record: RoutingRecord): string {
    return `${record.tier ?? "none"}/${record.provider ?? "none"}/${record.model_used ?? "none"}; reason=${record.routing_reason}`;
}

export async function streamRouteOf(
    router: Router,
    request: ChatRequest,
    start: Extract<RouterStreamEvent, { type: "message_start" }>,
): Promise<string> {
    const decision = await router.decide(request);
    // The configured model of the answering target, as unary records name it (providers may report a
    // more specific id in message_start).
    const model =
        decision.targets.find((t) => t.tier === start.tier && t.provider === start.provider)?.model ??
        start.model;
    return `${start.tier}/${start.provider}/${model}; reason=${decision.routing_reason}`;
}

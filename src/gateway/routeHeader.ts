/**
 * `x-tiercel-route: <tier>/<provider>/<model>; reason=<routing_reason>` on every routed response. A unary
 * answer takes it from its routing record. A stream must send its headers before the record exists
 * (the record comes with the last event), so it takes tier and provider from the answering attempt's
 * `message_start` and the reason from `router.decide` (the same decision, computed without side effects).
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
    return `${start.tier}/${start.provider}/${start.model}; reason=${decision.routing_reason}`;
}

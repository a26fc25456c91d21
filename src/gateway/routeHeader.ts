/**
 * `x-tiercel-route: <tier>/<provider>/<model>; reason=<routing_reason>` on every routed response. A unary
 * answer takes it from its routing record; a stream sends its headers before the record exists (it
 * comes with the last event), so it takes the same fields from its `message_start`, which the router
 * tags with the route this request was decided and answered by.
 */
import type { RoutingRecord, StreamRoute } from "../index.js";

export const routeHeaderName = "x-tiercel-route";

export function routeOf(record: RoutingRecord): string {
    return `${record.tier ?? "none"}/${record.provider ?? "none"}/${record.model_used ?? "none"}; reason=${record.routing_reason}`;
}

export function streamRouteOf(start: StreamRoute): string {
    return `${start.tier}/${start.provider}/${start.model_used}; reason=${start.routing_reason}`;
}

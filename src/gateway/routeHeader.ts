/**
 * `x-tiercel-route: <tier>/<provider>/<model>; reason=<routing_reason>` on every routed response. A unary
 * answer takes it from its routing record; a stream sends its headers before the record exists (it
 * comes with the last event), so it takes the same fields from its `message_start`, which the router
 * tags with the route this request was decided and answered by.
 */
import type { RoutingRecord, StreamRoute } from "../index.js";
import { headerSafe } from "../util/headerSafe.js";

export const routeHeaderName = "x-tiercel-route";

export function routeOf(record: RoutingRecord): string {
    return headerSafe(
        `${record.tier ?? "none"}/${record.provider ?? "none"}/${record.model_used ?? "none"}; reason=${record.routing_reason}`,
    );
}

/** `model_used` is the model the upstream says answered: escaped like any text from outside. */
export function streamRouteOf(start: StreamRoute): string {
    return headerSafe(`${start.tier}/${start.provider}/${start.model_used}; reason=${start.routing_reason}`);
}

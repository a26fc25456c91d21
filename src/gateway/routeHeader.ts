/**
 * `x-tiercel-route: <tier>/<provider>/<model>; reason=<routing_reason>` on every routed response, with
 * `; fallback_from=<decided tier>` when another tier answered than the one decided (its targets failed or
 * could not take the request): a caller that asked for `mid` and got the local tier is told so. A unary
 * answer takes it from its routing record; a stream sends its headers before the record exists (it
 * comes with the last event), so it takes the same fields from its `message_start`, which the router
 * tags with the route this request was decided and answered by.
 */
import type { RoutingRecord, StreamRoute } from "../index.js";
import { headerSafe } from "../util/headerSafe.js";

export const routeHeaderName = "x-tiercel-route";

export function routeOf(record: RoutingRecord): string {
    return headerSafe(
        `${record.tier ?? "none"}/${record.provider ?? "none"}/${record.model_used ?? "none"}; reason=${record.routing_reason}` +
            fallbackFrom(record.tier, record.decided_tier),
    );
}

/** `model_used` is the model the upstream says answered: escaped like any text from outside. */
export function streamRouteOf(start: StreamRoute): string {
    return headerSafe(
        `${start.tier}/${start.provider}/${start.model_used}; reason=${start.routing_reason}` +
            fallbackFrom(start.tier, start.decided_tier),
    );
}

function fallbackFrom(tier: string | null, decided: string): string {
    return tier === null || tier === decided ? "" : `; fallback_from=${decided}`;
}

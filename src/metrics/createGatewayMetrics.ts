import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** Buckets (seconds) for gateway HTTP requests: a cached or refused answer up to a long stream. */
const httpBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The agent gateway's HTTP requests. `route` is the endpoint's path template from the gateway's fixed
 * table (`/v1/chat/completions`, ...; `unmatched` for any other path), never the raw URL, so callers
 * cannot mint label values; `protocol` is `openai`, `anthropic` or `none` (health probes); `status` the
 * HTTP status sent (499 when the client left before any status).
 *
 *     # error ratio by route
 *     sum by (route) (rate(tiercel_gateway_requests_total{status=~"5.."}[5m]))
 *       / sum by (route) (rate(tiercel_gateway_requests_total[5m]))
 *     # p95 latency by route (a stream counts to its last byte)
 *     histogram_quantile(0.95, sum by (le, route) (rate(tiercel_gateway_request_duration_seconds_bucket[5m])))
 */
export function createGatewayMetrics(registry: Registry) {
    const registers = [registry];
    return {
        /** Finished HTTP requests by route, protocol and status. */
        requests: new Counter({
            name: "tiercel_gateway_requests_total",
            help: "Finished gateway HTTP requests by route template, protocol and status.",
            labelNames: ["route", "protocol", "status"] as const,
            registers,
        }),
        /** Arrival to the response's end (or the client leaving), by route and protocol. */
        requestDuration: new Histogram({
            name: "tiercel_gateway_request_duration_seconds",
            help: "Gateway HTTP request latency from arrival to the end of the response, by route and protocol.",
            labelNames: ["route", "protocol"] as const,
            buckets: httpBuckets,
            registers,
        }),
        /** Requests being served now, by route. */
        inFlight: new Gauge({
            name: "tiercel_gateway_requests_in_flight",
            help: "Gateway HTTP requests in flight, by route template.",
            labelNames: ["route"] as const,
            registers,
        }),
    };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;

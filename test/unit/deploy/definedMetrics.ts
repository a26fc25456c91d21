/**
 * Every metric the server can expose, read from a registry built the way the app builds it (its own
 * metrics, the router's, the gateway's, and the Node process metrics under the `tiercel_` prefix).
 */
import { Counter, Gauge, Histogram, Summary } from "prom-client";
import { createGatewayMetrics } from "../../../src/metrics/createGatewayMetrics.js";
import { createMetrics } from "../../../src/metrics/createMetrics.js";
import { createRouterMetrics } from "../../../src/metrics/createRouterMetrics.js";
import { createRegistry } from "../../../src/metrics/registry.js";
import type { DefinedMetric } from "./promql.js";

export function definedMetrics(): Map<string, DefinedMetric> {
    const registry = createRegistry();
    createMetrics(registry, () => undefined);
    createRouterMetrics(registry, () => []);
    createGatewayMetrics(registry);
    const metrics = new Map<string, DefinedMetric>();
    for (const metric of registry.getMetricsAsArray()) {
        const type =
            metric instanceof Counter
                ? "counter"
                : metric instanceof Gauge
                  ? "gauge"
                  : metric instanceof Histogram
                    ? "histogram"
                    : metric instanceof Summary
                      ? "summary"
                      : undefined;
        if (type === undefined) throw new Error(`unknown metric kind: ${metric.name}`);
        // prom-client keeps the label names on the instance but leaves them out of its types.
        const labelNames: unknown = "labelNames" in metric ? metric.labelNames : [];
        if (!Array.isArray(labelNames)) throw new Error(`unreadable label names: ${metric.name}`);
        metrics.set(metric.name, {
            name: metric.name,
            type,
            labelNames: labelNames.filter((n): n is string => typeof n === "string"),
        });
    }
    return metrics;
}

/**
 * tiercel's own Prometheus registry. Never prom-client's global one: an application embedding tiercel
 * (or a test starting two servers) must not see metrics collide or double-register.
 */
import { collectDefaultMetrics, Registry } from "prom-client";

export const metricsPrefix = "tiercel_";

/** A fresh registry with the Node process metrics (CPU, memory, event loop lag, GC) under `tiercel_`. */
export function createRegistry(): Registry {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: metricsPrefix });
    return registry;
}

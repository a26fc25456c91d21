/**
 * The router's circuit breakers, one per provider/model pair (shared by every tier that lists the same
 * pair), created on first use. Transitions are counted in the metrics and logged (an opening as a
 * warning).
 */
import type { RouterMetrics } from "../metrics/createRouterMetrics.js";
import type { Logger } from "../util/logger.js";
import { CircuitBreaker, type BreakerSnapshot, type BreakerState } from "./CircuitBreaker.js";
import type { RouterConfig } from "./config.js";

/** One provider/model's breaker, as the API and the metrics expose it. */
export interface TargetHealth extends BreakerSnapshot {
    provider: string;
    model: string;
}

export interface BreakerRegistryOptions {
    config: RouterConfig["breaker"];
    /** Monotonic milliseconds. */
    now: () => number;
    /** Read when a breaker changes state (the metrics are built after the registry). */
    metrics: () => RouterMetrics;
    logger: Logger;
}

export class BreakerRegistry {
    readonly #options: BreakerRegistryOptions;
    readonly #breakers = new Map<string, { provider: string; model: string; breaker: CircuitBreaker }>();

    constructor(options: BreakerRegistryOptions) {
        this.#options = options;
    }

    /** The pair's breaker; undefined when breakers are disabled. */
    breakerFor(provider: string, model: string): CircuitBreaker | undefined {
        const { config, now, metrics, logger } = this.#options;
        if (!config.enabled) return undefined;
        const key = `${provider}/${model}`;
        const existing = this.#breakers.get(key);
        if (existing) return existing.breaker;
        const breaker = new CircuitBreaker({
            ...config,
            now,
            onTransition: (from, to, trip) => {
                metrics().breakerTransitions.inc({
                    provider,
                    model,
                    state: to,
                    trip: to === "open" ? (trip ?? "none") : "none",
                });
                const fields = { provider, model, from, to, trip };
                if (to === "open") logger.warn("circuit breaker opened", fields);
                else logger.info("circuit breaker state changed", fields);
            },
        });
        this.#breakers.set(key, { provider, model, breaker });
        return breaker;
    }

    /** Every breaker's state, for the state gauge. */
    states(): { provider: string; model: string; state: BreakerState }[] {
        return [...this.#breakers.values()].map((b) => ({
            provider: b.provider,
            model: b.model,
            state: b.breaker.state,
        }));
    }

    /** Every breaker's full snapshot. */
    snapshots(): TargetHealth[] {
        return [...this.#breakers.values()].map((b) => ({
            provider: b.provider,
            model: b.model,
            ...b.breaker.snapshot(),
        }));
    }
}

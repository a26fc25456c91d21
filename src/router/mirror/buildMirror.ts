/** The router config's `mirror` section → the Mirror the recorder samples answered requests with. */
import type { RouterMetrics } from "../../metrics/createRouterMetrics.js";
import type { Provider } from "../../providers/Provider.js";
import type { Logger } from "../../util/logger.js";
import type { RouterConfig } from "../config.js";
import { noCharge, priceOf } from "../cost.js";
import type { RoutingRecord } from "../types.js";
import { Mirror } from "./Mirror.js";

export interface BuildMirrorDeps {
    providers: ReadonlyMap<string, Provider>;
    metrics: RouterMetrics;
    write: (record: RoutingRecord) => void;
    redact: (text: string) => string;
    logger: Logger;
    random: () => number;
    now: () => number;
    wallClock: () => number;
}

/** Undefined when the config has no `mirror`. */
export function buildMirror(config: RouterConfig, deps: BuildMirrorDeps): Mirror | undefined {
    const m = config.mirror;
    if (!m) return undefined;
    const { provider: id, model } = m.target;
    const provider = deps.providers.get(id);
    // parseRouterConfig checked the id; createRouter builds a provider for every configured one.
    if (!provider) throw new Error(`mirror.target.provider "${id}" has no provider`);
    // The config requires a price unless the provider is local, which has no per-token bill.
    const price = priceOf(config.prices, id, model) ?? noCharge;
    return new Mirror({ ...deps, config: m, provider, price });
}

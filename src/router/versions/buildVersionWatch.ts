/**
 * The router config's `versionShift` section → the VersionWatch the decider and cascade use. Each shift
 * and return is counted in `tiercel_router_version_shifts_total{provider,model,change}` and logged (a
 * shift as a warning).
 */
import type { RouterMetrics } from "../../metrics/metrics.js";
import type { Logger } from "../../util/logger.js";
import type { RouterConfig } from "../config.js";
import { VersionWatch } from "./VersionWatch.js";

/** Undefined when `versionShift.enabled` is off. */
export function buildVersionWatch(
    config: RouterConfig,
    deps: { metrics: RouterMetrics; logger: Logger; random: () => number },
): VersionWatch | undefined {
    if (!config.versionShift.enabled) return undefined;
    const { metrics, logger } = deps;
    return new VersionWatch({
        ...config.versionShift,
        random: deps.random,
        onChange: ({ shifted, ...shift }) => {
            const slash = shift.target.indexOf("/");
            const labels = { provider: shift.target.slice(0, slash), model: shift.target.slice(slash + 1) };
            metrics.versionShifts.inc({ ...labels, change: shifted ? "shifted" : "returned" });
            if (shifted) logger.warn("model version regressed; its traffic shifts to the next target", shift);
            else logger.info("model version no longer regressed; its traffic returns", shift);
        },
    });
}

/**
 * The router config's `versionShift` section → the VersionWatch the decider, cascade and recorder use.
 * Each shift, return and operator clear is counted in `tiercel_router_version_shifts_total{provider,model,change}`
 * (no signature label: task types come from requests) and logged with the signature (a shift as a warning).
 */
import type { RouterMetrics } from "../../metrics/createRouterMetrics.js";
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
        maxPendingRequests: config.feedback.maxPendingRequests,
        targets: new Set(config.tiers.flatMap((t) => t.targets.map((x) => `${x.provider}/${x.model}`))),
        random: deps.random,
        onChange: ({ change, ...shift }) => {
            const slash = shift.target.indexOf("/");
            const labels = { provider: shift.target.slice(0, slash), model: shift.target.slice(slash + 1) };
            metrics.versionShifts.inc({ ...labels, change });
            if (change === "shifted")
                logger.warn(
                    "model version regressed on a task signature; its traffic shifts to the next target",
                    shift,
                );
            else if (change === "returned")
                logger.info(
                    "model version no longer regressed on a task signature; its traffic returns",
                    shift,
                );
            else logger.info("model version regression cleared by an operator; its traffic returns", shift);
        },
    });
}

/**
 * The router config's `canary` section → the parts the router runs: the Canary (assignment, evidence,
 * the test), the candidate policy or target the Decider serves the candidate arm by, and the candidate
 * policy's version for the records. A decision is logged as a warning (rollback) or info (promotion)
 * with the evidence, and counted in `tiercel_router_canary_decisions_total{decision}`. With
 * `canary.statePath` the rollout resumes from its file (CanaryStore.ts) and is written every
 * `saveIntervalMs` while evidence comes in, at once on a decision, and on `close()`.
 */
import type { RouterMetrics } from "../../metrics/createRouterMetrics.js";
import type { Logger } from "../../util/logger.js";
import type { RouterConfig } from "../config.js";
import type { DeciderCanary } from "../Decider.js";
import { resolveTarget, type ResolveTiersDeps } from "../plan.js";
import { compilePolicy } from "../policy.js";
import { policyVersion } from "../policyVersion.js";
import { Canary } from "./Canary.js";
import { CanaryStore } from "./CanaryStore.js";

export interface BuiltCanary {
    decider: DeciderCanary;
    /** The candidate policy's version (`policy_version` of its requests); undefined for a target canary. */
    candidatePolicyVersion: string | undefined;
    /** Stops the periodic save and writes the rollout's state one last time (nothing without a statePath). */
    close: () => Promise<void>;
}

export interface BuildCanaryDeps extends ResolveTiersDeps {
    metrics: RouterMetrics;
    logger: Logger;
    /** In [0, 1): the arm of a request without a session. */
    random: () => number;
    /** The router's classifier's `version` (part of a candidate policy's version). */
    classifierVersion: string | undefined;
}

/** Undefined when the config has no `canary`. */
export function buildCanary(config: RouterConfig, deps: BuildCanaryDeps): BuiltCanary | undefined {
    const c = config.canary;
    if (!c) return undefined;
    const { policy, target } = c.candidate;
    const candidatePolicyVersion = policy ? policyVersion(config, policy, deps.classifierVersion) : undefined;
    const name = c.name ?? candidatePolicyVersion ?? `${target!.provider}/${target!.model}`;
    const store = c.statePath === null ? undefined : new CanaryStore(c.statePath, deps.logger);
    const canary: Canary = new Canary({
        ...c,
        candidate: name,
        kind: policy ? "policy" : "target",
        random: deps.random,
        onDecision: (status) => {
            deps.metrics.canaryDecisions.inc({ decision: status.decision });
            if (status.decision === "rolled_back")
                deps.logger.warn("canary rolled back: the candidate fails more often than the incumbent", {
                    ...status,
                });
            else
                deps.logger.info("canary promoted: the candidate fails no more often than the incumbent", {
                    ...status,
                });
            void store?.save(canary);
        },
    });
    let timer: NodeJS.Timeout | undefined;
    if (store) {
        store.load(canary);
        timer = setInterval(() => void store.save(canary), c.saveIntervalMs);
        timer.unref();
    }
    const close = async (): Promise<void> => {
        clearInterval(timer);
        await store?.save(canary);
    };
    if (policy)
        return {
            decider: {
                canary,
                policy: compilePolicy({ tiers: config.tiers, policy, cascade: config.cascade }),
            },
            candidatePolicyVersion,
            close,
        };
    const tierIndex = config.tiers.findIndex((t) => t.name === target!.tier);
    return {
        decider: { canary, target: resolveTarget(config, deps, tierIndex, target!) },
        candidatePolicyVersion,
        close,
    };
}

/**
 * A routing policy's version, as routing records carry it (`policy_version`, `shadow.policy_version`):
 * the policy's `version` when set, else `cfg-` and the first 12 hex digits of the sha256 of the parsed
 * routing sections (tiers, the policy, classifier) as JSON, with the classifier's own `version` (the
 * model and thresholds it loaded: a retrained model behind the same `classifier: {}` section decides
 * differently, so it must read as another version). The parsed config's keys come in schema
 * order, so the same routing config always hashes the same, and a change to any tier, rule, threshold or
 * default shows as a new version without anyone bumping it. Providers, prices and reliability settings
 * are not routing decisions and are left out.
 */
import { createHash } from "node:crypto";
import type { RouterConfig } from "./config.js";

/**
 * The version of `policy` (the incumbent's by default, or a shadow candidate's) under `config`'s tiers,
 * deciding with the classifier whose `version` is `classifierVersion` (none: the config section alone).
 */
export function policyVersion(
    config: RouterConfig,
    policy: RouterConfig["policy"] = config.policy,
    classifierVersion?: string,
): string {
    const { version, ...rest } = policy;
    if (version !== undefined) return version;
    const routing = JSON.stringify({
        tiers: config.tiers,
        policy: rest,
        classifier: config.classifier ?? null,
        // Left out when unknown, so configs without a classifier keep the versions they had.
        ...(classifierVersion !== undefined && { classifierVersion }),
    });
    return `cfg-${createHash("sha256").update(routing).digest("hex").slice(0, 12)}`;
}

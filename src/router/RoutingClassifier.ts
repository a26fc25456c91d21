/**
 * The routing classifier seam; router/learned/LearnedClassifier.ts (an ONNX model in a worker pool)
 * implements it, and createRouter installs it when the config has a `classifier`. The router consults it only when no rule
 * matched, so rules stay authoritative and explainable; its verdict is recorded as
 * `routing_reason: "classifier:<name>"`. A classifier may answer synchronously (a lookup, a tiny model
 * in-process) or with a promise (an ONNX session in a worker pool); returning undefined abstains and the
 * default tier applies. It must not throw for ordinary inputs; if it does, the router logs it and
 * falls back to the default tier rather than failing the request.
 *
 * A classifier that needs warming (a model to load) implements `ready()`: the router starts it when it is
 * built, `Router.ready()` resolves with it, and a request that needs the classifier before then waits for
 * it instead of being routed by a cold classifier's abstention. A rejected `ready()` is logged once and
 * the classifier is consulted as usual (it abstains, so the default tier applies).
 *
 * A classifier unsure between two tiers may say so with `cascadeTo`: the request is served by `tier`
 * first and that tier's cascade (config `tiers[].cascade`, router/cascade/) may escalate it to `cascadeTo`
 * on the answer's signals, instead of a guess either way. The router honours it only where the cascade
 * exists (router/policy.ts `decideTier`); elsewhere it serves `cascadeTo`, the safe side.
 */
import type { RequestFeatures } from "./features.js";
import type { ChatRequest } from "../chat/types.js";

export interface ClassifierVerdict {
    /** A configured tier name (unknown names are ignored). */
    tier: string;
    /** The classifier's confidence or score for that tier, recorded for calibration. */
    score: number;
    /** The classifier's name, part of the routing reason. */
    classifier: string;
    /**
     * A configured tier above `tier` when the classifier is unsure between the two: `tier` is tried first
     * and its cascade may escalate to this one. Defaults to none (a plain decision).
     */
    cascadeTo?: string;
}

export interface RoutingClassifier {
    classify(
        features: RequestFeatures,
        request: ChatRequest,
    ): ClassifierVerdict | undefined | Promise<ClassifierVerdict | undefined>;
    /** Resolves once the classifier can decide (its model loaded); rejects when it cannot. Optional. */
    ready?(): Promise<void>;
    /**
     * What it decides with (its model, thresholds), as a short string: part of the routing records'
     * `policy_version` (router/policyVersion.ts), so a new model under the same config is a new version.
     * Optional; without it only the config's classifier section counts.
     */
    readonly version?: string;
}

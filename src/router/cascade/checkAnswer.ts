/**
 * A cascade's verdict on one answer: the checks of the tier's `cascade` config in a fixed order (finish
 * reason, acceptance rate, confidence, then the validators as listed), the first failure deciding.
 * Pure apart from the lazily loaded TypeScript compiler; table-tested in test/unit/router/cascade.
 *
 * A threshold whose signal the answer lacks is not checked: hosted providers report no decoding signals,
 * the acceptance rate is absent when nothing was drafted, and the confidence when it was not asked for.
 * Missing evidence is not evidence of a bad answer, and escalating on it would send every such answer up.
 *
 * The decoding signals are read on greedy answers only (`sampled` false: the request's temperature unset or
 * 0). At temperature > 0 a draft token is kept with the target's probability of it, and a sampled token's
 * log-probability is below the argmax's, so both fall with temperature whatever the answer is worth
 * (quick bench, bundled pair: n-gram acceptance 0.58 → 0.20 from temperature 0 to 1): a threshold set on
 * greedy answers would escalate most sampled ones.
 */
import type { CascadeConfig } from "../config.js";
import type { CompletionResult } from "../../chat/types.js";
import { answerText, validateJson, validateNonEmpty, validateTypeScript } from "./validators.js";

/**
 * Stable names of the checks (routing records and tests use them): `truncated`, `min_acceptance_rate`,
 * `min_mean_logprob`, `validator:<name>`, and `stream_error` (a held stream broke before release).
 */
export type CascadeCheck =
    | "truncated"
    | "min_acceptance_rate"
    | "min_mean_logprob"
    | "validator:non_empty"
    | "validator:json"
    | "validator:typescript"
    | "stream_error";

export type CascadeVerdict = { passed: true } | { passed: false; check: CascadeCheck; detail: string };

const pass: CascadeVerdict = { passed: true };

export async function checkAnswer(
    cascade: CascadeConfig,
    result: CompletionResult,
    sampled = false,
): Promise<CascadeVerdict> {
    if (cascade.rejectTruncated && result.stop_reason === "max_tokens")
        return { passed: false, check: "truncated", detail: "the answer hit its output cap" };
    const signals = sampled ? undefined : result.signals;
    const rate = signals?.acceptance_rate ?? null;
    if (cascade.minAcceptanceRate !== undefined && rate !== null && rate < cascade.minAcceptanceRate) {
        return {
            passed: false,
            check: "min_acceptance_rate",
            detail: `acceptance rate ${rate.toFixed(3)} < ${cascade.minAcceptanceRate}`,
        };
    }
    const logprob = signals?.mean_logprob ?? null;
    if (cascade.minMeanLogprob !== undefined && logprob !== null && logprob < cascade.minMeanLogprob) {
        return {
            passed: false,
            check: "min_mean_logprob",
            detail: `mean logprob ${logprob.toFixed(3)} < ${cascade.minMeanLogprob}`,
        };
    }
    for (const validator of cascade.validators) {
        let failure: string | undefined;
        switch (validator) {
            case "non_empty":
                failure = validateNonEmpty(result);
                break;
            case "json":
                failure = validateJson(answerText(result));
                break;
            case "typescript":
                failure = await validateTypeScript(answerText(result));
                break;
        }
        if (failure !== undefined) return { passed: false, check: `validator:${validator}`, detail: failure };
    }
    return pass;
}

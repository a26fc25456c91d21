/**
 * Input-token counts for a request (what `/v1/messages/count_tokens` answers): counted by the target that
 * would answer it first, with that target's own tokenizer (the local tier's Tokenize, Anthropic's count
 * endpoint), so an agent managing its context window sees the number the answering model will see. When
 * that target cannot count (no count call, e.g. OpenAI; its breaker open; the request unsupported; the
 * call failed) the answer is the router's estimate (characters / 4, router/features.ts) and says so.
 */
import type { ChatRequest } from "../chat/types.js";
import { isServiceError } from "../errors/ServiceError.js";
import { AttemptTimeout } from "./executePlan.js";
import type { ResolvedTarget } from "./plan.js";
import { linkedSignal } from "../util/abort.js";

export interface TokenCount {
    input_tokens: number;
    /** true: counted by `counted_by`'s tokenizer; false: the router's estimate (characters / 4). */
    exact: boolean;
    /** `<provider>/<model>` that counted; null for an estimate. */
    counted_by: string | null;
    /** Why the count is an estimate; null when exact. */
    estimate_reason: string | null;
}

export async function countInputTokens(
    plan: readonly ResolvedTarget[],
    request: ChatRequest,
    estimate: number,
    signal: AbortSignal,
): Promise<TokenCount> {
    const estimated = (reason: string): TokenCount => ({
        input_tokens: estimate,
        exact: false,
        counted_by: null,
        estimate_reason: reason,
    });
    // The first target the request would be sent to: skipped ones (open breaker, unsupported) are passed,
    // judged as runPlan judges them (after `prepare` where the provider does not know yet).
    let target: ResolvedTarget | undefined;
    for (const t of plan) {
        if (t.breaker?.state === "open") continue;
        const asked = { ...request, model: t.model, max_tokens: 1 };
        const learning = t.provider.prepare?.(asked, signal);
        if (learning !== undefined) await learning;
        if (t.provider.unsupported(asked) === undefined) {
            target = t;
            break;
        }
    }
    if (!target) return estimated("no target can take the request");
    if (!target.provider.countTokens) return estimated(`${target.key} has no token count call`);
    const timeoutMs = target.settings.attemptTimeoutMs;
    const linked = linkedSignal([signal], {
        ms: timeoutMs,
        reason: () => new AttemptTimeout("attempt", timeoutMs),
    });
    try {
        const tokens = await target.provider.countTokens(
            { ...request, model: target.model, max_tokens: 1 },
            linked.signal,
        );
        return { input_tokens: tokens, exact: true, counted_by: target.key, estimate_reason: null };
    } catch (error) {
        if (signal.aborted) throw error;
        return estimated(`${target.key} could not count (${isServiceError(error) ? error.code : "error"})`);
    } finally {
        linked.dispose();
    }
}

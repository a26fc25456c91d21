/**
 * The stream's cascade inspector: hold a primed stream's answer back (nothing has reached the caller)
 * until it ends within the tier's `streamHoldChars`, then hand the whole answer to the cascade's checks;
 * an answer that outgrows the bound is released unchecked. Holding costs time to first token.
 */
import type { ProviderStreamEvent } from "../chat/types.js";
import { ErrorCode } from "../errors/codes.js";
import { ServiceError } from "../errors/ServiceError.js";
import { toAbortedError } from "../util/abort.js";
import type { Inspection, Inspector } from "./cascade/CascadeRunner.js";
import { StreamCollector } from "./collectStream.js";
import {
    abortFailure,
    measureStream,
    settleCancelled,
    settleFailed,
    type ExecEnv,
    type RequestScope,
} from "./executePlan.js";
import type { PrimedStream } from "./primeStream.js";

/** The inspector for primed streams of one request. */
export function holdStream(scope: RequestScope, env: ExecEnv): Inspector<PrimedStream> {
    return async (answered, cascade): Promise<Inspection> => {
        const primed = answered.value;
        if (cascade.streamHoldChars === 0) return { kind: "skip" };
        const held = await readHead(primed, cascade.streamHoldChars);
        if (held.kind === "released") {
            return {
                kind: "unchecked",
                detail: `longer than streamHoldChars (${cascade.streamHoldChars}): released unchecked`,
            };
        }
        measureStream(answered.attempt, primed, env);
        if (held.kind === "error") {
            primed.dispose();
            if (scope.signal.aborted) {
                settleCancelled(answered.attempt, primed.permit, toAbortedError(scope.signal).code);
                throw abortFailure(scope);
            }
            const error = primed.mapError(held.error);
            settleFailed(answered.attempt, primed.permit, error, env);
            return { kind: "broken", error };
        }
        const collector = new StreamCollector();
        for (const event of primed.head) collector.push(event);
        return {
            kind: "answer",
            result: collector.result()!,
            permit: primed.permit,
            // Rejected: the permit was settled with the verdict; the held events stay in `head` in case
            // the answer is served after all.
            discard: () => {
                primed.permit = undefined;
                primed.dispose();
            },
        };
    };
}

/**
 * Reads a primed stream into its head until it ends (`complete`), its text outgrows `limitChars`
 * (`released`: it will be forwarded unchecked), or it fails.
 */
async function readHead(
    primed: PrimedStream,
    limitChars: number,
): Promise<{ kind: "complete" | "released" } | { kind: "error"; error: unknown }> {
    let chars = 0;
    for (const event of primed.head) chars += eventChars(event);
    if (primed.head.at(-1)?.type === "message_end") return { kind: "complete" };
    for (;;) {
        if (chars > limitChars) return { kind: "released" };
        let next: IteratorResult<ProviderStreamEvent>;
        try {
            next = await primed.iterator.next();
        } catch (error) {
            return { kind: "error", error };
        }
        if (next.done === true) {
            return {
                kind: "error",
                error: new ServiceError(ErrorCode.ProviderStream, "stream ended without message_end", {
                    retryable: true,
                }),
            };
        }
        primed.head.push(next.value);
        if (next.value.type === "message_end") return { kind: "complete" };
        chars += eventChars(next.value);
    }
}

/** Characters an event adds to a held answer (text and tool-call arguments). */
function eventChars(event: ProviderStreamEvent): number {
    if (event.type === "text_delta") return event.text.length;
    if (event.type === "tool_call_delta") return event.arguments_delta.length;
    return 0;
}

/**
 * The sizes behind an E_CONTEXT_OVERFLOW, as its ServiceError's `details`: how many tokens the prompt
 * takes and how many the context holds. Coding agents act on them: Claude Code compacts its conversation
 * on Anthropic's "prompt is too long: N tokens > M maximum", Codex CLI on OpenAI's
 * `context_length_exceeded`; a gateway that answers a generic failure instead leaves the session retrying
 * the same request (one open report: claude-code-router #1799). So the engine records the sizes, gRPC
 * carries them in trailers (grpc/toGrpcStatus.ts), and the gateway's faces word the error as each API does.
 */
import { isServiceError } from "./ServiceError.js";

export interface ContextOverflowSizes {
    /** Tokens the prompt takes (at least: a bound when it was refused before tokenizing). */
    promptTokens: number;
    /** Tokens the context holds. */
    contextTokens: number;
}

/** `details` for a ServiceError with E_CONTEXT_OVERFLOW. */
export function contextOverflowDetails(promptTokens: number, contextTokens: number): Record<string, number> {
    return { prompt_tokens: promptTokens, context_tokens: contextTokens };
}

/** The sizes in an error's `details`, or in those of its causes; undefined when none says them. */
export function contextOverflowSizes(error: unknown): ContextOverflowSizes | undefined {
    for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
        if (!isServiceError(e)) continue;
        const prompt = e.details?.prompt_tokens;
        const context = e.details?.context_tokens;
        if (isCount(prompt) && isCount(context)) return { promptTokens: prompt, contextTokens: context };
    }
    return undefined;
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

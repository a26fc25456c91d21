import { ErrorCode } from "../errors/codes.js";
import { ProviderError } from "./ProviderError.js";

/**
 * Parses a tool call's complete JSON arguments. Empty text means no arguments (`{}`, or `fallback` when
 * the provider sent the input whole at the block's start instead of streaming it; gateways that only
 * read the deltas lose those arguments, LiteLLM #25561). Anything but a JSON object is a broken
 * stream: the caller would run the tool with garbage, so it is an error, retryable before commit.
 */
export function parseToolArguments(
    provider: string,
    toolName: string,
    json: string,
    fallback?: Record<string, unknown>,
): Record<string, unknown> {
    if (json.trim() === "") return fallback ?? {};
    let value: unknown;
    try {
        value = JSON.parse(json);
    } catch (cause) {
        throw new ProviderError(
            provider,
            ErrorCode.ProviderStream,
            `tool "${toolName}" arguments are not valid JSON`,
            {
                retryable: true,
                cause,
            },
        );
    }
    if (!isPlainObject(value)) {
        throw new ProviderError(
            provider,
            ErrorCode.ProviderStream,
            `tool "${toolName}" arguments are not a JSON object`,
            {
                retryable: true,
            },
        );
    }
    return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A tool call's JSON-text arguments (OpenAI's wire form) as an object; bad JSON is the caller's 400. */
import { GatewayError } from "./GatewayError.js";

export function parseToolArguments(text: string, where: string): Record<string, unknown> {
    if (text.trim() === "") return {};
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        throw new GatewayError("invalid_request", `${where} is not valid JSON`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new GatewayError("invalid_request", `${where} must be a JSON object`);
    }
    return value as Record<string, unknown>;
}

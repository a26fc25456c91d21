/**
 * A tool call's JSON-text arguments (OpenAI's wire form) as an object; bad JSON, or arguments that are
 * not text, is the caller's 400. Left out (or null, or blank) reads as no arguments.
 */
import { GatewayError } from "./GatewayError.js";
import { isJsonObject, jsonKind } from "./jsonShape.js";

export function parseToolArguments(text: unknown, where: string): Record<string, unknown> {
    if (text == null) return {};
    if (typeof text !== "string")
        throw new GatewayError(
            "invalid_request",
            `${where} must be a string of JSON text (e.g. "{}"), not ${jsonKind(text)}`,
        );
    if (text.trim() === "") return {};
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        throw new GatewayError("invalid_request", `${where} is not valid JSON`);
    }
    if (!isJsonObject(value)) {
        throw new GatewayError("invalid_request", `${where} must be a JSON object`);
    }
    return value;
}

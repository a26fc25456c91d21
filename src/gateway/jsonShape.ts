/**
 * Narrowing reads of a caller's JSON body. The faces read bodies through the SDKs' parameter types, which
 * describe what a well-behaved client sends; a body is the caller's JSON and may hold `null`, a string or
 * an array where an object belongs. Each check here turns such a body into a 400 that names the field and
 * what was found there, instead of a TypeError (a 500) further on.
 */
import { GatewayError } from "./GatewayError.js";

/** Whether a JSON value is an object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What a JSON value is, as an error message names it. */
export function jsonKind(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    if (typeof value === "object") return "an object";
    return `a ${typeof value}`;
}

/**
 * `value`, checked to be an object, or a 400: `<where> must be an object, not <kind>`. Typed as what the
 * SDK's types say the field holds (`T`), which the check makes true of the object it found.
 */
export function requireObject<T>(value: T, where: string): NonNullable<T> {
    if (!isJsonObject(value))
        throw new GatewayError("invalid_request", `${where} must be an object, not ${jsonKind(value)}`);
    return value;
}

/**
 * `value` as an array whose every element is an object, or a 400 naming the first that is not. Elements
 * are named as the face's API names them: `messages[0]` (OpenAI) or `messages.0` (Anthropic).
 */
export function requireObjects<T>(
    value: readonly T[] | null | undefined,
    where: string,
    index: "brackets" | "dots" = "brackets",
): readonly NonNullable<T>[] {
    if (!Array.isArray(value))
        throw new GatewayError("invalid_request", `${where} must be an array, not ${jsonKind(value)}`);
    value.forEach((element: T, i) => {
        requireObject(element, index === "brackets" ? `${where}[${i}]` : `${where}.${i}`);
    });
    return value as readonly NonNullable<T>[];
}

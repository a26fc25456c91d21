/**
 * Secret redaction for routing records and route errors. Provider error messages can echo credentials
 * ("Incorrect API key provided: sk-...") and records are written to files people share, so every line
 * passes through here: the configured keys' actual values are replaced, and so is anything shaped like a
 * key or a bearer token. Matching ignores case: a provider or proxy that upper-cases a message (or a
 * header value) still echoes the key.
 */

const patterns: readonly RegExp[] = [
    // Anthropic (sk-ant-...), OpenAI (sk-..., sk-proj-...) and similar keys.
    /\bsk-[A-Za-z0-9_-]{12,}/gi,
    // Authorization header values.
    /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
    // key=value / "key": "value" pairs with secret-sounding names.
    /\b((?:api[_-]?key|x-api-key|auth[_-]?token|access[_-]?token|secret|password)["']?\s*[:=]\s*["']?)[^\s"',;}]{4,}/gi,
];

export const redactedMarker = "[REDACTED]";

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A redactor for these secret values (values shorter than 8 characters are ignored: too many false hits). */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
    const literal = [...new Set(secrets.filter((s) => s.length >= 8))].sort((a, b) => b.length - a.length);
    // One alternation, longest first, case-insensitive: every case form of every secret in one pass.
    const secretPattern = literal.length > 0 ? new RegExp(literal.map(escapeRegExp).join("|"), "gi") : null;
    return (text) => {
        let out = secretPattern === null ? text : text.replace(secretPattern, redactedMarker);
        for (const pattern of patterns) {
            out = out.replace(pattern, (match, prefix: unknown) =>
                typeof prefix === "string" && /[:=]\s*["']?$/.test(prefix)
                    ? `${prefix}${redactedMarker}`
                    : redactedMarker,
            );
        }
        return out;
    };
}

/** How deep redactError follows causes and nested fields (SDK errors nest a parsed body two levels). */
const maxDepth = 8;

/**
 * A redacted copy of an error and its whole `cause` chain: same prototype (so `instanceof` and `code`
 * still work), with every string field (message, stack, and strings inside plain objects and arrays,
 * such as an SDK error's parsed body) redacted. The original objects are left as they were.
 */
export function redactError(error: unknown, redact: (text: string) => string): unknown {
    return copyRedacted(error, redact, 0, new WeakMap());
}

function copyRedacted(
    value: unknown,
    redact: (text: string) => string,
    depth: number,
    seen: WeakMap<object, unknown>,
): unknown {
    if (typeof value === "string") return redact(value);
    if (value === null || typeof value !== "object" || depth > maxDepth) return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (Array.isArray(value)) {
        const copy: unknown[] = [];
        seen.set(value, copy);
        for (const item of value) copy.push(copyRedacted(item, redact, depth + 1, seen));
        return copy;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (!(value instanceof Error) && proto !== Object.prototype && proto !== null) return value;
    const copy = Object.create(proto as object | null) as Record<PropertyKey, unknown>;
    seen.set(value, copy);
    for (const key of Reflect.ownKeys(value)) {
        const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
        if ("value" in descriptor) {
            descriptor.value = copyRedacted(descriptor.value, redact, depth + 1, seen);
        }
        Object.defineProperty(copy, key, descriptor);
    }
    return copy;
}

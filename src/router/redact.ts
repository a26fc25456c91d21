/**
 * Secret redaction for routing records. Provider error messages can echo credentials ("Incorrect API
 * key provided: sk-...") and records are written to files people share, so every line passes through
 * here: the configured keys' actual values are replaced, and so is anything shaped like a key or a
 * bearer token.
 */

const patterns: readonly RegExp[] = [
    // Anthropic (sk-ant-...), OpenAI (sk-..., sk-proj-...) and similar keys.
    /\bsk-[A-Za-z0-9_-]{12,}/g,
    // Authorization header values.
    /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
    // key=value / "key": "value" pairs with secret-sounding names.
    /\b((?:api[_-]?key|x-api-key|auth[_-]?token|access[_-]?token|secret|password)["']?\s*[:=]\s*["']?)[^\s"',;}]{4,}/gi,
];

export const redactedMarker = "[REDACTED]";

/** A redactor for these secret values (values shorter than 8 characters are ignored: too many false hits). */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
    const literal = [...new Set(secrets.filter((s) => s.length >= 8))].sort((a, b) => b.length - a.length);
    return (text) => {
        let out = text;
        for (const secret of literal) out = out.split(secret).join(redactedMarker);
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

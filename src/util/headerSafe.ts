/**
 * Text made safe for an HTTP response header value. Node's `writeHead` throws on characters a header
 * cannot carry (control characters, anything past Latin-1), so a value built from a caller's JSON (the
 * names in `x-tiercel-ignored` are its body's keys and type names) or an upstream's answer must be
 * escaped first: everything outside printable ASCII becomes a JSON-style `\uXXXX` escape, and the value is
 * cut at `maxLength` characters (a body with thousands of unknown keys must not make a megabyte header).
 */
export function headerSafe(text: string, maxLength = 1024): string {
    let safe = text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    if (safe.length > maxLength) safe = `${safe.slice(0, maxLength - 3)}...`;
    return safe;
}

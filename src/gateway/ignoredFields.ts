/**
 * Request fields a face accepts but does not apply (sampling knobs no tier takes, bookkeeping such as
 * `user` or `metadata`): named in the `x-tiercel-ignored` response header rather than refused, since
 * agents send them on every request, and rather than dropped silently.
 */
import { headerSafe } from "../util/headerSafe.js";

export const ignoredHeader = "x-tiercel-ignored";

/** The header's value for these names (caller text: escaped and capped, ../util/headerSafe.ts). */
export function ignoredHeaderValue(names: readonly string[]): string {
    return headerSafe(names.join(", "));
}

/** The top-level keys of `body` that are not in `handled`, sorted. */
export function collectIgnored(body: Record<string, unknown>, handled: ReadonlySet<string>): string[] {
    return Object.keys(body)
        .filter((key) => !handled.has(key) && body[key] !== undefined && body[key] !== null)
        .sort();
}

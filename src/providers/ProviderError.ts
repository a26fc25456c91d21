import type { ErrorCode } from "../errors/codes.js";
import { ServiceError, type ServiceErrorOptions } from "../errors/ServiceError.js";

export interface ProviderErrorOptions extends ServiceErrorOptions {
    /** HTTP status (hosted providers) or gRPC status code (local tier), when there was a response. */
    status?: number;
    /** How long the provider asked us to wait before retrying (Retry-After / retry-after-ms). */
    retryAfterMs?: number;
}

/** A provider's failure, mapped to a stable code. `provider` is the provider's config id. */
export class ProviderError extends ServiceError {
    override readonly name = "ProviderError";
    readonly provider: string;
    readonly status: number | undefined;
    readonly retryAfterMs: number | undefined;

    constructor(provider: string, code: ErrorCode, message: string, options: ProviderErrorOptions = {}) {
        super(code, `${provider}: ${message}`, options);
        this.provider = provider;
        this.status = options.status;
        this.retryAfterMs = options.retryAfterMs;
    }
}

/**
 * Parses `retry-after-ms` (milliseconds, OpenAI's extension) or `retry-after` (seconds or an HTTP date,
 * RFC 9110 §10.2.3). Returns undefined when absent or unparsable; never negative.
 */
export function parseRetryAfter(
    get: (name: string) => string | null | undefined,
    now = Date.now(),
): number | undefined {
    const ms = get("retry-after-ms");
    if (ms != null && ms.trim() !== "") {
        const value = Number(ms);
        if (Number.isFinite(value) && value >= 0) return Math.round(value);
    }
    const header = get("retry-after");
    if (header == null || header.trim() === "") return undefined;
    const seconds = Number(header);
    if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
    const date = Date.parse(header);
    return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
